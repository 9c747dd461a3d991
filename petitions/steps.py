"""What every write of petitions shares (petitions.services, .grouping, .services_more): the
forward-only steps, the checks of text and dates, the lock, who handles a petition, and its
entry in the hash chain.

Who handles a petition: its own council — or, once a commune forwarded it to the city
(``to_city``), the city council (``Petition.handler``): from then on the city's staff forward
it to a city agency, the city agency answers, the city's staff inform and close, and the
commune reads every step without acting. Each step goes to the handling council's chain.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import council_log
from meeting.models import Agency
from petitions import access
from petitions.models import Petition, Status
from realtime.actors import Actor
from realtime.errors import ServiceError

MAX_TEXT = 10_000
# action: (the statuses it starts from, the status it leads to)
STEPS = {
    # From the city's queue (``to_city``): the city's staff forward it to a city agency.
    "forward": ((Status.RECEIVED, Status.TO_CITY), Status.FORWARDED),
    "to_city": ((Status.RECEIVED,), Status.TO_CITY),
    "start": ((Status.FORWARDED,), Status.IN_PROGRESS),
    "answer": ((Status.FORWARDED, Status.IN_PROGRESS), Status.ANSWERED),
    "inform": ((Status.ANSWERED,), Status.INFORMED),
    "close": ((Status.INFORMED,), Status.CLOSED),
}
# What a grouped petition copies from its consolidated petition.
FOLLOWED = [
    "status",
    "handler_id",
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


def handling_council(petition: Petition) -> int:
    return petition.handler_id or petition.council_id


def require_handler(actor: Actor, petition: Petition) -> None:
    """``actor`` is staff of the council handling ``petition``. The commune's staff, once the
    city handles it, read it and are told so; anyone else: not found."""
    editable = access.editable_councils(actor.user)
    if handling_council(petition) in editable:
        return
    if petition.handler_id and petition.council_id in editable:
        raise ServiceError(
            "petition.with_city",
            _("Kiến nghị này do HĐND thành phố xử lý: xã, phường theo dõi, không thao tác."),
        )
    raise access.not_found()


def _log(
    petition: Petition,
    action: str,
    actor: Actor,
    members: list[int],
    *,
    chain: int | None = None,
    **data,
) -> None:
    """The step in the chain of the council that took it (``chain``; by default the one
    handling the petition)."""
    council_log.append(
        council_id=chain or handling_council(petition),
        action=f"petition.{action}",
        actor=actor,
        petition=petition.pk,
        status=petition.status,
        **({"members": members} if members else {}),
        **data,
    )


def _officer_of(petition: Petition, actor: Actor) -> None:
    # An officer of another agency may not even learn that a petition of another council
    # exists: not found; addressed elsewhere in the same council's list: not addressed.
    from meeting.agencies import officer_agencies

    mine = officer_agencies(actor.user)
    if not Agency.objects.filter(pk__in=mine, council_id=handling_council(petition)).exists():
        raise access.not_found()
    access.require_officer(actor.user, petition.agency_id)
