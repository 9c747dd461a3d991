"""Request bodies are refused by size before they are read, per endpoint (issue 10, item 21),
against real server processes: Daphne, as `make demo` runs it, and Uvicorn, as production does.

The client here sends the request's headers and then waits: a server that answers 413 at
once has not read the body (it never got it); one that reads it first says nothing.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from chamber.limits import CappedTemporaryFileUploadHandler
from tests.servers import running_servers

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024
UPLOAD_PATH = "/staff/sessions/1/documents/"


@pytest.fixture(scope="module", params=["daphne", "uvicorn"])
def server(request):
    """Daphne (the embedded default) reads a body before the application sees it: Chamber
    checks it as its headers arrive. Uvicorn (production) hands it over as it comes."""
    with running_servers(1, redis=False, server=request.param) as [started]:
        yield started
        print(f"--- {started.log} ---\n{started.log.read_text()[-4000:]}")


def _read_answer(sock: socket.socket, timeout: float) -> tuple[int, bytes]:
    """Status and body of the answer, or (0, b"") if none came within ``timeout``."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            None,
        )
        while length is not None and len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    except (TimeoutError, ConnectionError):
        pass
    if not data.startswith(b"HTTP/1."):
        return 0, b""
    return int(data.split(b" ", 2)[1]), body


def _headers(server, path: str, length: int | None, content_type: str) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: {content_type}\r\n{framing}\r\n\r\n"
    ).encode()


def declare(
    server, path: str, length: int, content_type: str = "multipart/form-data; boundary=x"
) -> tuple[int, bytes, float]:
    """Send only the headers of a POST declaring ``length`` bytes; wait for an answer."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        started = time.monotonic()
        sock.sendall(_headers(server, path, length, content_type))
        status, body = _read_answer(sock, timeout=5)
        return status, body, time.monotonic() - started


def push(server, path: str, size: int, *, chunked: bool = False) -> tuple[int, int]:
    """Send a body of ``size`` bytes as a careless client does (without waiting for an answer);
    the answer's status and how many body bytes the server let in before it was given."""
    block = b"x" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(10)
        sock.sendall(
            _headers(server, path, None if chunked else size, "application/x-www-form-urlencoded")
        )
        try:
            while sent < size:
                piece = block[: size - sent]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (ConnectionError, TimeoutError):
            pass  # the server stopped reading and closed: what is wanted
        status, _body = _read_answer(sock, timeout=5)
        return status, sent


def test_a_200_mb_upload_is_refused_before_its_body_is_read(server):
    status, body, seconds = declare(server, UPLOAD_PATH, 200 * MB)
    assert status == 413, "no answer before the body was sent: the server waits to read it"
    assert seconds < 2
    assert body.decode().strip() == "Yêu cầu quá lớn: tối đa 101 MB."


@pytest.mark.parametrize(
    "path",
    ["/tablet/signin/", "/admin/login/", "/tablet/ballot/", "/i18n/setlang/", "/healthz"],
)
def test_other_endpoints_refuse_101_mb_at_once(server, path):
    status, body, seconds = declare(
        server, path, 101 * MB, content_type="application/x-www-form-urlencoded"
    )
    assert status == 413 and seconds < 2
    assert body.decode().strip() == "Yêu cầu quá lớn: tối đa 1 MB."


def test_the_upload_endpoint_alone_takes_more_than_a_form(server):
    """3 MB to the upload page is let through (refused later only for want of a login), the
    same 3 MB to the anonymous sign-in is not."""
    status, _sent = push(server, "/tablet/signin/", 3 * MB)
    assert status == 413
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(_headers(server, UPLOAD_PATH, 3 * MB, "multipart/form-data; boundary=x"))
        sock.sendall(b"x" * (3 * MB))
        status, _body = _read_answer(sock, timeout=30)
    # Past the size check: the form, login and CSRF checks answer (not a 413, not a 500).
    assert status in (302, 400, 403)


def test_a_careless_client_pushing_200_mb_is_cut_off_early(server):
    status, sent = push(server, "/tablet/signin/", 200 * MB)
    assert sent < 40 * MB, f"the server read {sent / MB:.0f} MB before refusing"
    assert status in (413, 0)  # the answer may be lost to the reset of a client still sending


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(server):
    status, sent = push(server, "/tablet/signin/", 50 * MB, chunked=True)
    assert sent < 40 * MB, f"the server read {sent / MB:.0f} MB before refusing"
    assert status in (413, 0)


def test_a_small_form_still_reaches_the_application(server):
    status, sent = push(server, "/tablet/signin/", 2000)
    assert sent == 2000
    assert status == 403  # Django answered: the CSRF check, not the size check


def test_an_uploaded_file_is_streamed_to_disk_and_stops_at_the_pdf_limit(settings):
    settings.CHAMBER_MAX_PDF_BYTES = 2 * MB
    handler = CappedTemporaryFileUploadHandler(request=None)
    handler.new_file("file", "to-trinh.pdf", "application/pdf", 5 * MB)
    for start in range(0, 5 * MB, 64 * 1024):
        assert handler.receive_data_chunk(b"%" * (64 * 1024), start) is None
    upload = handler.file_complete(5 * MB)
    assert upload.temporary_file_path()  # on disk, not in memory
    # One byte over: enough for the intake to refuse it, and all that was written.
    assert upload.size == os.path.getsize(upload.temporary_file_path()) == 2 * MB + 1
    upload.close()
