"""Which councils a staff user acts for: every staff check goes through here.

A permission (``meeting.run_session``, ``meeting.print_badges`` …) counts for a council when
the user's Django groups grant it **and** the user holds, in that council, a role whose group
carries it (``Membership``). The Standing Committee's role (``standing``) also reaches every
council under its own. A superuser acts everywhere; an inactive account nowhere.
"""

from __future__ import annotations

from meeting.models import Council, Membership
from meeting.roles import ROLE_PERMISSIONS

# The roles whose reach goes down the council tree (read only: their group grants views).
REACHES_DOWN = {"standing"}


class Everywhere:
    """The scope of a superuser: every council."""

    def __contains__(self, council_id: object) -> bool:
        return True


EVERYWHERE = Everywhere()


def _roles_granting(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def _under(council_ids: set[int]) -> set[int]:
    """The councils and every council below them (two levels today; any depth here)."""
    found, frontier = set(council_ids), set(council_ids)
    while frontier:
        frontier = set(
            Council.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        ) - found
        found |= frontier
    return found


def councils_for(user, perm: str) -> set[int] | Everywhere:
    """The ids of the councils where ``user`` holds ``perm``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return EVERYWHERE
    if not user.has_perm(perm):
        return set()
    roles = _roles_granting(perm)
    held = Membership.objects.filter(user=user, role__in=roles).values_list("council_id", "role")
    direct = {council_id for council_id, role in held if role not in REACHES_DOWN}
    reaching = {council_id for council_id, role in held if role in REACHES_DOWN}
    return direct | (_under(reaching) if reaching else set())


def may(user, perm: str, council_id: int | None) -> bool:
    """Whether ``user`` holds ``perm`` for the council ``council_id``."""
    if council_id is None:
        return False
    return council_id in councils_for(user, perm)


def may_somewhere(user, perm: str) -> bool:
    scope = councils_for(user, perm)
    return isinstance(scope, Everywhere) or bool(scope)


def filter_councils(queryset, user, perm: str, path: str = "council_id"):
    """``queryset`` narrowed to rows whose council (``path``) is in the user's scope."""
    scope = councils_for(user, perm)
    if isinstance(scope, Everywhere):
        return queryset
    return queryset.filter(**{f"{path}__in": scope})
