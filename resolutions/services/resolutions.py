"""Every write of resolutions and conclusions: adopt (from a poll, a consultation, a
sitting), attach the signed PDF.

Each service checks the actor's role in the council (resolutions.access), validates, writes
in one transaction with the council's chain locked (which also orders the numbering), and
appends what was adopted to the council's chain of decisions. A refusal changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import InspectedPdf
from meeting.models import Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, chain, files, search_index
from resolutions.chain import council_lock
from resolutions.models import Consultation, Resolution
from voting.models import Poll, PollResult

Kind, Relation, Status = Resolution.Kind, Resolution.Relation, Resolution.Status


def _not_found() -> ServiceError:
    return ServiceError("resolution.not_found", _("Không tìm thấy nghị quyết."))


def _invalid(message: str) -> ServiceError:
    return ServiceError("resolution.invalid", message)


def _next_number(council_id: int, kind: str, year: int) -> int:
    last = Resolution.objects.filter(council_id=council_id, kind=kind, year=year).aggregate(
        last=Max("number")
    )["last"]
    return (last or 0) + 1


def _local_date(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(moment) if moment else timezone.localdate()


def _target(council_id: int, relation: str, target_id: int | None) -> Resolution | None:
    if relation not in Relation.values:
        raise _invalid(_("Quan hệ với nghị quyết trước không hợp lệ."))
    if not relation:
        if target_id is not None:
            raise _invalid(_("Cần chọn sửa đổi hay bãi bỏ nghị quyết trước."))
        return None
    target = (
        Resolution.objects.select_for_update()
        .filter(pk=target_id or 0, council_id=council_id)
        .first()
    )
    if target is None:
        raise ServiceError(
            "resolution.target_invalid",
            _("Nghị quyết được sửa đổi hoặc bãi bỏ phải là nghị quyết của cùng hội đồng."),
        )
    if target.kind != Kind.RESOLUTION:
        raise ServiceError(
            "resolution.target_invalid",
            _("Chỉ sửa đổi, bổ sung hoặc bãi bỏ được một nghị quyết (không phải kết luận)."),
        )
    if target.status == Status.REPEALED:
        raise ServiceError(
            "resolution.target_invalid", _("Nghị quyết %(symbol)s đã bị bãi bỏ.")
            % {"symbol": target.symbol},
        )
    return target


def _adopt(
    *,
    actor: Actor,
    council_id: int,
    kind: str,
    title: str,
    adopted_on: datetime.date,
    number: int | None,
    relation: str,
    target_id: int | None,
    pdf: bytes | None,
    source: dict,
    checked: InspectedPdf | None = None,
    **links,
) -> Resolution:
    """The common part of every adoption; ``links`` are the model's source fields."""
    access.require_act(actor, access.ADD, council_id)
    title = (title or "").strip()
    if not title:
        raise _invalid(_("Cần nhập trích yếu của nghị quyết."))
    if kind not in Kind.values:
        raise _invalid(_("Loại văn bản không hợp lệ."))
    if number is not None and number <= 0:
        raise _invalid(_("Số nghị quyết phải là số dương."))
    checked = files.inspected(pdf, checked)
    try:
        with files.atomic_with_pdf(pdf, checked) as keep:
            council_lock(council_id)
            for field in ("poll_id", "consultation_id"):  # one resolution each, at most
                value = links.get(field)
                if value is not None and Resolution.objects.filter(**{field: value}).exists():
                    raise ServiceError(
                        "resolution.already_adopted",
                        _("Nội dung này đã được ban hành thành nghị quyết."),
                    )
            target = _target(council_id, relation, target_id)
            year = adopted_on.year
            resolution = Resolution(
                council_id=council_id,
                kind=kind,
                year=year,
                number=number or _next_number(council_id, kind, year),
                adopted_on=adopted_on,
                title=title[:500],
                relation=relation,
                target=target,
                signed_file=keep(),
                created_by=actor.user,
                **links,
            )
            with transaction.atomic():  # a savepoint: a number taken refuses cleanly
                resolution.save()
            if target is not None:
                target.status = Status.REPEALED if relation == Relation.REPEALS else Status.AMENDED
                target.save(update_fields=["status"])
            search_index.index_resolution(resolution)
            chain.append(
                council_id=council_id,
                action="resolution.adopt",
                actor=actor,
                resolution=resolution.pk,
                **facts(resolution),
                source=source,
            )
    except IntegrityError:
        raise ServiceError(
            "resolution.number_taken",
            _("Số %(number)s năm %(year)s đã được dùng cho một văn bản khác của hội đồng.")
            % {"number": number, "year": adopted_on.year},
        ) from None
    return resolution


def facts(resolution: Resolution) -> dict:
    """What the chain keeps of a resolution; ``resolutions.verify`` compares the table."""
    return {
        "kind": resolution.kind,
        "year": resolution.year,
        "number": resolution.number,
        "symbol": resolution.symbol,
        "title": resolution.title,
        "adopted_on": resolution.adopted_on.isoformat(),
        "relation": resolution.relation,
        "target": resolution.target_id,
        "poll": resolution.poll_id,
        "consultation": resolution.consultation_id,
        "session": resolution.session_id,
        "signed_sha256": resolution.signed_file_id,
    }


