"""Every write of petitions: entry, consolidation, and the forward-only handling.

received → forwarded (to an agency of the council's list, with a due date) → being handled →
answered (by the agency's officer: text and a PDF) → voters informed → closed; or, from
received, forwarded to the city council. A consolidated petition moves once and every petition
grouped under it follows in the same transaction; a grouped petition never moves alone.
Each step is one transaction, appended to the council's hash chain (meeting.council_log) with
who and when — never the voter's name or address. Bad input raises ``ServiceError`` and
changes nothing. Extensions and meetings with voters: petitions.services_more.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import InspectedPdf, inspect_pdf, stored_file_discard, stored_file_save
from meeting import council_log
from meeting.models import Agency
from petitions import access, search_index
from petitions.models import Field, Petition, Status, VoterMeeting
from realtime.actors import Actor
from realtime.errors import ServiceError
from search.folding import fold

MAX_TEXT = 10_000
# action: (the statuses it starts from, the status it leads to)
STEPS = {
    "forward": ((Status.RECEIVED,), Status.FORWARDED),
    "to_city": ((Status.RECEIVED,), Status.TO_CITY),
    "start": ((Status.FORWARDED,), Status.IN_PROGRESS),
    "answer": ((Status.FORWARDED, Status.IN_PROGRESS), Status.ANSWERED),
    "inform": ((Status.ANSWERED,), Status.INFORMED),
    "close": ((Status.INFORMED,), Status.CLOSED),
}
# What a grouped petition copies from its consolidated petition.
FOLLOWED = [
    "status",
    "agency_id",
    "due_date",
    "forwarded_on",
    "answer_text",
    "answer_file_id",
    "answered_on",
    "answered_by_id",
    "informed_on",
    "closed_on",
]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _text(text: str | None, code: str = "petition.text_required") -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(code, _("Cần nhập nội dung."))
    if len(text) > MAX_TEXT:
        raise ServiceError(
            "petition.text_too_long", _("Nội dung dài quá %(n)d ký tự.") % {"n": MAX_TEXT}
        )
    return text


def _day(on: date | None, *, not_before: date | None = None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today or (not_before is not None and on < not_before):
        raise ServiceError("petition.bad_date", _("Ngày không hợp lệ."))
    return on


def _field(council_id: int, field_id) -> Field:
    found = Field.objects.filter(pk=_int(field_id), council_id=council_id, active=True).first()
    if found is None:
        raise ServiceError("field.unknown", _("Lĩnh vực không có trong danh sách của hội đồng."))
    return found


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _locked(petition_id) -> Petition:
    found = Petition.objects.select_for_update().filter(pk=_int(petition_id)).first()
    if found is None:
        raise access.not_found()
    return found


def _check_step(petition: Petition, action: str) -> Status:
    if petition.group_id is not None:
        raise ServiceError(
            "petition.grouped",
            _("Kiến nghị này đã được gộp: xử lý theo kiến nghị tổng hợp #%(id)d.")
            % {"id": petition.group_id},
        )
    starts, target = STEPS[action]
    if petition.status not in starts:
        raise ServiceError(
            "petition.bad_status",
            _("Kiến nghị đang ở trạng thái “%(status)s”: không thể chuyển sang “%(target)s”.")
            % {"status": petition.get_status_display(), "target": Status(target).label},
        )
    return target


def _save_and_follow(petition: Petition, fields: list[str]) -> list[int]:
    """Save the petition's handling fields; its grouped petitions copy them."""
    petition.save(update_fields=[*fields, "updated_at"])
    if not petition.is_group:
        return []
    values = {name: getattr(petition, name) for name in FOLLOWED}
    members = list(petition.members.values_list("pk", flat=True))
    Petition.objects.filter(group=petition).update(**values, updated_at=timezone.now())
    return members


def _log(petition: Petition, action: str, actor: Actor, members: list[int], **data) -> None:
    council_log.append(
        council_id=petition.council_id,
        action=f"petition.{action}",
        actor=actor,
        petition=petition.pk,
        status=petition.status,
        **({"members": members} if members else {}),
        **data,
    )


