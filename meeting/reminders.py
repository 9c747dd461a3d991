"""E-mail reminders before a due date and notices once it has passed, for every app.

Apps plug **providers** in; ``chamber send_reminders`` (run it daily, from cron or a systemd
timer) asks each provider what is due and sends it through Django's mail settings
(``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``; chamber/settings.py reads them from the environment).

A provider is a function ``(today: date) -> Iterable[Reminder]``, registered once, in the app's
``AppConfig.ready``::

    from meeting import reminders

    def due_petitions(today):
        for p in ...:   # one query: what is due in N days or overdue
            yield reminders.Reminder(
                key=f"petition:{p.pk}:overdue:{p.due_date}",
                to=("officer@example.vn",),
                subject="...", body="...",
            )

    reminders.register("petitions", due_petitions)

``key`` says what the message is about: a key already sent (``SentReminder``) is not sent
again, so running the command twice a day, or again after a failure, sends each reminder once.
Put the due date in the key when a new due date should bring a new reminder. Providers run
with Vietnamese active (the e-mails are in the first language of the house).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class SentReminder(models.Model):
    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True)

    class Meta:
        verbose_name = _("thư nhắc việc đã gửi")
        verbose_name_plural = _("thư nhắc việc đã gửi")

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Reminder:
    key: str
    to: tuple[str, ...]
    subject: str
    body: str


Provider = Callable[[date], Iterable[Reminder]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, by name) a provider."""
    _providers[name] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)
    already_sent: int = 0
    no_recipient: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _already_sent(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found |= set(SentReminder.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> Report:
    """Ask every provider, send what was not sent yet, remember what went out."""
    today = today or timezone.localdate()
    report = Report()
    with translation.override("vi"):
        wanted = [r for provider in _providers.values() for r in provider(today)]
    sent_before = _already_sent([r.key for r in wanted])
    report.already_sent = sum(1 for r in wanted if r.key in sent_before)
    fresh = {r.key: r for r in wanted if r.key not in sent_before}  # one per key
    if dry_run:
        report.sent = list(fresh)
        return report
    connection = get_connection(fail_silently=False)
    with connection:
        for reminder in fresh.values():
            recipients = tuple(sorted({a for a in reminder.to if a}))
            if not recipients:
                report.no_recipient.append(reminder.key)
                continue
            message = EmailMessage(
                subject=reminder.subject,
                body=reminder.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=list(recipients),
                connection=connection,
            )
            try:
                message.send()
            except Exception:  # one bad address or a refused message: the others still go
                log.exception("reminder %s not sent", reminder.key)
                report.failed.append(reminder.key)
                continue
            SentReminder.objects.create(
                key=reminder.key, sent_at=timezone.now(), recipients=", ".join(recipients)
            )
            report.sent.append(reminder.key)
    return report
