"""One client process's screens and what they receive.

Receipt times are ``time.monotonic()``, which on Linux is one clock for every process. Every
screen checks its own sequence: after the snapshot each event must carry ``seq = previous + 1``.
A gap, a repeat or an event before the snapshot is counted, never silently skipped. What the
screens are told to do is in bench/clients.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass

from websockets.exceptions import ConnectionClosed

ANSWER_TYPES = frozenset({"ack", "error"})
monotonic = time.monotonic


def is_event(frame: dict) -> bool:
    """A frame that advances ``seq``: not a snapshot, an answer, or a notice (which says so)."""
    kind = frame.get("type")
    return kind != "snapshot" and kind not in ANSWER_TYPES and frame.get("notice") is not True


@dataclass(frozen=True)
class Target:
    """One screen to simulate."""

    index: int  # tablets 0..N-1 in delegate order, then projectors
    role: str  # "tablet" | "projector"
    url: str
    origin: str
    cookie: str | None = None  # the Cookie header value
    sitting: int = 0  # the session it shows (the city's morning has many)


def choice_for(index: int) -> str:
    """A fixed mix of votes (60 % yes, 30 % no, 10 % abstain): the result is known."""
    digit = index % 10
    return "yes" if digit < 6 else ("no" if digit < 9 else "abstain")


class Screen:
    __slots__ = (
        "target",
        "ws",
        "seq",
        "started",
        "snapshot_at",
        "snapshot_future",
        "gaps",
        "repeats",
        "early",
        "closed",
        "ballot_id",
        "ballot_future",
        "reader",
        "progress_voted",
    )

    def __init__(self, target: Target) -> None:
        self.target = target
        self.ws = None
        self.seq: int | None = None
        self.started = 0.0
        self.snapshot_at = 0.0
        self.snapshot_future: asyncio.Future | None = None
        self.gaps = 0  # events missed (sum of the sizes of the gaps)
        self.repeats = 0  # events seen twice or out of order
        self.early = 0  # events before the snapshot
        self.closed: str | None = None  # why the connection ended, when not by us
        self.ballot_id: str | None = None
        self.ballot_future: asyncio.Future | None = None
        self.reader: asyncio.Task | None = None
        self.progress_voted: int | None = None  # the largest poll.progress count seen


@dataclass
class Waiter:
    seq: int
    pending: set
    future: asyncio.Future


class Receiver:
    """All the screens of one client process, and what they received."""

    def __init__(self, targets: list[Target], options: dict) -> None:
        self.screens = [Screen(t) for t in targets]
        self.options = options
        self.receipts: dict[int, list[float]] = {}  # seq -> receipt times, every screen
        self.projector_receipts: dict[int, list[float]] = {}
        self.types: dict[int, str] = {}
        self.type_conflicts = 0
        # poll.progress notices: role -> [(voted, receipt time)]; counts seen going down
        self.progress: dict[str, list[tuple[int, float]]] = {}
        self.progress_backwards = 0
        self.notices: Counter = Counter()
        self.missed: Counter = Counter()  # seq -> screens that never got that event
        self.unexpected: Counter = Counter()
        self.waiters: list[Waiter] = []
        self.stopping = False
        self.problems: list[str] = []

    # -- receiving -----------------------------------------------------------------------
    async def _read(self, screen: Screen, ws) -> None:
        reason = None
        try:
            async for text in ws:
                self._frame(screen, text, monotonic())
        except ConnectionClosed as closed:
            reason = f"closed {closed.rcvd.code if closed.rcvd else 1006}"
        except Exception as exc:  # noqa: BLE001 - counted, not raised: one bad socket of many
            reason = f"reader failed: {exc!r}"
        else:
            reason = "closed by the server"
        finally:
            if screen.ws is ws and not self.stopping:  # not an attempt given up already
                screen.closed = reason
                for future in (screen.snapshot_future, screen.ballot_future):
                    if future is not None and not future.done():
                        future.set_exception(ConnectionError(reason))
                self._forget(screen)

    def _frame(self, screen: Screen, text: str, now: float) -> None:
        frame = json.loads(text)
        kind = frame.get("type")
        if is_event(frame):
            seq = frame.get("seq")
            if screen.seq is None:
                screen.early += 1
                return
            if seq != screen.seq + 1:
                if isinstance(seq, int) and seq > screen.seq + 1:
                    screen.gaps += seq - screen.seq - 1
                    for missed in range(screen.seq + 1, min(seq, screen.seq + 50)):
                        self.missed[missed] += 1
                else:
                    screen.repeats += 1
                    return
            screen.seq = seq
            self._event(screen, seq, kind, frame, now)
            if self.waiters:
                self._reached(screen, seq)
        elif kind == "snapshot":
            if screen.seq is not None and frame.get("id") is None:
                self.unexpected["snapshot again"] += 1
            screen.seq = frame.get("seq")
            screen.snapshot_at = now
            future = screen.snapshot_future
            if future is not None and not future.done():
                future.set_result(now)
            if self.waiters:
                self._reached(screen, screen.seq)
        elif kind in ANSWER_TYPES:
            future = screen.ballot_future
            if future is not None and frame.get("id") == screen.ballot_id and not future.done():
                future.set_result((now, frame))
            else:
                self.unexpected[f"{kind} {frame.get('data', {}).get('code', '')}"] += 1
        else:
            self.notices[kind] += 1
            if kind == "poll.progress":
                self._progress(screen, frame["data"].get("voted") or 0, now)

    def _progress(self, screen: Screen, voted: int, now: float) -> None:
        seen = self.progress.setdefault(screen.target.role, [])
        last = screen.progress_voted
        if last is not None and voted < last:
            self.progress_backwards += 1
        screen.progress_voted = voted if last is None else max(last, voted)
        seen.append((voted, now))

    def _event(self, screen: Screen, seq: int, kind: str, frame: dict, now: float) -> None:
        """Record an event in order (the city's fleet records it per sitting instead)."""
        self.receipts.setdefault(seq, []).append(now)
        if screen.target.role == "projector":
            self.projector_receipts.setdefault(seq, []).append(now)
        known = self.types.setdefault(seq, kind)
        if known != kind:
            self.type_conflicts += 1

    def _reached(self, screen: Screen, seq: int) -> None:
        for waiter in self.waiters:
            if seq >= waiter.seq and screen in waiter.pending:
                waiter.pending.discard(screen)
                if not waiter.pending and not waiter.future.done():
                    waiter.future.set_result(None)

    def _forget(self, screen: Screen) -> None:
        """A connection that ended can no longer be waited for."""
        self._reached(screen, 1 << 62)
