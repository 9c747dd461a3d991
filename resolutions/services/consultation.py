"""Every write of a written consultation: create, send, answer, remind, close, cancel.

The answer follows a ballot's locking (voting.services): it reads the consultation row
``FOR SHARE``, so answers never wait for each other; the close takes it ``FOR UPDATE``, waits
for the answers in flight, counts them, and every later answer reads ``closed``. SQLite
serialises writers with ``BEGIN IMMEDIATE`` (chamber/settings.py). One answer per delegate is
the database's unique constraint on ``ConsultationParticipation``.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import InspectedPdf
from meeting.models import Council, Delegate
from realtime.actors import SYSTEM, Actor
from realtime.errors import ServiceError
from resolutions import access, chain, clock, counting, files
from resolutions.chain import council_lock
from resolutions.models import (
    Consultation,
    ConsultationBallot,
    ConsultationParticipation,
)
from voting.models import Poll
from voting.secrecy import place_secret_ballot, unlink_secret_rows

Status, Form = Consultation.Status, Consultation.Form
logger = logging.getLogger(__name__)
MAX_OPINION = 10_000


def _not_found() -> ServiceError:
    return ServiceError("consultation.not_found", _("Không tìm thấy đợt lấy ý kiến."))


def _invalid(message: str) -> ServiceError:
    return ServiceError("consultation.invalid", message)


def _deadline_past(deadline: datetime.datetime) -> ServiceError:
    """A deadline already past, shown in the council's time zone (settings.TIME_ZONE)."""
    shown = timezone.localtime(deadline, timezone.get_default_timezone())
    return ServiceError(
        "consultation.deadline_past",
        _("Hạn trả lời %(moment)s đã qua: hãy chọn một thời điểm sau bây giờ.")
        % {"moment": shown.strftime("%H:%M %d/%m/%Y")},
    )


def _lock(consultation_id: int) -> Consultation:
    found = Consultation.objects.select_for_update().filter(pk=consultation_id).first()
    if found is None:
        raise _not_found()
    return found


def consultation_create(
    *,
    council_id: int,
    title: str,
    actor: Actor,
    deadline: datetime.datetime,
    question: str = "",
    form: str = Form.YES_NO_ABSTAIN,
    kind: str = Consultation.Kind.NAMED,
    options: list[str] | None = None,
    max_selections: int = 1,
    threshold: str = Poll.Threshold.MORE_THAN_HALF,
    remind_hours: list[int] | None = None,
    pdf: bytes | None = None,
    checked: InspectedPdf | None = None,
) -> Consultation:
    """A draft consultation of the council's delegates (its Standing Committee's)."""
    if not Council.objects.filter(pk=council_id).exists():
        raise ServiceError("council.not_found", _("Không tìm thấy hội đồng."))
    access.require_act(actor, access.CONSULT, council_id)
    title = (title or "").strip()
    if not title:
        raise _invalid(_("Cần nhập nội dung xin ý kiến."))
    if form not in Form.values or kind not in Consultation.Kind.values:
        raise _invalid(_("Hình thức trả lời không hợp lệ."))
    if threshold not in (Poll.Threshold.MORE_THAN_HALF, Poll.Threshold.TWO_THIRDS):
        raise _invalid(_("Ngưỡng thông qua không hợp lệ."))
    labels = [str(label).strip() for label in (options or []) if str(label).strip()]
    if form == Form.OPTIONS:
        if len(labels) < 2:
            raise _invalid(_("Cần ít nhất hai lựa chọn."))
        if not 1 <= max_selections <= len(labels):
            raise _invalid(_("Số lựa chọn tối đa không hợp lệ."))
    else:
        labels, max_selections = [], 1
    if timezone.is_naive(deadline):
        raise _invalid(_("Hạn trả lời không hợp lệ."))
    if deadline <= timezone.now():
        raise _deadline_past(deadline)
    hours = sorted({int(h) for h in (remind_hours or []) if int(h) > 0}, reverse=True)
    checked = files.inspected(pdf, checked)
    with files.atomic_with_pdf(pdf, checked) as keep:
        consultation = Consultation.objects.create(
            council_id=council_id,
            title=title[:500],
            question=(question or "").strip()[:20_000],
            draft_file=keep(),
            form=form,
            kind=kind,
            options=[{"id": str(i + 1), "label": label} for i, label in enumerate(labels)],
            max_selections=max_selections,
            threshold=threshold,
            deadline=deadline,
            remind_hours=hours,
            created_by=actor.user,
        )
    return consultation


