"""Real clients that behave as Chamber's screens do through a fault, and the checks every
scenario ends with: acked = counted, no screen stale, the console still runs the sitting."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from asgiref.sync import sync_to_async
from websockets.exceptions import ConnectionClosed

from meeting.badges import sign_in_url
from meeting.models import Session
from realtime.models import OutboxFrame
from tests.e2e.client import TIMEOUT, Screen, badge_sign_in, is_event
from tests.servers import Server
from voting.models import Ballot

# The sittings here have fewer tablets than the quorum by law: the chair goes on, saying why.
BELOW_QUORUM = {"override_reason": "Kiểm thử sự cố: ít máy tính bảng hơn túc số"}
# Answers after which the same command is sent again (nothing was done; docs/protocol.md).
RETRYABLE = {"server.error", "server.busy"}
LOST = (ConnectionClosed, OSError, TimeoutError)


@dataclass(eq=False)
class FaultScreen(Screen):
    """A screen as the browser's: on a gap in ``seq`` it asks for a snapshot (counted)."""

    max_size: ClassVar[int | None] = None
    current_item_id: int | None = None
    gaps: int = 0
    resyncing: bool = False

    async def receive(self, timeout: float = TIMEOUT) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if frame["type"] == "snapshot":
            self.resyncing = False
            self.current_item_id = frame["data"]["session"]["current_item_id"]
        elif is_event(frame) and self.seq is not None:
            if self.resyncing:
                return frame  # superseded by the snapshot asked for
            if frame["seq"] > self.seq + 1:
                self.gaps += 1
                self.resyncing = True
                await self.ws.send(
                    json.dumps({"type": "snapshot.request", "id": f"gap-{uuid.uuid4().hex}"})
                )
                return frame
        if frame["type"] in {"agenda.current", "session.changed"}:
            self.current_item_id = frame["data"]["current_item_id"]
        # The strict checks of the end-to-end client: consecutive seq, known types.
        return _check(self, frame)


def _check(screen: Screen, frame: dict) -> dict:
    kind = frame["type"]
    if kind == "snapshot":
        screen.snapshot, screen.seq = frame, frame["seq"]
    elif is_event(frame):
        assert frame["id"] is None, (screen.name, frame)
        assert frame["seq"] == screen.seq + 1, (screen.name, f"after seq {screen.seq}", frame)
        screen.seq = frame["seq"]
        screen.events.append(frame)
    else:
        screen.notices.append(frame)
    return frame


async def open_screen(name: str, server: Server, path: str, cookie: str | None = None):
    return await FaultScreen.open(name, server, path, cookie)


@dataclass(eq=False)
class Tablet:
    """A delegate's tablet: its badge cookie and its current connection (it reconnects)."""

    delegate: object
    cookie: str
    session_id: int
    screen: FaultScreen | None = None
    server: Server | None = None

    @property
    def path(self) -> str:
        return f"/ws/tablet/{self.session_id}/"

    async def connect(self, server: Server) -> FaultScreen:
        self.screen = await open_screen(
            f"tablet {self.delegate.pk}", server, self.path, self.cookie
        )
        self.server = server
        return self.screen


@dataclass(eq=False)
class Console:
    cookie: str
    session_id: int
    screen: FaultScreen | None = None
    server: Server | None = None

    async def connect(self, server: Server) -> FaultScreen:
        self.screen = await open_screen(
            "console", server, f"/ws/chair/{self.session_id}/", self.cookie
        )
        self.server = server
        return self.screen


async def reconnect_lost(holders, servers) -> None:
    """Screens whose worker died or whose socket closed connect again, as the browser does."""

    async def again(holder) -> None:
        if (
            holder.screen is None
            or holder.screen.ws.close_code is not None
            or holder.server.process.poll() is not None
        ):
            if holder.screen is not None:
                await holder.screen.close()
            await holder.connect(_live(servers))

    await asyncio.gather(*[again(holder) for holder in holders])


