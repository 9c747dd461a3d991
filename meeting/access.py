"""Who may open which screen of which session. Each returns None (allowed) or a close code."""

from __future__ import annotations

import hmac

from meeting.models import Delegate, Session

NOT_SIGNED_IN, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404


def projector_access(*, session_id: int, key: str, user) -> int | None:
    session = Session.objects.filter(pk=session_id).only("projector_key").first()
    if session is None:
        return NOT_FOUND
    if user is not None and user.is_authenticated and user.has_perm("meeting.run_session"):
        return None
    if key and hmac.compare_digest(key, session.projector_key):
        return None
    return FORBIDDEN


def chair_access(*, session_id: int, user) -> int | None:
    if user is None or not user.is_authenticated:
        return NOT_SIGNED_IN
    if not user.has_perm("meeting.run_session"):
        return FORBIDDEN
    if not Session.objects.filter(pk=session_id).exists():
        return NOT_FOUND
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


def tablet_access(*, session_id: int, django_session) -> tuple[int | None, Delegate | None]:
    delegate = signed_in_delegate(django_session)
    if delegate is None:
        return NOT_SIGNED_IN, None
    council_id = Session.objects.filter(pk=session_id).values_list("council_id", flat=True).first()
    if council_id is None:
        return NOT_FOUND, None
    if council_id != delegate.council_id:
        return FORBIDDEN, None
    return None, delegate
