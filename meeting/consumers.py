"""The three screens' WebSocket consumers: who may connect, the groups each joins, who it acts
as, and the tablet's presence.

They are meeting's because meeting owns councils, seats and presence; the machinery (commands,
answers, snapshots, the fan-out) is realtime's base consumer (realtime.consumers), and what each
screen may send and what its snapshot holds is what the apps registered (realtime.registry).
chamber.routing gives each its URL.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from meeting import selectors, services
from meeting.access import (
    NOT_SIGNED_IN,
    chair_access,
    consoles_still_allowed,
    projector_access,
)
from meeting.models import Delegate
from meeting.presence import Arrival, PresenceChange, presence_change
from meeting.tablet_pass import (
    PASS_COOKIE,
    TabletPass,
    pass_from_session,
    pass_read,
    pass_still_holds,
    passes_still_hold,
)
from realtime import coalesce
from realtime.actors import SYSTEM, Actor
from realtime.consumers import ScreenConsumer
from realtime.errors import AccessRevoked
from realtime.fanout import on_heartbeat
from realtime.groups import (
    chair_groups,
    login_group,
    projector_groups,
    tablet_groups,
    user_group,
)
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer


class ProjectorConsumer(ScreenConsumer):
    screen = PROJECTOR

    @database_sync_to_async
    def authorise(self) -> int | None:

        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("key") or [""])[0]
        return projector_access(session_id=self.session_id, key=key, user=self.scope.get("user"))

    def fanout_groups(self) -> list[str]:
        return projector_groups(self.session_id)

    def viewer(self) -> Viewer:
        return Viewer(session=selectors.session_by_id(self.session_id), screen=PROJECTOR)

    def actor(self):
        return SYSTEM


class TabletConsumer(ScreenConsumer):
    """A delegate's tablet. Its socket is authenticated by the pass the badge sign-in gave
    (meeting.tablet_pass) without a query; the arrival's presence batch then checks that the
    pass still holds and loads the delegate, before the snapshot and the check-in."""

    screen = TABLET
    credential: TabletPass | None = None
    refused = False

    async def authorise(self) -> int | None:
        cookies = self.scope.get("cookies", {})
        self.credential = pass_read(cookies.get(PASS_COOKIE))
        if self.credential is None and cookies.get(settings.SESSION_COOKIE_NAME):
            self.credential = await database_sync_to_async(self._signed_in_before_passes)(
                cookies[settings.SESSION_COOKIE_NAME]
            )
        if self.credential is None:
            return NOT_SIGNED_IN
        # A stand-in until the presence batch loads the delegate (on_joined).
        self.delegate = Delegate(
            pk=self.credential.delegate_id, council_id=self.credential.council_id
        )
        return None

    @staticmethod
    def _signed_in_before_passes(session_key: str) -> TabletPass | None:
        store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
        return pass_from_session(store)

    def fanout_groups(self) -> list[str]:
        return tablet_groups(self.session_id, self.delegate.pk)

    def viewer(self) -> Viewer:
        session = selectors.session_by_id(self.session_id)
        return Viewer(session=session, screen=TABLET, delegate=self.delegate)

    def actor(self):
        return Actor(delegate=self.delegate)

    def recheck(self) -> None:
        if not pass_still_holds(self.credential):
            raise _badge_revoked()

    @classmethod
    def recheck_many(cls, screens: list[TabletConsumer]) -> list[AccessRevoked | None]:
        # One query for a batch of ballots, not one per tablet.
        still = passes_still_hold([s.credential for s in screens])
        return [None if held else _badge_revoked() for held in still]

    async def on_joined(self) -> int | None:
        arrival = await self._presence(connected=True)
        if arrival.refused is not None:
            self.refused = True  # nothing was written for it: no departure to write either
            return arrival.refused
        if arrival.delegate is not None:
            self.delegate = arrival.delegate
        if arrival.checked_in:
            coalesce.soon(
                ("attendance.summary", self.session_id),
                services.attendance_summary_publish,
                session_id=self.session_id,
            )
        return None

    async def on_left(self) -> None:
        if self.refused:
            return
        # The socket is gone already; finish recording it even if the task is being cancelled.
        await asyncio.shield(self._presence(connected=False))

    async def _presence(self, *, connected: bool) -> Arrival:
        """Record the connection; on arrival, check the delegate in (True if that happened).

        Written with this process's other arrivals and departures (meeting.presence)."""
        return await presence_change(
            PresenceChange(
                session_id=self.session_id,
                delegate=self.delegate,
                worker=self.fanout.worker_id,
                connection=self.connection_id,
                connected=connected,
                device=self.credential.device,
                credential=self.credential if connected else None,
            )
        )


def _badge_revoked() -> AccessRevoked:
    return AccessRevoked(
        "badge.revoked",
        _("Thẻ này đã bị thu hồi. Vui lòng liên hệ thư ký kỳ họp."),
        close_code=4401,
    )


class ChairConsumer(ScreenConsumer):
    screen = CHAIR

    @database_sync_to_async
    def authorise(self) -> int | None:
        return chair_access(session_id=self.session_id, user=self.scope.get("user"))

    def fanout_groups(self) -> list[str]:
        # Also the user's and the login's own groups: losing the role, the password or the
        # login closes this socket at once (meeting.revocation).
        groups = [*chair_groups(self.session_id), user_group(self.scope["user"].pk)]
        session_key = self.scope["session"].session_key
        return [*groups, login_group(session_key)] if session_key else groups

    def viewer(self) -> Viewer:
        session = selectors.session_by_id(self.session_id)
        # The chair is a delegate: with a linked account, the console is also her ballot.
        own = selectors.console_delegate(session, self.scope["user"])
        return Viewer(session=session, screen=CHAIR, delegate=own, user=self.scope["user"])

    def actor(self):
        return Actor(user=self.scope["user"])

    def recheck(self) -> None:
        refused = self.recheck_many([self])[0]
        if refused is not None:
            raise refused

    @classmethod
    def recheck_many(cls, screens: list[ChairConsumer]) -> list[AccessRevoked | None]:
        # One query for a batch of consoles' commands (many sittings step at once), not six
        # for each console.
        codes = consoles_still_allowed(
            [(s.session_id, s.scope["user"].pk, s.scope["session"].session_key) for s in screens]
        )
        return [None if code is None else _console_revoked(code) for code in codes]


def _console_revoked(code: int) -> AccessRevoked:
    return AccessRevoked(
        "auth.revoked",
        _(
            "Quyền điều hành kỳ họp của tài khoản này đã thay đổi hoặc phiên đăng nhập "
            "đã kết thúc. Vui lòng đăng nhập lại."
        ),
        close_code=code,
    )


@on_heartbeat
async def refresh_tablet_presence(fanout) -> None:
    # Only the connections still in the fan-out: a departed one stops counting as connected.
    live = [c.connection_id for c in fanout.connections() if isinstance(c, TabletConsumer)]
    await database_sync_to_async(services.tablet_presence_refresh)(
        worker=fanout.worker_id, connections=live
    )