def petition_create(
    *,
    council_id: int,
    text: str,
    field_id,
    source: str,
    actor: Actor,
    received_on: date | None = None,
    place: str = "",
    voter_name: str = "",
    voter_address: str = "",
    meeting_id=None,
) -> Petition:
    access.require_staff(actor.user, council_id)
    text = _text(text)
    if source not in Petition.Source.values or source == Petition.Source.CONSOLIDATED:
        raise ServiceError("petition.bad_source", _("Nguồn kiến nghị không hợp lệ."))
    with transaction.atomic():
        field = _field(council_id, field_id)
        meeting = None
        if meeting_id:
            meeting = VoterMeeting.objects.filter(
                pk=_int(meeting_id), council_id=council_id
            ).first()
            if meeting is None:
                raise ServiceError(
                    "voter_meeting.not_found", _("Không tìm thấy cuộc tiếp xúc cử tri.")
                )
        received_on = _day(received_on or (meeting.held_on if meeting else None))
        petition = Petition.objects.create(
            council_id=council_id,
            text=text,
            folded=fold(text),
            field=field,
            place=(place or "").strip()[:300],
            source=source,
            meeting=meeting,
            received_on=received_on,
            voter_name=(voter_name or "").strip()[:200],
            voter_address=(voter_address or "").strip()[:300],
            created_by=actor.user,
        )
        _log(
            petition,
            "create",
            actor,
            [],
            text_sha256=digest(text),
            field=field.pk,
            source=source,
            meeting=meeting.pk if meeting else None,
            received_on=received_on,
        )
        search_index.index_petitions([petition])
    return petition