def consultation_send(*, consultation_id: int, actor: Actor) -> Consultation:
    """Send it to the delegates: its rules, the seats and the deadline are fixed from here."""
    with transaction.atomic():
        consultation = _lock(consultation_id)
        access.require_act(actor, access.CONSULT, consultation.council_id)
        if consultation.status != Status.DRAFT:
            raise ServiceError(
                "consultation.bad_transition", _("Chỉ gửi được đợt lấy ý kiến đang ở dự thảo.")
            )
        if consultation.deadline <= timezone.now():
            raise _deadline_past(consultation.deadline)
        council_lock(consultation.council_id)
        consultation.status = Status.OPEN
        consultation.sent_at = timezone.now()
        consultation.seats = consultation.council.seats
        consultation.save(update_fields=["status", "sent_at", "seats"])
        chain.append(
            council_id=consultation.council_id,
            action="consultation.open",
            actor=actor,
            consultation=consultation.pk,
            form=consultation.form,
            rules=counting.rule_facts(consultation),
            seats=consultation.seats,
            deadline=consultation.deadline.isoformat(),
            draft_sha256=consultation.draft_file_id,
        )
        # This process's deadline clock sleeps until the nearest deadline it knew of.
        transaction.on_commit(clock.wake)
    return consultation


def _read_for_share(consultation_id: int) -> Consultation | None:
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    table = Consultation._meta.db_table
    rows = Consultation.objects.raw(
        f"SELECT id, status, deadline, council_id FROM {table} WHERE id = %s{share}",
        [consultation_id],
    )
    return next(iter(rows), None)


def _normalise(consultation: Consultation, choice):
    if consultation.form == Form.OPINION:
        return None
    poll = counting.as_poll(counting.rule_facts(consultation))
    if consultation.form == Form.YES_NO_ABSTAIN:
        if choice not in poll.choice_ids:
            raise ServiceError("ballot.invalid_choice", _("Lựa chọn không hợp lệ."))
        return choice
    if not isinstance(choice, list) or not {str(c) for c in choice} <= set(poll.choice_ids):
        raise ServiceError("ballot.invalid_choice", _("Lựa chọn không hợp lệ."))
    selected = sorted({str(c) for c in choice}, key=poll.choice_ids.index)
    if len(selected) > poll.max_selections:
        raise ServiceError(
            "ballot.too_many_selections",
            _("Chỉ được chọn tối đa %(n)d.") % {"n": poll.max_selections},
        )
    return selected


def consultation_answer(
    *, consultation_id: int, delegate: Delegate, command_id: str, choice=None, opinion: str = ""
) -> dict:
    """A delegate's one answer; returns its receipt. The same ``command_id`` again gives the
    same receipt and writes nothing."""
    receipt = counting.receipt(consultation_id, command_id)
    opinion = (opinion or "").strip()
    if len(opinion) > MAX_OPINION:
        raise _invalid(_("Ý kiến dài quá %(n)d ký tự.") % {"n": MAX_OPINION})
    try:
        with transaction.atomic():
            return _answer(consultation_id, delegate, receipt, choice, opinion)
    except IntegrityError:
        if ConsultationBallot.objects.filter(
            consultation_id=consultation_id, receipt=receipt
        ).exists():
            return {"consultation_id": consultation_id, "receipt": receipt, "repeated": True}
        raise ServiceError(
            "consultation.already_answered", _("Đại biểu đã trả lời, không thể trả lời lại.")
        ) from None


def _answer(consultation_id, delegate, receipt, choice, opinion) -> dict:
    row = _read_for_share(consultation_id)
    if row is None or row.council_id != delegate.council_id:
        raise _not_found()  # another council's: reveal nothing of it
    if ConsultationBallot.objects.filter(consultation_id=consultation_id, receipt=receipt).exists():
        return {"consultation_id": consultation_id, "receipt": receipt, "repeated": True}
    if row.status != Status.OPEN or timezone.now() >= row.deadline:
        raise ServiceError(
            "consultation.not_open", _("Đợt lấy ý kiến chưa mở hoặc đã hết hạn trả lời.")
        )
    consultation = Consultation.objects.get(pk=consultation_id)
    normalised = _normalise(consultation, choice)
    if consultation.form == Form.OPINION and not opinion:
        raise _invalid(_("Cần nhập ý kiến."))
    if ConsultationParticipation.objects.filter(
        consultation=consultation, delegate=delegate
    ).exists():
        raise ServiceError(
            "consultation.already_answered", _("Đại biểu đã trả lời, không thể trả lời lại.")
        )
    ConsultationParticipation.objects.create(
        consultation=consultation, delegate=delegate, answered_at=timezone.now()
    )
    secret = consultation.kind == Consultation.Kind.SECRET
    ballot = ConsultationBallot.objects.create(
        consultation=consultation,
        delegate=None if secret else delegate,
        choice=normalised,
        opinion=opinion,
        receipt=receipt,
    )
    if secret:
        place_secret_ballot(ballot)
    return {"consultation_id": consultation_id, "receipt": receipt}


