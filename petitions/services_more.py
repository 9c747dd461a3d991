"""Writes around the handling: an agency's request for more time, the council's decision, and
the record of a meeting with voters. Same rules as petitions.services."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import InspectedPdf, inspect_pdf, stored_file_discard, stored_file_save
from meeting import council_log
from meeting.models import Delegate
from petitions import access
from petitions.models import WITH_AGENCY, Extension, VoterMeeting
from petitions.steps import _int, _locked, _log, _officer_of, _save_and_follow, require_handler
from realtime.actors import Actor
from realtime.errors import ServiceError


def extension_request(*, petition_id, due_date: date | None, reason: str, actor: Actor):
    """The agency's officer asks for a later due date; the council decides."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("extension.reason_required", _("Cần nêu lý do đề nghị gia hạn."))
    with transaction.atomic():
        petition = _locked(petition_id)
        _officer_of(petition, actor)
        if petition.group_id is not None or petition.status not in WITH_AGENCY:
            raise ServiceError(
                "petition.bad_status",
                _("Chỉ đề nghị gia hạn kiến nghị đang chờ cơ quan trả lời."),
            )
        if due_date is None or petition.due_date is None or due_date <= petition.due_date:
            raise ServiceError("extension.bad_date", _("Hạn đề nghị phải sau hạn hiện tại."))
        if petition.extensions.filter(decision=Extension.Decision.PENDING).exists():
            raise ServiceError(
                "extension.pending", _("Đã có một đề nghị gia hạn đang chờ quyết định.")
            )
        extension = Extension.objects.create(
            petition=petition,
            requested_by=actor.user,
            requested_at=timezone.now(),
            reason=reason[:2000],
            previous_due=petition.due_date,
            requested_due=due_date,
        )
        _log(petition, "extension_request", actor, [], extension=extension.pk, due_date=due_date)
    return extension


def extension_decide(*, extension_id, accept: bool, actor: Actor) -> Extension:
    """The council accepts (the due date moves, for the grouped petitions too) or refuses."""
    with transaction.atomic():
        extension = Extension.objects.select_for_update().filter(pk=_int(extension_id)).first()
        if extension is None:
            raise access.not_found()
        petition = _locked(extension.petition_id)
        require_handler(actor, petition)
        if extension.decision != Extension.Decision.PENDING:
            raise ServiceError("extension.decided", _("Đề nghị gia hạn này đã được quyết định."))
        extension.decision = Extension.Decision.ACCEPTED if accept else Extension.Decision.REFUSED
        extension.decided_by, extension.decided_at = actor.user, timezone.now()
        extension.save(update_fields=["decision", "decided_by", "decided_at"])
        members = []
        if accept and petition.status in WITH_AGENCY:
            petition.due_date = extension.requested_due
            members = _save_and_follow(petition, ["due_date"])
        _log(
            petition,
            "extension_accept" if accept else "extension_refuse",
            actor,
            members,
            extension=extension.pk,
            due_date=petition.due_date,
        )
    return extension


def voter_meeting_create(
    *,
    council_id: int,
    held_on: date | None,
    place: str,
    actor: Actor,
    delegate_ids: list | None = None,
    voter_count=0,
    data: bytes | None = None,
    inspected: InspectedPdf | None = None,
) -> VoterMeeting:
    """Record a meeting with voters; its minutes (a PDF) through the documents' intake."""
    access.require_staff(actor.user, council_id)
    place = (place or "").strip()
    if not place:
        raise ServiceError("voter_meeting.place_required", _("Cần nhập địa điểm tiếp xúc."))
    if held_on is None or held_on > timezone.localdate():
        raise ServiceError("petition.bad_date", _("Ngày không hợp lệ."))
    count = _int(voter_count)
    if count < 0 or count > 100_000:
        raise ServiceError("voter_meeting.bad_count", _("Số cử tri không hợp lệ."))
    wanted = {_int(pk) for pk in delegate_ids or []} - {0}
    delegates = list(Delegate.objects.filter(pk__in=wanted, council_id=council_id))
    if len(delegates) != len(wanted):
        raise ServiceError(
            "voter_meeting.delegate_unknown", _("Đại biểu không thuộc hội đồng này.")
        )
    if data is not None and inspected is None:
        inspected = inspect_pdf(data)
    wrote = False
    try:
        with transaction.atomic():
            stored = None
            if inspected is not None:
                stored, wrote = stored_file_save(inspected=inspected, data=data)
            meeting = VoterMeeting.objects.create(
                council_id=council_id,
                held_on=held_on,
                place=place[:300],
                voter_count=count,
                minutes=stored,
                created_by=actor.user,
            )
            meeting.delegates.set(delegates)
            council_log.append(
                council_id=council_id,
                action="voter_meeting.create",
                actor=actor,
                meeting=meeting.pk,
                held_on=held_on,
                place=meeting.place,
                delegates=sorted(d.pk for d in delegates),
                voter_count=count,
                minutes_sha256=stored.sha256 if stored else None,
            )
    except BaseException:
        if wrote:
            stored_file_discard(inspected)
        raise
    return meeting