async def sign_in(tablets_of, server: Server, session_id: int) -> list[Tablet]:
    cookies = await asyncio.gather(
        *[asyncio.to_thread(badge_sign_in, sign_in_url(server.http, d)) for d in tablets_of]
    )
    return [Tablet(d, c, session_id) for d, c in zip(tablets_of, cookies, strict=True)]


async def command_until_answered(
    holder, type: str, *, servers, timeout: float = 30.0, retry_on=RETRYABLE, **data
) -> dict:
    """Send a command until it gets a final answer, resending the same ``id`` after a lost
    connection (reconnecting to a live server) or a retryable error, as the screens do."""
    command_id = uuid.uuid4().hex
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, f"{type} got no final answer in {timeout}s"
        try:
            if holder.screen is None:
                await holder.connect(_live(servers))
            answer = await holder.screen.command(type, command_id, timeout=remaining, **data)
        except LOST:
            holder.screen = None
            continue
        if answer["type"] == "error" and answer["data"]["code"] in retry_on:
            continue
        return answer


def _live(servers) -> Server:
    servers = servers() if callable(servers) else servers
    for server in servers:
        if server.process.poll() is None:
            return server
    raise AssertionError("no server left")


@dataclass
class Storm:
    """Every tablet casts a ballot at once; receipts of the acknowledged ones."""

    acked: dict[int, str] = field(default_factory=dict)  # delegate id -> receipt
    refused: dict[int, str] = field(default_factory=dict)  # delegate id -> final error code
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    async def until_acked(self, count: int) -> None:
        """Wait for the storm to be under way: ``count`` ballots acknowledged."""
        while len(self.acked) < count:
            self.answered.clear()
            await asyncio.wait_for(self.answered.wait(), TIMEOUT)

    async def vote(self, tablets: list[Tablet], poll_id: int, *, servers, timeout=40.0):
        async def one(tablet: Tablet) -> None:
            answer = await command_until_answered(
                tablet,
                "ballot.cast",
                servers=servers,
                timeout=timeout,
                poll_id=poll_id,
                choice="yes",
            )
            if answer["type"] == "ack":
                self.acked[tablet.delegate.pk] = answer["data"]["receipt"]
            else:
                self.refused[tablet.delegate.pk] = answer["data"]["code"]
            self.answered.set()

        await asyncio.gather(*[one(tablet) for tablet in tablets])


@sync_to_async
def session_row(session_id: int) -> tuple[int, int | None]:
    row = Session.objects.get(pk=session_id)
    return row.seq, row.current_item_id


@sync_to_async
def counted_receipts(poll_id: int) -> set[str]:
    return set(
        Ballot.objects.filter(poll_id=poll_id, superseded=False).values_list("receipt", flat=True)
    )


@sync_to_async
def outbox_ids() -> set[int]:
    """Frames committed and not yet taken by the channel layer."""
    return set(OutboxFrame.objects.values_list("id", flat=True))


async def converged(screens, session_id: int, timeout: float) -> tuple[int, int | None]:
    """Every screen reaches the database's seq and current item (events or a snapshot)."""
    seq, current = await session_row(session_id)
    while True:
        await asyncio.gather(*[screen.until_seq(seq, timeout) for screen in screens])
        now = await session_row(session_id)
        if now == (seq, current):
            break
        seq, current = now  # a coalesced event (progress, attendance) came meanwhile
    for screen in screens:
        assert screen.seq == seq, (screen.name, screen.seq, seq)
        assert screen.current_item_id == current, (screen.name, screen.current_item_id, current)
    return seq, current


async def console_runs_the_sitting(console: Console, screens, session_id: int, *, servers):
    """The console moves the agenda once more and every screen hears it."""
    answer = await command_until_answered(console, "agenda.next", servers=servers)
    assert answer["type"] == "ack", answer
    await converged([console.screen, *screens], session_id, timeout=TIMEOUT)
    assert screens[0].current_item_id == answer["data"]["current_item_id"]


async def close_all(holders) -> None:
    await asyncio.gather(
        *[h.screen.close() for h in holders if getattr(h, "screen", None) is not None],
        return_exceptions=True,
    )
