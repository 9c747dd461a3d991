"""Who sees and does what with petitions (every view and service asks here).

* **Staff of a council** (clerk, secretary: ``petitions.change_petition`` in that council,
  meeting.scope) enter and move its petitions.
* **Readers** (``petitions.view_petition``): the council's own roles, and the Standing
  Committee of a council above (the city reads every commune, read only).
* **Personal data** (the voter's name and address): only roles held *in that very council*
  with ``petitions.view_voter`` — the reach of the Standing Committee down the tree does not
  carry it: the city reads a commune's petitions without its voters' names.
* **Agency officers** (meeting.agencies) see and answer only the petitions addressed to their
  agency, never a voter's name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from meeting.agencies import officer_agencies
from meeting.models import Membership
from meeting.roles import ROLE_PERMISSIONS
from meeting.scope import EVERYWHERE, Everywhere, councils_for
from realtime.errors import ServiceError

EDIT = "petitions.change_petition"
READ = "petitions.view_petition"
PERSONAL = "petitions.view_voter"


def editable_councils(user) -> set[int] | Everywhere:
    return councils_for(user, EDIT)


def readable_councils(user) -> set[int] | Everywhere:
    edit, read = councils_for(user, EDIT), councils_for(user, READ)
    if isinstance(edit, Everywhere) or isinstance(read, Everywhere):
        return EVERYWHERE
    return edit | read


def personal_data_councils(user) -> set[int] | Everywhere:
    """The councils whose voters' names ``user`` may read: own roles only, no reach down."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return EVERYWHERE
    if not user.has_perm(PERSONAL):
        return set()
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if PERSONAL in perms]
    return set(
        Membership.objects.filter(user=user, role__in=roles).values_list("council_id", flat=True)
    )


def sees_personal_data(user, council_id: int) -> bool:
    return council_id in personal_data_councils(user)


def not_found() -> ServiceError:
    # The same answer for a petition that does not exist and one of another council.
    return ServiceError("petition.not_found", _("Không tìm thấy kiến nghị."))


def require_staff(user, council_id: int) -> None:
    if council_id not in editable_councils(user):
        raise not_found()


def require_officer(user, agency_id: int | None) -> None:
    """The user answers for the agency the petition is addressed to."""
    if agency_id is None or agency_id not in officer_agencies(user):
        raise ServiceError(
            "petition.not_addressed",
            _("Kiến nghị này không được chuyển đến cơ quan của bạn."),
        )
