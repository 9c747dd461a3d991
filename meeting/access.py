"""Who may open which screen of which session. Each returns None (allowed) or a close code."""

from __future__ import annotations

import hmac

from meeting.models import Delegate, Session
from meeting.scope import may

NOT_SIGNED_IN, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404


def projector_access(*, session_id: int, key: str, user) -> int | None:
    session = Session.objects.filter(pk=session_id).only("projector_key", "council_id").first()
    if session is None:
        return NOT_FOUND
    if may(user, "meeting.run_session", session.council_id):
        return None
    if key and hmac.compare_digest(key, session.projector_key):
        return None
    return FORBIDDEN


def chair_access(*, session_id: int, user) -> int | None:
    if user is None or not user.is_authenticated:
        return NOT_SIGNED_IN
    council_id = Session.objects.filter(pk=session_id).values_list("council_id", flat=True).first()
    if council_id is None:
        return NOT_FOUND
    # The role must belong to the session's council (meeting.scope), not just exist.
    if not may(user, "meeting.run_session", council_id):
        return FORBIDDEN
    return None


def signed_in_delegate(django_session) -> Delegate | None:
    """The delegate a browser signed in as with their badge, unless the badge was re-issued."""
    delegate_id = django_session.get("delegate_id")
    badge_key = django_session.get("badge_key")
    if not delegate_id or not badge_key:
        return None
    delegate = Delegate.objects.select_related("council").filter(pk=delegate_id).first()
    if delegate is None or not hmac.compare_digest(delegate.badge_key, badge_key):
        return None
    return delegate


# A tablet's socket: meeting.tablet_pass (its pass, checked with the arrival's presence batch).


def console_still_allowed(*, session_id: int, user_id: int, session_key: str | None) -> int | None:
    """Re-check a console socket before a command: None, or the close code.

    The login must still exist (not logged out or expired), for the same active user, with the
    same password (Django's session hash), and the user must still hold the role in the
    session's council (meeting.scope).
    """
    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.crypto import constant_time_compare
    from django.utils.module_loading import import_string

    if not session_key:
        return NOT_SIGNED_IN
    store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    data = store.load()
    if str(data.get(SESSION_KEY)) != str(user_id):
        return NOT_SIGNED_IN
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    ):
        return NOT_SIGNED_IN
    council_id = Session.objects.filter(pk=session_id).values_list("council_id", flat=True).first()
    if not may(user, "meeting.run_session", council_id):
        return FORBIDDEN
    return None


# What ``consoles_still_allowed`` reads in one statement for many consoles: the login (unexpired),
# the active user, the session's council, whether the user's Django permissions (ModelBackend:
# their own or their groups') grant running a session, and whether they hold a role granting it
# in that council itself — or one reaching down from above (then meeting.scope decides).
_CONSOLES = """
WITH c (i, session_id, user_id, session_key) AS (VALUES {values})
SELECT c.i, ds.session_data, u.id, u.password, u.is_superuser, s.council_id,
       EXISTS (SELECT 1 FROM auth_user_user_permissions up
               WHERE up.user_id = u.id AND up.permission_id = p.id)
       OR EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group_permissions gp
                  ON gp.group_id = ug.group_id
                  WHERE ug.user_id = u.id AND gp.permission_id = p.id),
       EXISTS (SELECT 1 FROM meeting_membership m WHERE m.user_id = u.id
               AND m.council_id = s.council_id AND m.role IN ({direct})),
       EXISTS (SELECT 1 FROM meeting_membership m WHERE m.user_id = u.id
               AND m.role IN ({reaching}))
FROM c
LEFT JOIN django_session ds ON ds.session_key = c.session_key AND ds.expire_date > %s
LEFT JOIN auth_user u ON u.id = c.user_id AND u.is_active
LEFT JOIN meeting_session s ON s.id = c.session_id
LEFT JOIN auth_permission p ON p.codename = 'run_session' AND p.content_type_id = (
    SELECT id FROM django_content_type WHERE app_label = 'meeting' AND model = 'session')
"""
_BACKENDS = [
    "meeting.staff_login.LockoutBackend",  # authenticates only; grants no permission
    "django.contrib.auth.backends.ModelBackend",
]


def consoles_still_allowed(consoles: list[tuple[int, int, str | None]]) -> list[int | None]:
    """``console_still_allowed`` of many consoles ``(session_id, user_id, session_key)`` in
    one statement (a batch of their commands; each console's own before each command): the
    same answers, without the six ORM queries each (bench.steps: 80% of a batch of agenda
    steps was those). Any setup this does not know (another session engine or permission
    backend, a custom user model) is left to the one-by-one check."""
    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    from meeting.scope import REACHES_DOWN, _roles_granting

    if (
        settings.SESSION_ENGINE != "django.contrib.sessions.backends.db"
        or list(settings.AUTHENTICATION_BACKENDS) != _BACKENDS
        or settings.AUTH_USER_MODEL != "auth.User"
    ):
        return [
            console_still_allowed(session_id=s, user_id=u, session_key=k) for s, u, k in consoles
        ]
    codes: list[int | None] = [NOT_SIGNED_IN] * len(consoles)
    asked = [(i, s, u, k) for i, (s, u, k) in enumerate(consoles) if k]
    if not asked:
        return codes
    roles = _roles_granting("meeting.run_session")
    direct = [role for role in roles if role not in REACHES_DOWN]
    reaching = [role for role in roles if role in REACHES_DOWN] or [""]
    sql = _CONSOLES.format(
        values=", ".join(["(%s, %s, %s, %s)"] * len(asked)),
        direct=", ".join(["%s"] * len(direct)),
        reaching=", ".join(["%s"] * len(reaching)),
    )
    # The parameters in the statement's order: the VALUES, the roles, then the expiry.
    params = [v for row in asked for v in row] + direct + reaching
    params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    store = SessionStore()
    for i, data, user_id, password, superuser, council_id, perm, held, reaches in rows:
        user_key = consoles[i][1]
        login = store.decode(data) if data is not None else {}
        if str(login.get(SESSION_KEY)) != str(user_key) or user_id is None:
            continue
        user = User(pk=user_id, password=password)
        if not constant_time_compare(login.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
            continue
        if council_id is None:
            codes[i] = FORBIDDEN
        elif superuser or (perm and held):
            codes[i] = None
        elif perm and reaches:
            # A role reaching down from a council above (none runs a sitting today).
            codes[i] = console_still_allowed(
                session_id=consoles[i][0], user_id=user_key, session_key=consoles[i][2]
            )
        else:
            codes[i] = FORBIDDEN
    return codes
