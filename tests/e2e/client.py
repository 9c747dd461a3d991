"""Real clients of the end-to-end tests: badge sign-in over HTTP and WebSocket screens."""

from __future__ import annotations

import asyncio
import http.client
import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from realtime.events import catalogue
from tests.servers import Server

# docs/protocol.md: events advance the session's seq; notices carry it unchanged and say so
# ("notice": true); which types exist is the event catalogue's (realtime.events), not a list here.
ANSWER_TYPES = {"ack", "error"}
TIMEOUT = 10.0


def is_event(frame: dict) -> bool:
    """A frame that advances ``seq``: not a snapshot, an answer, or a notice (which says so)."""
    kind = frame["type"]
    return kind != "snapshot" and kind not in ANSWER_TYPES and frame.get("notice") is not True


def declared(frame: dict) -> bool:
    """The frame is in the catalogue, as the kind its envelope says (event or notice)."""
    event = catalogue().get(frame["type"])
    return event is not None and event.notice == (frame.get("notice") is True)


def badge_sign_in(url: str) -> str:
    """GET a badge's sign-in URL without following the redirect; the ``sessionid`` it set."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        assert response.status == 302, (response.status, url)
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
    finally:
        connection.close()
    assert settings.SESSION_COOKIE_NAME in cookie, response.headers
    return cookie[settings.SESSION_COOKIE_NAME].value


@dataclass
class Screen:
    """One real WebSocket client that checks the sequence of every event it receives.

    After the snapshot, each event must carry ``seq = previous + 1``: a gap, a duplicate or
    an event out of order fails the test at once.
    """

    name: str
    ws: ClientConnection
    snapshot: dict | None = None
    seq: int | None = None
    events: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    max_size: ClassVar[int | None] = 2**20  # websockets' default; None: any size, as browsers

    @classmethod
    async def open(cls, name: str, server: Server, path: str, cookie: str | None = None) -> Screen:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
        ws = await asyncio.wait_for(
            connect(
                f"{server.ws}{path}",
                origin=server.origin,
                additional_headers=headers,
                # Frames nobody read (notices) must not pause reading, or the closing
                # handshake could not complete.
                max_queue=None,
                max_size=cls.max_size,
            ),
            TIMEOUT,
        )
        screen = cls(name=name, ws=ws)
        try:
            frame = await screen.receive()
            assert frame["type"] == "snapshot", (name, frame)
        except BaseException:
            await screen.close()
            raise
        return screen

    async def receive(self, timeout: float = TIMEOUT) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        kind = frame["type"]
        if kind == "snapshot":
            self.snapshot, self.seq = frame, frame["seq"]
        elif kind in ANSWER_TYPES:
            pass
        elif frame.get("notice") is True:
            assert declared(frame), (self.name, "not a declared notice", frame)
            self.notices.append(frame)
        else:
            assert declared(frame), (self.name, "not a declared event", frame)
            assert frame["id"] is None, (self.name, frame)
            assert self.seq is not None, (self.name, "an event before the snapshot", frame)
            assert frame["seq"] == self.seq + 1, (self.name, f"after seq {self.seq}", frame)
            self.seq = frame["seq"]
            self.events.append(frame)
        return frame

    async def receive_until(self, predicate, timeout: float = TIMEOUT) -> dict:
        """Frames until one satisfies ``predicate``; every frame on the way is checked too."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: no matching frame in {timeout}s")
            frame = await self.receive(remaining)
            if predicate(frame):
                return frame

    async def until_seq(self, seq: int, timeout: float = TIMEOUT) -> None:
        if self.seq is not None and self.seq >= seq:
            return
        await self.receive_until(lambda frame: self.seq >= seq, timeout)

    async def command(self, type: str, id: str, timeout: float = TIMEOUT, **data) -> dict:
        """Send a command and wait for its answer (events on the way are kept)."""
        await self.ws.send(json.dumps({"type": type, "id": id, "data": data}))
        return await self.receive_until(
            lambda frame: frame["type"] in ANSWER_TYPES and frame["id"] == id, timeout
        )

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.ws.close(), TIMEOUT)
        except Exception:  # already gone (dropped on purpose, or the server closed it)
            pass
