"""The city's screens: the one-chamber fleet, recording what each screen saw per sitting.

Every screen keeps its own list of events (seq, type, the item or poll it names, receipt
time). The main process holds each sitting's console list, the truth: a screen must have seen
exactly the console's events after its snapshot, in order, and nothing that names another
sitting's items or polls.
"""

from __future__ import annotations

import asyncio
import resource
from collections import Counter

from bench.clients import ScreenFleet, client_main_with
from bench.fleet import Fleet
from bench.screen import Screen, Waiter

# The fields of an event's data that name a thing belonging to one sitting.
OWNED_KEYS = {"current_item_id": "item", "item_id": "item", "poll_id": "poll"}


def owned(data: dict) -> str | None:
    """``item:12`` or ``poll:7``: what of one sitting an event names, if anything."""
    for key, kind in OWNED_KEYS.items():
        value = data.get(key)
        if isinstance(value, int):
            return f"{kind}:{value}"
    poll = data.get("poll")
    if isinstance(poll, dict) and isinstance(poll.get("id"), int):
        return f"poll:{poll['id']}"
    return None


class CityScreenFleet(ScreenFleet):
    def __init__(self, targets, options) -> None:
        super().__init__(targets, options)
        self.seen: dict[int, list[tuple[int, str, str | None, float]]] = {}

    def _event(self, screen: Screen, seq: int, kind: str, frame: dict, now: float) -> None:
        data = frame.get("data") or {}
        key = owned(data)
        self.seen.setdefault(screen.target.index, []).append((seq, kind, key, now))

    async def op_wait_sittings(self, *, seqs: dict[int, int], timeout: float) -> dict:
        """Until every open screen of each sitting has seen that sitting's event ``seqs[s]``."""
        loop = asyncio.get_running_loop()
        waiters = []
        for sitting, seq in seqs.items():
            pending = {
                s
                for s in self.screens
                if s.target.sitting == sitting and not s.closed and s.ws and (s.seq or 0) < seq
            }
            if pending:
                waiters.append(Waiter(seq, pending, loop.create_future()))
        self.waiters.extend(waiters)
        try:
            await asyncio.wait_for(asyncio.gather(*(w.future for w in waiters)), timeout)
        except TimeoutError:
            pass
        finally:
            for waiter in waiters:
                self.waiters.remove(waiter)
        missing = sum(len(w.pending) for w in waiters)
        return {"missing": missing}

    async def op_disconnect(self) -> dict:
        """Every socket closed at once (a power cut in every hall), the fleet kept."""
        self.stopping = True
        for screen in self.screens:
            if screen.ws is not None:
                screen.ws.transport.abort()
        readers = [s.reader for s in self.screens if s.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=10)
        for screen in self.screens:
            screen.ws = screen.reader = None
            screen.seq = None
            screen.snapshot_at = screen.started = 0.0
            screen.closed = None
        self.stopping = False
        return {"screens": len(self.screens)}

    async def op_city_report(self) -> dict:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "seen": self.seen,
            "final_seq": {s.target.index: s.seq for s in self.screens},
            "sitting": {s.target.index: s.target.sitting for s in self.screens},
            "role": {s.target.index: s.target.role for s in self.screens},
            "gaps": sum(s.gaps for s in self.screens),
            "repeats": sum(s.repeats for s in self.screens),
            "early": sum(s.early for s in self.screens),
            "dropped": dict(Counter(s.closed for s in self.screens if s.closed)),
            "unexpected": dict(self.unexpected),
            "notices": dict(self.notices),
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }


def city_client_main(conn, targets, options) -> None:
    client_main_with(CityScreenFleet, conn, targets, options)


class CityFleet(Fleet):
    entry = staticmethod(city_client_main)
