"""Request bodies are refused by size before they are read, per endpoint.

Only the document upload endpoints take a large body (a PDF of up to CHAMBER_MAX_PDF_BYTES
and the form around it); every other endpoint takes at most CHAMBER_MAX_REQUEST_BYTES. A
declared Content-Length over the limit is answered 413 at once, before any of the body is
read; a body without a length (chunked) is cut off as soon as it passes the limit.

Two places apply it: an ASGI middleware (any server that hands the body to the application
as it arrives, as Uvicorn does), and, under Daphne, which reads the whole body before it
calls the application, a hook on Daphne's request as its headers complete.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _

# The clerk's upload page and the admin's "add document" form.
UPLOAD_PATHS = re.compile(r"^/(?:staff/sessions/\d+/documents/|admin/documents/document/add/)$")
FORM_ROOM = 1024 * 1024  # the multipart envelope and the form's other fields


class BodyTooLarge(Exception):
    pass


def body_limit(path: str) -> int:
    if UPLOAD_PATHS.match(path):
        return settings.CHAMBER_MAX_PDF_BYTES + FORM_ROOM
    return settings.CHAMBER_MAX_REQUEST_BYTES


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def refusal_body(limit: int) -> bytes:
    return (_("Yêu cầu quá lớn: tối đa %(size)s.") % {"size": _megabytes(limit)}).encode() + b"\n"


def _content_length(headers) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestBodyLimit:
    """ASGI middleware for HTTP: 413 before reading a body declared too large, and a body
    that turns out too large stops being read."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope["path"])
        length = _content_length(scope.get("headers", []))
        if length is not None and length > limit:
            return await self._refuse(send, limit)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send, limit: int) -> None:
        body = refusal_body(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _twisted_refuse(request, limit: int) -> None:
    request._chamber_refused = True
    body = refusal_body(limit)
    head = (
        b"HTTP/1.1 413 Request Entity Too Large\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n"
    )
    request.channel.transport.write(head + body)
    request.channel.transport.loseConnection()


def install_daphne_guard() -> None:
    """Under Daphne (Twisted), check the declared length as the headers complete, before
    Twisted reads the body into a file; count a chunked body as it comes. Idempotent."""
    try:
        from daphne.http_protocol import WebRequest
        from twisted.web import http
    except ImportError:  # not running under Daphne
        return
    if getattr(WebRequest, "_chamber_guarded", False):
        return
    got_length, handle_chunk, process = (
        WebRequest.gotLength,
        WebRequest.handleContentChunk,
        WebRequest.process,
    )

    def guarded_got_length(self, length):
        raw = getattr(self.channel, "_path", b"/").split(b"?", 1)[0]
        self._chamber_limit = body_limit(unquote(raw.decode("latin-1")))
        self._chamber_received = 0
        if length is not None and length > self._chamber_limit:
            # No "100 Continue" after this answer: the client keeps its body.
            self.requestHeaders.removeHeader(b"Expect")
            got_length(self, 0)
            _twisted_refuse(self, self._chamber_limit)
            return
        got_length(self, length)

    def guarded_chunk(self, data):
        if getattr(self, "_chamber_refused", False):
            return
        self._chamber_received = getattr(self, "_chamber_received", 0) + len(data)
        if self._chamber_received > getattr(self, "_chamber_limit", self._chamber_received):
            _twisted_refuse(self, self._chamber_limit)
            return
        handle_chunk(self, data)

    def guarded_process(self):
        if getattr(self, "_chamber_refused", False):
            return  # answered already; the application never sees it
        process(self)

    def guarded_connection_lost(self, reason):
        if getattr(self, "_chamber_refused", False):
            http.Request.connectionLost(self, reason)  # Daphne never knew of it
            return
        connection_lost(self, reason)

    connection_lost = WebRequest.connectionLost
    WebRequest.gotLength = guarded_got_length
    WebRequest.handleContentChunk = guarded_chunk
    WebRequest.process = guarded_process
    WebRequest.connectionLost = guarded_connection_lost
    WebRequest._chamber_guarded = True


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams an uploaded file to a temporary file and stops writing one byte past
    CHAMBER_MAX_PDF_BYTES: enough for the intake to refuse it as too large, never more."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.CHAMBER_MAX_PDF_BYTES + 1 - self.kept
        if room > 0:
            chunk = raw_data[:room]
            self.kept += len(chunk)
            self.file.write(chunk)
        return None  # no later handler sees it either

    def file_complete(self, file_size):
        return super().file_complete(self.kept)
