"""Petitions' reminders by e-mail (a local SMTP server), and the overview's fixed queries."""

from __future__ import annotations

import datetime
import email

import pytest
from django.core.management import call_command
from django.test import Client

from petitions import services
from tests.petitions.conftest import TODAY, enter, forwarded
from tests.smtp import local_smtp

pytestmark = pytest.mark.django_db


def test_due_soon_and_overdue_petitions_are_mailed_once_each(city, settings):
    a = city.a
    soon = forwarded(a, due=TODAY + datetime.timedelta(days=2))
    late = forwarded(a, due=TODAY - datetime.timedelta(days=1))
    answered = forwarded(a, due=TODAY - datetime.timedelta(days=3))
    services.petition_answer(petition_id=answered.pk, text="Đã xử lý.", actor=a.officer)
    a.clerk.user.email = "vanthu@example.vn"
    a.clerk.user.save(update_fields=["email"])
    with local_smtp(settings) as inbox:
        call_command("send_reminders", "--date", TODAY.isoformat())
        call_command("send_reminders", "--date", TODAY.isoformat())
    by_subject = {}
    for envelope in inbox.messages:
        body = email.message_from_bytes(envelope.content).get_payload(decode=True).decode()
        number = next(p.pk for p in (soon, late) if body.startswith(f"Kiến nghị #{p.pk} "))
        by_subject[number] = sorted(envelope.rcpt_tos)
    assert len(inbox.messages) == 2
    # The agency and its officer; an overdue notice also to the council's clerk.
    assert by_subject[soon.pk] == sorted(["ubnd@example.vn", a.officer.user.email])
    assert by_subject[late.pk] == sorted(
        ["ubnd@example.vn", a.officer.user.email, "vanthu@example.vn"]
    )


def test_the_city_overview_is_a_fixed_number_of_queries(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.petitions.conftest import make_commune

    client = Client()
    client.force_login(city.standing.user)

    def queries() -> int:
        client.get("/petitions/overview/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/petitions/overview/")
        return len(captured), response.context["total"]

    for commune in (city.a, city.b):
        for n in range(3):
            enter(commune, text=f"Kiến nghị {n}")
        forwarded(commune)
    few, total = queries()
    more = make_commune(city.council, "Xã Thêm")
    for n in range(6):
        enter(more, text=f"Kiến nghị {n}")
    many, more_total = queries()
    # Two aggregates for the four charts (and the names of what they count) plus the sign-in
    # and the councils in sight: the same count whatever the number of communes and petitions.
    assert (total, more_total) == (8, 14)
    assert few == many <= 13
