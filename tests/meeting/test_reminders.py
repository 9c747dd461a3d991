"""Reminders go out by e-mail through Django's mail settings, each one once."""

import datetime

import pytest
from django.core.management import call_command

from meeting import reminders
from meeting.models import SentReminder
from tests.smtp import local_smtp

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with local_smtp(settings) as inbox:
        yield inbox


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
