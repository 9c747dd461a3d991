"""Every write of petitions: entry, consolidation, and the forward-only handling.

received → forwarded (to an agency of the council's list, with a due date) → being handled →
answered (by the agency's officer: text and a PDF) → voters informed → closed; or, from
received, forwarded to the city council, whose staff then forward it to a city agency and
take it the same way to the end (petitions.steps: who handles a petition). A consolidated
petition moves once and every petition grouped under it follows in the same transaction; a
grouped petition never moves alone (consolidation: petitions.grouping). Each step is one
transaction, appended to the handling council's hash chain (meeting.council_log) with who and
when — never the voter's name or address. Bad input raises ``ServiceError`` and changes
nothing. Extensions and meetings with voters: petitions.services_more.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from documents.services import InspectedPdf, inspect_pdf, stored_file_discard, stored_file_save
from meeting.models import Agency, Council
from petitions import access, search_index
from petitions.grouping import petition_ungroup as petition_ungroup  # every write in reach
from petitions.grouping import petitions_group as petitions_group
from petitions.models import Field, Petition, VoterMeeting
from petitions.steps import (
    _check_step,
    _day,
    _int,
    _locked,
    _log,
    _officer_of,
    _save_and_follow,
    _text,
    digest,
    handling_council,
    require_handler,
)
from realtime.actors import Actor
from realtime.errors import ServiceError
from search.folding import fold


def _field(council_id: int, field_id) -> Field:
    found = Field.objects.filter(pk=_int(field_id), council_id=council_id, active=True).first()
    if found is None:
        raise ServiceError("field.unknown", _("Lĩnh vực không có trong danh sách của hội đồng."))
    return found


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


def petition_forward(
    *, petition_id, agency_id, due_date: date | None, actor: Actor, on: date | None = None
) -> Petition:
    with transaction.atomic():
        petition = _locked(petition_id)
        require_handler(actor, petition)
        target = _check_step(petition, "forward")
        agency = Agency.objects.filter(
            pk=_int(agency_id), council_id=handling_council(petition), active=True
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
    """Beyond the commune's competence: forwarded to the city council above, which handles it
    from now on (petitions.steps) while the commune follows it."""
    with transaction.atomic():
        petition = _locked(petition_id)
        require_handler(actor, petition)
        petition.status = _check_step(petition, "to_city")
        city = Council.objects.filter(pk=petition.council_id).values_list("parent_id").get()[0]
        if city is None:
            raise ServiceError("petition.no_city", _("Hội đồng này không có HĐND cấp trên."))
        petition.handler_id = city
        members = _save_and_follow(petition, ["status", "handler"])
        _log(
            petition,
            "to_city",
            actor,
            members,
            chain=petition.council_id,
            city=city,
            reason=(reason or "").strip()[:500],
        )
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
        require_handler(actor, petition)
        petition.status = _check_step(petition, "inform")
        petition.informed_on = _day(on, not_before=petition.answered_on)
        members = _save_and_follow(petition, ["status", "informed_on"])
        _log(petition, "inform", actor, members, on=petition.informed_on)
    return petition


def petition_close(*, petition_id, actor: Actor, on: date | None = None) -> Petition:
    with transaction.atomic():
        petition = _locked(petition_id)
        require_handler(actor, petition)
        petition.status = _check_step(petition, "close")
        petition.closed_on = _day(on, not_before=petition.informed_on)
        members = _save_and_follow(petition, ["status", "closed_on"])
        _log(petition, "close", actor, members, on=petition.closed_on)
    return petition
