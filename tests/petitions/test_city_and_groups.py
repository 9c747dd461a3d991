"""A petition taken out of its group, and a commune's petition the city council takes into its
own handling (the commune follows it, read only). Each: the service, the page, and every
refusal with nothing changed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from meeting.council_log import verify_council_log
from meeting.models import Agency, CouncilLog
from petitions import services
from petitions.models import Petition, Status
from realtime.actors import Actor
from tests.factories import make_staff
from tests.petitions.conftest import enter, forwarded, in_days, make_officer, refused

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def group(a):
    """A consolidated petition of commune A over three received petitions."""
    members = [enter(a, text=f"Đường Lê Lợi ngập nước, lần {n}") for n in range(3)]
    made = services.petitions_group(
        council_id=a.council.pk, petition_ids=[m.pk for m in members], actor=a.clerk
    )
    return SimpleNamespace(group=made, members=members)


# -- taking a petition out of its group ------------------------------------------------------


def test_a_petition_taken_out_of_its_group_is_its_own_again(a, group):
    taken = group.members[0]
    services.petition_ungroup(petition_id=taken.pk, actor=a.clerk)
    taken.refresh_from_db()
    assert (taken.group_id, taken.status, taken.agency_id) == (None, Status.RECEIVED, None)
    assert set(group.group.members.values_list("pk", flat=True)) == {
        m.pk for m in group.members[1:]
    }
    entry = CouncilLog.objects.filter(council=a.council).latest("id")
    assert (entry.action, entry.data["petition"], entry.data["removed"]) == (
        "petition.ungroup",
        group.group.pk,
        taken.pk,
    )
    assert verify_council_log(a.council.pk) == []
    # It moves on its own now; the group does not carry it.
    forwarded(a, group.group)
    taken.refresh_from_db()
    assert taken.status == Status.RECEIVED


def test_ungroup_refusals_change_nothing(city, a, group, received):
    first, second, third = group.members
    ungroup = services.petition_ungroup
    refused("petition.not_grouped", a.council, ungroup, petition_id=received.pk, actor=a.clerk)
    refused("petition.not_found", a.council, ungroup, petition_id=first.pk, actor=city.b.clerk)
    refused("petition.not_found", a.council, ungroup, petition_id=first.pk, actor=city.standing)
    ungroup(petition_id=first.pk, actor=a.clerk)
    ungroup(petition_id=second.pk, actor=a.clerk)
    refused("group.last_member", a.council, ungroup, petition_id=third.pk, actor=a.clerk)


def test_once_the_group_is_forwarded_no_petition_leaves_it(a, group):
    forwarded(a, group.group)
    refused(
        "group.moved",
        a.council,
        services.petition_ungroup,
        petition_id=group.members[0].pk,
        actor=a.clerk,
    )


def test_the_page_offers_to_take_it_out_and_the_history_says_so(a, group):
    taken = group.members[0]
    clerk = client_for(a.clerk)
    page = clerk.get(f"/petitions/{taken.pk}/").content.decode()
    assert 'id="ungroup-form"' in page
    done = clerk.post(f"/petitions/{taken.pk}/act/", {"action": "ungroup"}, follow=True)
    body = done.content.decode()
    assert "Đã tách kiến nghị khỏi kiến nghị tổng hợp" in body
    assert "Tách kiến nghị khỏi kiến nghị tổng hợp" in body  # its history
    assert 'id="ungroup-form"' not in body and 'id="forward-form"' in body
    # Refused on the page too, with its code, and nothing changed.
    again = clerk.post(f"/petitions/{taken.pk}/act/", {"action": "ungroup"}, follow=True)
    assert "code-petition.not_grouped" in again.content.decode()


# -- the city takes a commune's petition into its own handling ------------------------------


@pytest.fixture
def the_city(city):
    """The city council's clerk, an agency of the city (Sở Xây dựng) and its officer."""
    agency = Agency.objects.create(council=city.council, name="Sở Xây dựng", kind="department")
    return SimpleNamespace(
        clerk=Actor(user=make_staff(role="clerk", council=city.council)),
        agency=agency,
        officer=Actor(user=make_officer(agency, "canbo.soxaydung")),
    )


def test_the_city_takes_a_forwarded_petition_to_the_end(city, a, received, the_city):
    services.petition_to_city(petition_id=received.pk, actor=a.clerk, reason="Thẩm quyền")
    services.petition_forward(
        petition_id=received.pk,
        agency_id=the_city.agency.pk,
        due_date=in_days(30),
        actor=the_city.clerk,
    )
    services.petition_start(petition_id=received.pk, actor=the_city.officer)
    services.petition_answer(
        petition_id=received.pk, text="Sở đã lập dự án chống ngập.", actor=the_city.officer
    )
    services.petition_inform(petition_id=received.pk, actor=the_city.clerk)
    received.refresh_from_db()
    assert (received.council, received.handler, received.agency, received.status) == (
        a.council,
        city.council,
        the_city.agency,
        Status.INFORMED,
    )

    # The commune's chain has what the commune did; the city's, what the city did.
    def actions(council):
        rows = CouncilLog.objects.filter(council=council, data__petition=received.pk)
        return [e.action.removeprefix("petition.") for e in rows.order_by("id")]

    assert actions(a.council) == ["create", "to_city"]
    assert actions(city.council) == ["forward", "start", "answer", "inform"]
    assert verify_council_log(a.council.pk) == verify_council_log(city.council.pk) == []


