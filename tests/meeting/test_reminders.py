"""Reminders go out by e-mail through Django's mail settings, each one once."""

import datetime
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from meeting import reminders
from meeting.models import SentReminder

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
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
    yield inbox
    controller.stop()


@pytest.fixture
def provider():
    seen = []

    def due(today):
        seen.append(today)
        yield reminders.Reminder(
            key=f"test:1:due:{today}",
            to=("can.bo@example.vn",),
            subject="Sắp đến hạn trả lời",
            body="Kiến nghị số 1 đến hạn ngày mai.",
        )
        yield reminders.Reminder(key="test:2", to=(), subject="x", body="x")

    reminders.register("test", due)
    yield seen
    reminders._providers.pop("test", None)


def test_each_reminder_goes_once_to_the_local_smtp_server(smtp, provider, capsys):
    call_command("send_reminders", "--date", "2026-12-01")
    assert provider == [datetime.date(2026, 12, 1)]
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["can.bo@example.vn"]
    assert envelope.mail_from == "hdnd@example.vn"
    text = envelope.content.decode()
    assert "Subject: =?utf-8?" in text  # Vietnamese subject, encoded
    assert SentReminder.objects.filter(key="test:1:due:2026-12-01").exists()
    assert "1 sent, 0 already sent, 1 without an address, 0 failed" in capsys.readouterr().out

    call_command("send_reminders", "--date", "2026-12-01")
    assert len(smtp.messages) == 1  # nothing twice
    call_command("send_reminders", "--date", "2026-12-02")
    assert len(smtp.messages) == 2  # a new key, a new message


def test_dry_run_sends_and_records_nothing(smtp, provider):
    call_command("send_reminders", "--dry-run")
    assert smtp.messages == [] and not SentReminder.objects.exists()
