"""Who may do what here, on top of meeting.scope.

Reading follows the scope as it is: a role reads its council, and the Standing Committee
(``standing``) every council under its own. Acting does not reach down: the city's Standing
Committee sends consultations to the city's delegates, a commune's to the commune's; a role
acts only in the council it holds (``may_act``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from meeting.models import Membership
from meeting.roles import ROLE_PERMISSIONS
from meeting.scope import may
from realtime.actors import Actor
from realtime.errors import ServiceError

VIEW = "resolutions.view_resolution"
ADD = "resolutions.add_resolution"
CONSULT = "resolutions.add_consultation"
VIEW_CONSULTATION = "resolutions.view_consultation"


def may_act(user, perm: str, council_id: int | None) -> bool:
    """``perm`` in ``council_id`` through a role held in that very council."""
    if council_id is None or user is None or not may(user, perm, council_id):
        return False
    if user.is_superuser:
        return True
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
    return Membership.objects.filter(user=user, council_id=council_id, role__in=roles).exists()


def forbidden() -> ServiceError:
    return ServiceError("command.forbidden", _("Bạn không có quyền thực hiện thao tác này."))


def require_act(actor: Actor, perm: str, council_id: int) -> None:
    if actor.user is None or not may_act(actor.user, perm, council_id):
        raise forbidden()


def require_read(user, perm: str, council_id: int) -> None:
    if not may(user, perm, council_id):
        raise forbidden()
