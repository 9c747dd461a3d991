"""A local SMTP server (aiosmtpd) that keeps what it receives: ``smtp`` fixture helpers."""

from __future__ import annotations

import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


@contextmanager
def local_smtp(settings):
    """Django's mail settings pointed at a fresh local server; yields its ``Inbox``."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own port after start)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.DEFAULT_FROM_EMAIL = "hdnd@example.vn"
    try:
        yield inbox
    finally:
        controller.stop()