def petitions_group(
    *,
    council_id: int,
    petition_ids: list,
    actor: Actor,
    text: str | None = None,
    group_id=None,
) -> Petition:
    """Group received petitions under one consolidated petition (a new one, or ``group_id``):
    it is forwarded and answered once; they follow it."""
    access.require_staff(actor.user, council_id)
    ids = sorted({_int(pk) for pk in petition_ids} - {0, _int(group_id)})
    if len(ids) < (1 if group_id else 2):
        raise ServiceError("group.too_small", _("Chọn ít nhất hai kiến nghị để gộp."))
    with transaction.atomic():
        petitions = list(Petition.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(petitions) != len(ids) or any(p.council_id != council_id for p in petitions):
            raise access.not_found()
        for petition in petitions:
            if petition.is_group or petition.group_id is not None:
                raise ServiceError(
                    "petition.grouped", _("Kiến nghị #%(id)d đã được gộp.") % {"id": petition.pk}
                )
            if petition.status != Status.RECEIVED:
                raise ServiceError(
                    "group.not_received",
                    _("Chỉ gộp được kiến nghị chưa chuyển đi (#%(id)d đã xử lý).")
                    % {"id": petition.pk},
                )
        if group_id:
            group = _locked(group_id)
            if group.council_id != council_id:
                raise access.not_found()
            if not group.is_group or group.status not in (*STEPS["answer"][0], Status.RECEIVED):
                raise ServiceError(
                    "group.closed", _("Kiến nghị tổng hợp này không nhận thêm kiến nghị.")
                )
            action = "group_add"
        else:
            first = petitions[0]
            group_text = _text(text) if text else first.text
            group = Petition.objects.create(
                council_id=council_id,
                text=group_text,
                folded=fold(group_text),
                field=first.field,
                place=first.place,
                source=Petition.Source.CONSOLIDATED,
                received_on=min(p.received_on for p in petitions),
                created_by=actor.user,
            )
            action = "group"
            search_index.index_petitions([group])
        values = {name: getattr(group, name) for name in FOLLOWED}
        Petition.objects.filter(pk__in=ids).update(group=group, **values)
        search_index.index_answers(ids)
        _log(group, action, actor, ids, text_sha256=digest(group.text))
    return group


def petition_forward(
    *, petition_id, agency_id, due_date: date | None, actor: Actor, on: date | None = None
) -> Petition:
    with transaction.atomic():
        petition = _locked(petition_id)
        access.require_staff(actor.user, petition.council_id)
        target = _check_step(petition, "forward")
        agency = Agency.objects.filter(
            pk=_int(agency_id), council_id=petition.council_id, active=True
        ).first()
        if agency is None:
            raise ServiceError(
                "agency.unknown", _("Cơ quan không có trong danh sách của hội đồng.")
            )
        on = _day(on, not_before=petition.received_on)
        if due_date is None or due_date <= on:
            raise ServiceError(
                "petition.bad_due_date", _("Hạn trả lời phải sau ngày chuyển kiến nghị.")
            )
        petition.status, petition.agency, petition.due_date = target, agency, due_date
        petition.forwarded_on = on
        members = _save_and_follow(petition, ["status", "agency", "due_date", "forwarded_on"])
        _log(petition, "forward", actor, members, agency=agency.pk, due_date=due_date, on=on)
    return petition


def petition_to_city(*, petition_id, actor: Actor, reason: str = "") -> Petition:
    """Beyond the commune's competence: forwarded to the city council, which sees it."""
    with transaction.atomic():
        petition = _locked(petition_id)
        access.require_staff(actor.user, petition.council_id)
        petition.status = _check_step(petition, "to_city")
        members = _save_and_follow(petition, ["status"])
        _log(petition, "to_city", actor, members, reason=(reason or "").strip()[:500])
    return petition


def petition_start(*, petition_id, actor: Actor) -> Petition:
    """The agency's officer takes the petition in hand (being handled)."""
    with transaction.atomic():
        petition = _locked(petition_id)
        _officer_of(petition, actor)
        petition.status = _check_step(petition, "start")
        members = _save_and_follow(petition, ["status"])
        _log(petition, "start", actor, members)
    return petition


def _officer_of(petition: Petition, actor: Actor) -> None:
    # An officer of another agency may not even learn that a petition of another council
    # exists: not found; addressed elsewhere in the same council's list: not addressed.
    from meeting.agencies import officer_agencies

    mine = officer_agencies(actor.user)
    if not Agency.objects.filter(pk__in=mine, council_id=petition.council_id).exists():
        raise access.not_found()
    access.require_officer(actor.user, petition.agency_id)


def petition_answer(
    *,
    petition_id,
    text: str,
    actor: Actor,
    data: bytes | None = None,
    inspected: InspectedPdf | None = None,
    on: date | None = None,
) -> Petition:
    """The agency's answer: text, and a PDF (checked by the documents' intake) if given."""
    text = _text(text, "answer.text_required")
    with transaction.atomic():
        # Check what can be checked before the PDF's intake (seconds): refuse early.
        petition = _locked(petition_id)
        _officer_of(petition, actor)
        target = _check_step(petition, "answer")
    if data is not None and inspected is None:
        inspected = inspect_pdf(data)
    wrote = False
    try:
        with transaction.atomic():
            petition = _locked(petition_id)
            _officer_of(petition, actor)
            target = _check_step(petition, "answer")
            stored = None
            if inspected is not None:
                stored, wrote = stored_file_save(inspected=inspected, data=data)
            petition.status, petition.answer_text, petition.answer_file = target, text, stored
            petition.answered_on = _day(on, not_before=petition.forwarded_on)
            petition.answered_by = actor.user
            members = _save_and_follow(
                petition, ["status", "answer_text", "answer_file", "answered_on", "answered_by"]
            )
            _log(
                petition,
                "answer",
                actor,
                members,
                agency=petition.agency_id,
                text_sha256=digest(text),
                file_sha256=stored.sha256 if stored else None,
                on=petition.answered_on,
                due_date=petition.due_date,
            )
            search_index.index_answers([petition.pk, *members])
    except BaseException:
        if wrote:
            stored_file_discard(inspected)
        raise
    return petition


def petition_inform(*, petition_id, actor: Actor, on: date | None = None) -> Petition:
    """The council told the voters the answer."""
    with transaction.atomic():
        petition = _locked(petition_id)
        access.require_staff(actor.user, petition.council_id)
        petition.status = _check_step(petition, "inform")
        petition.informed_on = _day(on, not_before=petition.answered_on)
        members = _save_and_follow(petition, ["status", "informed_on"])
        _log(petition, "inform", actor, members, on=petition.informed_on)
    return petition


def petition_close(*, petition_id, actor: Actor, on: date | None = None) -> Petition:
    with transaction.atomic():
        petition = _locked(petition_id)
        access.require_staff(actor.user, petition.council_id)
        petition.status = _check_step(petition, "close")
        petition.closed_on = _day(on, not_before=petition.informed_on)
        members = _save_and_follow(petition, ["status", "closed_on"])
        _log(petition, "close", actor, members, on=petition.closed_on)
    return petition
