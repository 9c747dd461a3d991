"""A hostile PDF's intake never stalls the web process (issue 10, item 19).

On a real server, a clerk uploads the 15 KiB text bomb with the text limits lifted, so that
only the intake's time limit stops it (6 s here). All the while the chair's console steps
through the agenda over its WebSocket and a health check polls over HTTP: every answer comes
at once. (Before, the text was read inside the web process: the console waited 13 s.)
"""

from __future__ import annotations

import asyncio
import http.client
import time
import uuid
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.test import Client

from tests.documents import pdfs
from tests.e2e.client import Screen
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers, server_env

pytestmark = pytest.mark.django_db(transaction=True)

INTAKE_SECONDS = 6


@pytest.fixture
def sitting(transactional_db):
    session = make_session(council=make_council(seats=5), items=3)
    cookies = {}
    for role in ("chair", "clerk"):
        client = Client()
        client.force_login(make_staff(role=role, council=session.council))
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return session, cookies


def _upload(port: int, session_id: int, cookie: str, data: bytes) -> tuple[int, str, float]:
    """The clerk's page as a browser uses it: GET (CSRF cookie), then POST the file."""
    path = f"/staff/sessions/{session_id}/documents/"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    page = connection.getresponse()
    page.read()
    jar = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie"):
        jar.load(header)
    csrf = jar["csrftoken"].value
    boundary = uuid.uuid4().hex
    fields = {"csrfmiddlewaretoken": csrf, "title": "Tờ trình", "access": "delegates"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bom.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    started = time.monotonic()
    connection.request(
        "POST",
        path,
        body=body,
        headers={
            "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    answer = connection.getresponse()
    html = answer.read().decode()
    connection.close()
    return answer.status, html, time.monotonic() - started


def _health(port: int) -> float:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b"ok"
    connection.close()
    return time.monotonic() - started


async def test_a_text_bomb_being_read_stalls_neither_the_console_nor_other_requests(sitting):
    session, cookies = sitting
    bomb = pdfs.text_bomb(pages=50)
    env = server_env(redis=False) | {
        "CHAMBER_MAX_PAGE_TEXT_CHARS": str(10**9),
        "CHAMBER_MAX_PDF_TEXT_CHARS": str(10**9),
        "CHAMBER_INTAKE_TIMEOUT_SECONDS": str(INTAKE_SECONDS),
    }
    with running_servers(1, env=env) as [server]:
        console = await Screen.open("console", server, f"/ws/chair/{session.pk}/", cookies["chair"])
        try:
            upload = asyncio.create_task(
                asyncio.to_thread(_upload, server.port, session.pk, cookies["clerk"], bomb)
            )
            command_seconds, health_seconds = [], []
            step = 0
            while not upload.done():
                step += 1
                kind = "agenda.next" if step % 2 else "agenda.previous"
                started = time.monotonic()
                answer = await console.command(kind, f"step-{step}")
                command_seconds.append(time.monotonic() - started)
                assert answer["type"] == "ack", answer
                health_seconds.append(await asyncio.to_thread(_health, server.port))
                await asyncio.sleep(0.1)  # a chair's pace, not a flood
            status, html, upload_seconds = await upload
        finally:
            await console.close()

    print(
        f"upload refused after {upload_seconds:.1f} s; {len(command_seconds)} console commands, "
        f"slowest {max(command_seconds):.3f} s; slowest health check {max(health_seconds):.3f} s"
    )
    assert status == 400
    assert 'data-error-code="document.intake_timeout"' in html
    # Stopped by the time limit (read whole, the bomb takes 20 s or more on this machine).
    assert INTAKE_SECONDS - 0.5 < upload_seconds < INTAKE_SECONDS + 10
    assert len(command_seconds) >= 10
    # Under a second when the machine is quiet; the bound leaves room for a busy shared CI
    # machine, far below the 13 s the console waited when the text was read in-process.
    assert max(command_seconds) < 2.0, sorted(command_seconds)[-3:]
    assert max(health_seconds) < 2.0, sorted(health_seconds)[-3:]
