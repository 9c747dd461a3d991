"""Issue 10 item 18: a WebSocket handshake is accepted only from the page's own origin —
scheme, host and port — or from an origin the install trusts (CSRF_TRUSTED_ORIGINS)."""

import pytest

from tests.factories import make_council, make_session
from tests.realtime import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connects(path: str, origin: bytes, *, host: bytes = b"127.0.0.1:8000", scheme="ws"):
    comm = helpers.communicator(path, origin=(b"origin", origin))
    comm.scope["headers"] = [(b"host", host), (b"origin", origin)]
    comm.scope["scheme"] = scheme
    try:
        connected, _ = await comm.connect()
        return connected
    finally:
        await comm.disconnect()


@pytest.fixture
def projector_path(db):
    session = make_session(council=make_council(seats=3))
    return f"/ws/projector/{session.pk}/?key={session.projector_key}"


async def test_another_scheme_or_port_of_an_allowed_host_is_refused(projector_path):
    # The page's own origin connects.
    assert await _connects(projector_path, b"http://127.0.0.1:8000")
    # Same host name, another scheme or another port: another site (another service on the
    # box, or a plain-HTTP page next to the HTTPS install).
    for origin in [
        b"https://127.0.0.1:8000",
        b"http://127.0.0.1:9000",
        b"http://127.0.0.1",
        b"http://localhost:8000",
    ]:
        assert not await _connects(projector_path, origin), origin


async def test_default_ports_and_tls_behind_a_proxy(projector_path):
    # Behind nginx with TLS: the server sees wss (uvicorn --proxy-headers) and a bare host.
    assert await _connects(
        projector_path, b"https://localhost", host=b"localhost", scheme="wss"
    )
    assert await _connects(
        projector_path, b"https://localhost:443", host=b"localhost", scheme="wss"
    )
    assert not await _connects(projector_path, b"http://localhost", host=b"localhost", scheme="wss")


async def test_a_trusted_origin_is_accepted(projector_path, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://chamber.example.vn"]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "chamber.example.vn"]
    assert await _connects(projector_path, b"https://chamber.example.vn")
    assert not await _connects(projector_path, b"http://chamber.example.vn")
