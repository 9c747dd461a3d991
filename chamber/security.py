"""Security headers every page carries, and when debug pages may be shown.

The Content-Security-Policy allows scripts and styles from Chamber's own static files only:
no inline script or style, no ``eval``; page images may be blob URLs (the reader preloads
them), and the screens' WebSocket is the page's own host.
"""

from __future__ import annotations

import ipaddress

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def content_security_policy(request: HttpRequest) -> str:
    host = request.get_host()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _add(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # Django's own debug pages (loopback only) are made of inline styles and scripts.
        if not (settings.DEBUG and response.status_code >= 400):
            response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        return response

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        return self._add(request, self.get_response(request))

    async def _acall(self, request):
        return self._add(request, await self.get_response(request))
