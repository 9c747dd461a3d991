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
