"""Issue 10 item 11: staff roles belong to a council. A ward's secretary cannot run the city's
(or another ward's) console, a ward's clerk cannot print another council's badges; the city's
Standing Committee reads the councils under it and runs nothing."""

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from meeting.models import ActionLog, Council, Delegate, Membership, Session
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city():
    city = make_council(seats=5, level=Council.Level.CITY, name="HĐND Thành phố Thử")
    ward_a = make_council(seats=3, parent=city, name="HĐND Phường A")
    ward_b = make_council(seats=3, parent=city, name="HĐND Phường B")
    return {
        "city": city,
        "a": ward_a,
        "b": ward_b,
        "session_city": make_session(council=city),
        "session_a": make_session(council=ward_a),
        "session_b": make_session(council=ward_b),
        "secretary_b": make_staff(role="secretary", council=ward_b),
        "clerk_b": make_staff(role="clerk", council=ward_b),
        "chair_a": make_staff(role="chair", council=ward_a),
        "standing": make_staff(role="standing", council=city),
    }


def test_a_wards_secretary_runs_only_her_wards_console(client, city):
    client.force_login(city["secretary_b"])
    assert client.get(reverse("chair", args=[city["session_city"].pk])).status_code == 403
    assert client.get(reverse("chair", args=[city["session_a"].pk])).status_code == 403
    assert client.get(reverse("chair", args=[city["session_b"].pk])).status_code == 200
    listed = client.get(reverse("chair-index")).context["sessions"]
    assert {s.pk for s in listed} == {city["session_b"].pk}
    # The projector needs the room key unless the user runs that council's sittings.
    assert client.get(reverse("projector", args=[city["session_a"].pk])).status_code == 403
    assert client.get(reverse("projector", args=[city["session_b"].pk])).status_code == 200


@pytest.mark.asyncio
async def test_a_wards_secretary_cannot_open_the_citys_console_socket(city):
    polls_before = await database_sync_to_async(lambda: ActionLog.objects.count())()
    comm = await helpers.chair(city["session_city"], city["secretary_b"])
    try:
        connected, _ = await comm.connect()
        assert connected  # accepted, then closed with the reason
        closed = await comm.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4403}
    finally:
        await comm.disconnect()
    assert await database_sync_to_async(lambda: ActionLog.objects.count())() == polls_before
    # Her own ward's console works.
    own = await helpers.chair(city["session_b"], city["secretary_b"])
    try:
        await helpers.connect_and_snapshot(own)
    finally:
        await own.disconnect()


def test_a_wards_clerk_prints_only_her_wards_badges(client, city):
    client.force_login(city["clerk_b"])
    assert client.get(reverse("badges", args=[city["city"].pk])).status_code == 403
    assert client.get(reverse("badges", args=[city["a"].pk])).status_code == 403
    own = client.get(reverse("badges", args=[city["b"].pk]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    staff_docs = reverse("staff-documents", args=[city["session_a"].pk])
    assert client.get(staff_docs).status_code == 403
    assert client.get(reverse("staff-documents", args=[city["session_b"].pk])).status_code == 200


def test_the_standing_committee_reads_the_wards_and_runs_nothing(client, city):
    client.force_login(city["standing"])
    for key in ("session_city", "session_a", "session_b"):
        session = city[key]
        assert client.get(reverse("record", args=[session.pk])).status_code == 200, key
        export = reverse("record-export", args=[session.pk, "attendance.csv"])
        assert client.get(export).status_code == 200, key
        assert client.get(reverse("chair", args=[session.pk])).status_code == 403, key
    # No badge sheet (the login page again: the role has no such permission anywhere).
    assert client.get(reverse("badges", args=[city["a"].pk])).status_code in (302, 403)
    # A ward's staff read only their own ward's live record.
    client.force_login(city["secretary_b"])
    assert client.get(reverse("record", args=[city["session_a"].pk])).status_code == 403
    assert client.get(reverse("record", args=[city["session_b"].pk])).status_code == 200
    a_export = reverse("record-export", args=[city["session_a"].pk, "record.json"])
    assert client.get(a_export).status_code == 403


def test_the_admin_shows_and_changes_only_the_clerks_council(client, city):
    client.force_login(city["clerk_b"])
    listed = client.get(reverse("admin:meeting_delegate_changelist")).context["cl"].result_list
    assert {d.council_id for d in listed} == {city["b"].pk}
    other = city["a"].delegates.first()
    change = client.get(reverse("admin:meeting_delegate_change", args=[other.pk]))
    assert change.status_code in (302, 403, 404)
    old_key = other.badge_key
    client.post(
        reverse("admin:meeting_delegate_changelist"),
        {"action": "reissue_badges", "_selected_action": [other.pk]},
    )
    assert Delegate.objects.get(pk=other.pk).badge_key == old_key
    sessions = client.get(reverse("admin:meeting_session_changelist")).context["cl"].result_list
    assert {s.council_id for s in sessions} == {city["b"].pk}
    add = client.get(reverse("admin:meeting_session_add"))
    assert set(add.context["adminform"].form.fields["council"].queryset) == {city["b"]}
    # Adding a delegate to another council is refused by the form.
    client.post(
        reverse("admin:meeting_delegate_add"),
        {"council": city["a"].pk, "full_name": "Người Lạ", "vote_weight": 1},
    )
    assert not Delegate.objects.filter(full_name="Người Lạ").exists()
    # The log of another ward's session is not the clerk's to read either.
    client.force_login(city["secretary_b"])
    log = client.get(reverse("admin:meeting_actionlog_changelist")).context["cl"].result_list
    assert {entry.session.council_id for entry in log} <= {city["b"].pk}


def test_memberships_are_the_councils(city):
    assert set(
        Membership.objects.filter(user=city["secretary_b"]).values_list("council_id", "role")
    ) == {(city["b"].pk, "secretary")}
    assert Session.objects.filter(council=city["b"]).exists()


def test_the_demo_staff_act_for_the_demo_ward_only(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    from meeting.management.commands.load_demo import COUNCIL_NAME

    ward = Council.objects.get(name=COUNCIL_NAME)
    city = ward.parent
    roles = set(
        Membership.objects.filter(council=ward).values_list("user__username", "council_id", "role")
    )
    assert roles == {
        ("chutoa", ward.pk, "chair"),
        ("thuky", ward.pk, "secretary"),
        ("vanthu", ward.pk, "clerk"),
        ("thuongtrucphuong", ward.pk, "standing"),  # sends the ward's written consultations
    }
    # The city holds only its Standing Committee, which reads and runs nothing in the ward.
    assert set(Membership.objects.filter(council=city).values_list("role", flat=True)) == {
        "standing"
    }
    client.force_login(Membership.objects.get(council=ward, role="clerk").user)
    assert client.get(reverse("badges", args=[ward.pk])).status_code == 200
    assert client.get(reverse("badges", args=[city.pk])).status_code == 403
