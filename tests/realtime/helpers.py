"""Helpers for consumer tests: communicators signed in as a delegate, a chair or a projector."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from chamber.asgi import application
from meeting.tablet_pass import PASS_COOKIE, pass_value

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def _session_cookie(**values) -> bytes:
    store = SessionStore()
    for key, value in values.items():
        store[key] = value
    store.create()
    cookie = SimpleCookie()
    cookie[settings.SESSION_COOKIE_NAME] = store.session_key
    return cookie.output(header="", sep="; ").strip().encode()


async def delegate_cookie(delegate, *, with_pass: bool = True) -> bytes:
    """The cookies of a badge sign-in: the Django session and (unless ``with_pass`` is off: a
    tablet signed in before passes existed) the tablet's pass (meeting.tablet_pass)."""
    session = await _session_cookie(delegate_id=delegate.pk, badge_key=delegate.badge_key)
    if not with_pass:
        return session
    login = session.decode().split("=", 1)[1]
    value = pass_value(delegate=delegate, device_id="", login=login)
    return session + f"; {PASS_COOKIE}={value}".encode()


async def user_cookie(user) -> bytes:
    return await _session_cookie(
        **{
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )


def communicator(path: str, cookie: bytes | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1:8000")]
    if origin:
        headers.append(origin)
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def tablet(session, delegate) -> WebsocketCommunicator:
    return communicator(f"/ws/tablet/{session.pk}/", await delegate_cookie(delegate))


async def chair(session, user) -> WebsocketCommunicator:
    return communicator(f"/ws/chair/{session.pk}/", await user_cookie(user))


def projector(session) -> WebsocketCommunicator:
    return communicator(f"/ws/projector/{session.pk}/?key={session.projector_key}")


async def connect_and_snapshot(comm: WebsocketCommunicator) -> dict:
    connected, _ = await comm.connect()
    assert connected
    frame = await comm.receive_json_from(timeout=5)
    assert frame["type"] == "snapshot", frame
    return frame


async def command(comm: WebsocketCommunicator, type: str, id: str, **data) -> None:
    await comm.send_to(text_data=json.dumps({"type": type, "id": id, "data": data}))


async def receive_until(comm: WebsocketCommunicator, type: str, timeout: float = 5) -> dict:
    """Frames until one of ``type``; notices and events before it are skipped."""
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame["type"] == type:
            return frame


class RecordingScreen:
    """A communicator that keeps every frame it received."""

    def __init__(self, communicator) -> None:
        self.communicator = communicator
        self.frames: list[dict] = []

    async def open(self) -> dict:
        connected, _ = await self.communicator.connect()
        assert connected
        snapshot = await self.receive()
        assert snapshot["type"] == "snapshot", snapshot
        return snapshot

    async def receive(self) -> dict:
        frame = await self.communicator.receive_json_from(timeout=5)
        self.frames.append(frame)
        return frame

    async def until(self, predicate) -> dict:
        """The first frame, received already or later, that satisfies ``predicate``."""
        for frame in self.frames:
            if predicate(frame):
                return frame
        while True:
            frame = await self.receive()
            if predicate(frame):
                return frame

    async def command(self, type: str, id: str, **data) -> dict:
        await command(self.communicator, type, id, **data)
        return await self.until(lambda f: f["type"] in ("ack", "error") and f["id"] == id)

    def of_type(self, type: str) -> list[dict]:
        return [frame for frame in self.frames if frame["type"] == type]

    async def close(self) -> None:
        await self.communicator.disconnect()