def consultation_close(*, consultation_id: int, actor: Actor) -> Consultation:
    """Close and count, once: by the committee at any time, by the system at the deadline."""
    with transaction.atomic():
        consultation = _lock(consultation_id)  # waits for the answers in flight
        if actor != SYSTEM:
            access.require_act(actor, access.CONSULT, consultation.council_id)
        if consultation.status != Status.OPEN:
            raise ServiceError(
                "consultation.not_open", _("Đợt lấy ý kiến chưa mở hoặc đã kết thúc.")
            )
        if actor == SYSTEM and timezone.now() < consultation.deadline:
            raise ServiceError("consultation.not_due", _("Chưa đến hạn trả lời."))
        council_lock(consultation.council_id)
        _count(consultation)
        if consultation.kind == Consultation.Kind.SECRET:
            unlink_secret_rows(ConsultationBallot, consultation_id=consultation.pk)
        chain.append(
            council_id=consultation.council_id,
            action="consultation.close",
            actor=actor,
            consultation=consultation.pk,
            **sealed(consultation),
        )
        # Who answered and who did not, in an entry of its own: never beside an answer.
        chain.append(
            council_id=consultation.council_id,
            action="consultation.turnout",
            actor=actor,
            consultation=consultation.pk,
            participants=sorted(consultation.participations.values_list("delegate_id", flat=True)),
            non_respondents=consultation.non_respondents,
        )
    return consultation


def _count(consultation: Consultation) -> None:
    facts = counting.rule_facts(consultation)
    ballots = list(consultation.ballots.all())
    secret = consultation.kind == Consultation.Kind.SECRET
    consultation.status = Status.CLOSED
    consultation.closed_at = timezone.now()
    answered = set(consultation.participations.values_list("delegate_id", flat=True))
    consultation.non_respondents = list(
        consultation.council.delegates.exclude(pk__in=answered)
        .order_by("seat_label", "full_name", "pk")
        .values_list("pk", flat=True)
    )
    if consultation.counts_votes:
        computed = counting.compute(
            facts, ballots, seats=consultation.seats, respondents=sorted(answered)
        )
        consultation.result = computed
        consultation.passed = computed["passed"]
        consultation.digest = counting.digest(facts, ballots)
    else:
        consultation.result = {"ballots": len(ballots), "seats": consultation.seats}
        consultation.passed = None
        consultation.digest = counting.opinions_digest(ballots, secret=secret)
    consultation.result["opinions_digest"] = counting.opinions_digest(ballots, secret=secret)
    consultation.save(
        update_fields=["status", "closed_at", "result", "passed", "digest", "non_respondents"]
    )


def sealed(consultation: Consultation) -> dict:
    """What the chain keeps of the answers at the close (voting.secrecy.sealed_ballots's
    rule): named — each answer's receipt, choice and voter; secret — receipts and totals."""
    ballots = consultation.ballots.order_by("receipt")
    sealed = {
        "digest": consultation.digest,
        "passed": consultation.passed,
        "result": consultation.result,
    }
    if consultation.kind == Consultation.Kind.NAMED:
        sealed["ballots"] = [
            list(row) for row in ballots.values_list("receipt", "choice", "delegate_id")
        ]
    else:
        sealed["receipts"] = list(ballots.values_list("receipt", flat=True))
    return sealed


def consultation_cancel(*, consultation_id: int, reason: str, actor: Actor) -> Consultation:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("consultation.reason_required", _("Cần nêu lý do hủy."))
    with transaction.atomic():
        consultation = _lock(consultation_id)
        access.require_act(actor, access.CONSULT, consultation.council_id)
        if consultation.status not in (Status.DRAFT, Status.OPEN):
            raise ServiceError(
                "consultation.bad_transition", _("Đợt lấy ý kiến đã kết thúc, không thể hủy.")
            )
        was_sent = consultation.status == Status.OPEN
        consultation.status = Status.CANCELLED
        consultation.cancel_reason = reason[:2000]
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["status", "cancel_reason", "closed_at"])
        if was_sent:
            council_lock(consultation.council_id)
            chain.append(
                council_id=consultation.council_id,
                action="consultation.cancel",
                actor=actor,
                consultation=consultation.pk,
                reason=consultation.cancel_reason,
            )
    return consultation


def close_due_consultations() -> int:
    """Close every open consultation whose deadline has passed; how many this call closed.

    Any process may run it at the same moment (the deadline clock of every worker, a cron
    job, a page): ``consultation_close`` locks the row and counts only an open one, so each is
    counted, and its entries written, once."""
    closed = 0
    due = Consultation.objects.filter(status=Status.OPEN, deadline__lte=timezone.now())
    for consultation_id in list(due.order_by("deadline").values_list("pk", flat=True)):
        try:
            consultation_close(consultation_id=consultation_id, actor=SYSTEM)
            closed += 1
        except ServiceError:
            pass  # closed by the committee or another process first
        except OperationalError:
            # Another process held the row past the lock timeout while closing it: its close
            # stands, or the next pass closes it.
            logger.warning("consultation %s: closing at the deadline waited too long",
                           consultation_id)
    return closed
