"""The tablet's pass: badge sign-in state a socket can check without a query (issue 13).

A hall's morning is thousands of tablets connecting at once; each used to load its Django
session from the database, then its delegate, then the session's council, before anything
else. At the badge sign-in the browser now also gets this cookie, signed with the server's key
(``django.core.signing``, a salt of its own, HttpOnly, SameSite, as long-lived as the tablet's
session): the delegate, the council, a fingerprint of the badge key and the sign-in's Django
session key. The socket verifies the signature in memory (``pass_read``).

Revocation stays as strong as the query it replaces. Live sockets still close at once through
the delegate's group (meeting.revocation). A revoked pass — a re-issued badge, a sign-out, a
delegate moved to another council — is refused at its next connect by ``passes_check``, run
inside the presence batch the arrival writes anyway (meeting.presence), before anything of the
session reaches the socket and before it checks the delegate in: two queries per batch (the
delegates, the sign-ins still alive) instead of three per tablet, and never a cache that could
be a heartbeat late. Chosen over a per-process cache of revoked versions because that cache
would need a broadcast to every process and would still be stale between a revocation and its
arrival; the batch reads the database after the cookie was read.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from meeting.models import Delegate

PASS_COOKIE = "chamber_tablet"
SALT = "chamber.tablet-pass"
NOT_SIGNED_IN, FORBIDDEN = 4401, 4403


@dataclass(frozen=True)
class TabletPass:
    delegate_id: int
    council_id: int
    badge: str  # fingerprint of the badge key it was signed in with (not the key)
    device: str
    login: str  # the Django session of that sign-in: signing out ends it


def badge_fingerprint(badge_key: str) -> str:
    return salted_hmac(f"{SALT}.badge", badge_key, algorithm="sha256").hexdigest()[:24]


def pass_value(*, delegate: Delegate, device_id: str, login: str) -> str:
    data = {
        "d": delegate.pk,
        "c": delegate.council_id,
        "b": badge_fingerprint(delegate.badge_key),
        "v": device_id,
        "l": login,
    }
    return signing.dumps(data, salt=SALT, compress=False)


def pass_issue(response, *, delegate: Delegate, device_id: str, login: str) -> None:
    """Give the browser its pass (with the badge sign-in that just completed)."""
    response.set_cookie(
        PASS_COOKIE,
        pass_value(delegate=delegate, device_id=device_id, login=login),
        max_age=settings.SESSION_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def pass_forget(response) -> None:
    response.delete_cookie(PASS_COOKIE, samesite="Lax")


def pass_read(value: str | None) -> TabletPass | None:
    """The pass in a cookie, if the server signed it and it has not expired; no query."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
        return TabletPass(
            delegate_id=int(data["d"]),
            council_id=int(data["c"]),
            badge=str(data["b"]),
            device=str(data["v"]),
            login=str(data["l"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def pass_from_session(django_session) -> TabletPass | None:
    """A tablet signed in before passes existed: the same state from its Django session (a
    query); ``passes_check`` then holds it to the same rules."""
    delegate_id, badge_key = django_session.get("delegate_id"), django_session.get("badge_key")
    if not delegate_id or not badge_key:
        return None
    council_id = Delegate.objects.filter(pk=delegate_id).values_list("council_id", flat=True)
    return TabletPass(
        delegate_id=int(delegate_id),
        council_id=council_id.first() or 0,
        badge=badge_fingerprint(badge_key),
        device=django_session.get("device_id", ""),
        login=django_session.session_key or "",
    )


def holds(tablet_pass: TabletPass, delegate: Delegate | None) -> bool:
    return delegate is not None and hmac.compare_digest(
        badge_fingerprint(delegate.badge_key), tablet_pass.badge
    )


def passes_check(
    *, council_id: int, passes: Iterable[TabletPass]
) -> dict[TabletPass, Delegate | int]:
    """Each pass's delegate, or the close code that refuses it: the badge re-issued or the
    delegate gone, the sign-in ended (4401); a delegate of another council (4403). Two queries
    for all of them."""
    from django.contrib.sessions.models import Session as Login

    passes = list(passes)
    delegates = Delegate.objects.select_related("council").in_bulk(
        {p.delegate_id for p in passes}
    )
    logins = set(
        Login.objects.filter(
            session_key__in={p.login for p in passes}, expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    outcome: dict[TabletPass, Delegate | int] = {}
    for tablet_pass in passes:
        delegate = delegates.get(tablet_pass.delegate_id)
        if not holds(tablet_pass, delegate) or tablet_pass.login not in logins:
            outcome[tablet_pass] = NOT_SIGNED_IN
        elif delegate.council_id != council_id:
            outcome[tablet_pass] = FORBIDDEN
        else:
            outcome[tablet_pass] = delegate
    return outcome


def pass_still_holds(tablet_pass: TabletPass) -> bool:
    """Before a command (one query, as before): the badge is still the one signed in with."""
    return passes_still_hold([tablet_pass])[0]


def passes_still_hold(passes: list[TabletPass]) -> list[bool]:
    """The same for a batch of commands from many tablets (ballots), in one query."""
    delegates = Delegate.objects.only("badge_key").in_bulk({p.delegate_id for p in passes})
    return [holds(p, delegates.get(p.delegate_id)) for p in passes]