def resolution_from_poll(
    *,
    poll_id: int,
    title: str,
    actor: Actor,
    adopted_on: datetime.date | None = None,
    number: int | None = None,
    relation: str = "",
    target_id: int | None = None,
    pdf: bytes | None = None,
    checked: InspectedPdf | None = None,
) -> Resolution:
    """A resolution adopted by a poll that passed: linked to it and to its result's digest."""
    poll = Poll.objects.select_related("session").filter(pk=poll_id).first()
    if poll is None:
        raise ServiceError("poll.not_found", _("Không tìm thấy cuộc biểu quyết."))
    access.require_act(actor, access.ADD, poll.session.council_id)
    result = PollResult.objects.filter(poll=poll).first()
    if (
        poll.status not in (Poll.Status.CLOSED, Poll.Status.PUBLISHED)
        or result is None
        or result.void
        or not result.passed
    ):
        raise ServiceError(
            "resolution.poll_not_passed",
            _("Chỉ ban hành nghị quyết từ một biểu quyết đã kết thúc và được thông qua."),
        )
    return _adopt(
        actor=actor,
        council_id=poll.session.council_id,
        kind=Kind.RESOLUTION,
        title=title or poll.title,
        adopted_on=adopted_on or _local_date(poll.closed_at),
        number=number,
        relation=relation,
        target_id=target_id,
        pdf=pdf,
        checked=checked,
        source={"poll": poll.pk, "session": poll.session_id, "digest": result.digest},
        poll_id=poll.pk,
        session_id=poll.session_id,
    )


def resolution_from_consultation(
    *,
    consultation_id: int,
    title: str,
    actor: Actor,
    adopted_on: datetime.date | None = None,
    number: int | None = None,
    relation: str = "",
    target_id: int | None = None,
    pdf: bytes | None = None,
    checked: InspectedPdf | None = None,
) -> Resolution:
    """A resolution adopted by written consultation between sessions."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        raise ServiceError("consultation.not_found", _("Không tìm thấy đợt lấy ý kiến."))
    access.require_act(actor, access.ADD, consultation.council_id)
    if consultation.status != Consultation.Status.CLOSED or not consultation.passed:
        raise ServiceError(
            "resolution.consultation_not_adopted",
            _("Chỉ ban hành nghị quyết từ một đợt lấy ý kiến đã kết thúc và được tán thành."),
        )
    return _adopt(
        actor=actor,
        council_id=consultation.council_id,
        kind=Kind.RESOLUTION,
        title=title or consultation.title,
        adopted_on=adopted_on or _local_date(consultation.closed_at),
        number=number,
        relation=relation,
        target_id=target_id,
        pdf=pdf,
        checked=checked,
        source={"consultation": consultation.pk, "digest": consultation.digest},
        consultation_id=consultation.pk,
    )


def conclusion_record(
    *,
    session_id: int,
    title: str,
    actor: Actor,
    adopted_on: datetime.date | None = None,
    number: int | None = None,
    pdf: bytes | None = None,
    checked: InspectedPdf | None = None,
) -> Resolution:
    """A conclusion (kết luận) of a sitting that has opened."""
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        raise ServiceError("session.not_found", _("Không tìm thấy kỳ họp."))
    access.require_act(actor, access.ADD, session.council_id)
    if session.status in (Session.Status.DRAFT, Session.Status.SCHEDULED):
        raise ServiceError("session.not_live", _("Kỳ họp chưa khai mạc."))
    return _adopt(
        actor=actor,
        council_id=session.council_id,
        kind=Kind.CONCLUSION,
        title=title,
        adopted_on=adopted_on or timezone.localdate(),
        number=number,
        relation="",
        target_id=None,
        pdf=pdf,
        checked=checked,
        source={"session": session.pk},
        session_id=session.pk,
    )


def resolution_sign(
    *, resolution_id: int, pdf: bytes, actor: Actor, checked: InspectedPdf | None = None
) -> Resolution:
    """Attach the signed PDF (once: a signed copy is never replaced)."""
    resolution = Resolution.objects.filter(pk=resolution_id).first()
    if resolution is None:
        raise _not_found()
    access.require_act(actor, access.ADD, resolution.council_id)
    if not pdf:
        raise _invalid(_("Cần chọn tệp PDF đã ký."))
    checked = files.inspected(pdf, checked)
    with files.atomic_with_pdf(pdf, checked) as keep:
        council_lock(resolution.council_id)
        resolution = Resolution.objects.select_for_update().get(pk=resolution_id)
        if resolution.signed_file_id:
            raise ServiceError(
                "resolution.already_signed", _("Nghị quyết đã có bản ký, không thể thay thế.")
            )
        resolution.signed_file = keep()
        resolution.save(update_fields=["signed_file"])
        search_index.index_resolution(resolution)
        chain.append(
            council_id=resolution.council_id,
            action="resolution.sign",
            actor=actor,
            resolution=resolution.pk,
            signed_sha256=resolution.signed_file_id,
        )
    return resolution
