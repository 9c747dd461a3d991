"""The WebSocket Origin check: the page's own origin (scheme, host and port), or a trusted one.

Channels' ``AllowedHostsOriginValidator`` compares the host name only, so a page of another
service on the same machine (another port) or a plain-HTTP page beside an HTTPS install could
open a console socket with the staff's cookies. Here the Origin must equal the origin the
socket was reached at — ``http(s)://`` + the Host header, default ports folded — or be listed
in ``CSRF_TRUSTED_ORIGINS`` (an install behind a proxy that rewrites the host). The Host must
still be one of ``ALLOWED_HOSTS``. Anything else is refused at the handshake (403).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` with the default port filled in; None if it is not one."""
    if scheme not in DEFAULT_PORTS or not netloc:
        return None
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username or parts.password:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _parse(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return _origin(parts.scheme.lower(), parts.netloc)


def origin_allowed(scope: dict) -> bool:
    headers = dict(scope.get("headers", []))
    origin = _parse(headers.get(b"origin", b"").decode("latin-1"))
    if origin is None:
        return False
    if origin in {_parse(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    host = headers.get(b"host", b"").decode("latin-1")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme", "ws") in ("wss", "https")
    return origin == _origin("https" if secure else "http", host)


class SameOriginValidator:
    """ASGI middleware: refuse the handshake unless ``origin_allowed``."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