def test_the_commune_follows_what_the_city_handles_and_may_not_act(city, a, received, the_city):
    services.petition_to_city(petition_id=received.pk, actor=a.clerk)
    also = [city.council]
    # The commune no longer forwards it, even to its own agency: the city does.
    refused(
        "petition.with_city",
        a.council,
        services.petition_forward,
        petition_id=received.pk,
        agency_id=a.committee.pk,
        due_date=in_days(30),
        actor=a.clerk,
        also=also,
    )
    # The city forwards to its own agencies only.
    refused(
        "agency.unknown",
        a.council,
        services.petition_forward,
        petition_id=received.pk,
        agency_id=a.committee.pk,
        due_date=in_days(30),
        actor=the_city.clerk,
        also=also,
    )
    services.petition_forward(
        petition_id=received.pk,
        agency_id=the_city.agency.pk,
        due_date=in_days(30),
        actor=the_city.clerk,
    )
    # The commune's agency may not answer it; the city's answers.
    refused(
        "petition.not_found",
        a.council,
        services.petition_answer,
        petition_id=received.pk,
        text="Trả lời",
        actor=a.officer,
        also=also,
    )
    services.petition_answer(
        petition_id=received.pk, text="Sở đã lập dự án chống ngập.", actor=the_city.officer
    )
    refused(
        "petition.with_city",
        a.council,
        services.petition_inform,
        petition_id=received.pk,
        actor=a.clerk,
        also=also,
    )
    # The commune's page: the city's progress, read only.
    page = client_for(a.clerk).get(f"/petitions/{received.pk}/").content.decode()
    assert 'id="with-city"' in page and "Sở Xây dựng" in page
    assert "Sở đã lập dự án chống ngập." in page
    assert 'action="/petitions/' not in page.split('id="with-city"')[1].split("history")[0]


def test_the_city_sees_its_queue_and_acts_from_the_page(city, a, received, the_city):
    services.petition_to_city(petition_id=received.pk, actor=a.clerk)
    clerk = client_for(the_city.clerk)
    listed = clerk.get("/petitions/?status=to_city").context["page"]
    assert [p.pk for p in listed] == [received.pk]
    page = clerk.get(f"/petitions/{received.pk}/").content.decode()
    assert 'id="forward-form"' in page and "Sở Xây dựng" in page
    assert 'id="to-city-form"' not in page and 'id="group-form"' not in page
    due = in_days(30)
    clerk.post(
        f"/petitions/{received.pk}/act/",
        {"action": "forward", "agency": the_city.agency.pk, "due_date": f"{due:%d/%m/%Y}"},
    )
    received.refresh_from_db()
    assert (received.status, received.agency, received.due_date) == (
        Status.FORWARDED,
        the_city.agency,
        due,
    )
    # The city's overview counts it under its commune, once.
    overview = clerk.get("/petitions/overview/?from=01/01/2000").context
    assert overview["total"] == 1


def test_what_the_city_handles_waits_on_the_city_and_its_reminders_go_to_the_city(
    city, a, received, the_city, settings
):
    import email

    from django.core.management import call_command

    from tests.smtp import local_smtp

    services.petition_to_city(petition_id=received.pk, actor=a.clerk)
    services.petition_forward(
        petition_id=received.pk,
        agency_id=the_city.agency.pk,
        due_date=in_days(3),
        actor=the_city.clerk,
        on=in_days(-10),
    )
    city_due = client_for(the_city.clerk).get("/petitions/due/").context["council_items"]
    assert [p.pk for p in city_due] == [received.pk]
    assert client_for(a.clerk).get("/petitions/due/").context["council_items"] == []
    for who, address in ((the_city.clerk, "vanthu.tp@example.vn"), (a.clerk, "vanthu@example.vn")):
        who.user.email = address
        who.user.save(update_fields=["email"])
    late = in_days(5)  # two days past its due date
    with local_smtp(settings) as inbox:
        call_command("send_reminders", "--date", late.isoformat())
    (message,) = inbox.messages
    assert "vanthu.tp@example.vn" in message.rcpt_tos
    assert "vanthu@example.vn" not in message.rcpt_tos
    body = email.message_from_bytes(message.content).get_payload(decode=True).decode()
    assert "Sở Xây dựng" in body


def test_a_city_petition_is_not_sent_to_a_city_above(city, the_city):
    own = services.petition_create(
        council_id=city.council.pk,
        text="Cử tri đề nghị mở rộng đường vành đai",
        field_id=_city_field(city).pk,
        source=Petition.Source.LETTER,
        actor=the_city.clerk,
    )
    refused(
        "petition.no_city",
        city.council,
        services.petition_to_city,
        petition_id=own.pk,
        actor=the_city.clerk,
    )


def _city_field(city):
    from petitions.models import Field

    return Field.objects.create(council=city.council, name="Giao thông")
