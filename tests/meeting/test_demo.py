"""``chamber load_demo``: a ready council, idempotent, and links that work."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count

from meeting.management.commands import load_demo
from meeting.models import ActionLog, AgendaItem, Attendance, Council, Delegate, Session

pytestmark = pytest.mark.django_db


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_twice_builds_one_council_with_a_session_in_progress():
    _load()
    first_keys = set(Delegate.objects.values_list("badge_key", flat=True))
    output = _load()

    council = Council.objects.get(name=load_demo.COUNCIL_NAME)
    assert council.parent is not None and council.parent.level == Council.Level.CITY
    # The demo ward, the city, and a second commune of the city (its voters' petitions).
    assert Council.objects.count() == 3
    delegates = council.delegates.all()
    assert 25 <= delegates.count() <= 35
    assert council.seats == delegates.count()
    assert len({d.full_name for d in delegates}) == delegates.count()
    assert len({d.seat_label for d in delegates}) == delegates.count()
    assert any(d.title == "Chủ tịch HĐND" for d in delegates)
    # Delegates are found again, not replaced: their printed badges keep working.
    assert set(Delegate.objects.values_list("badge_key", flat=True)) == first_keys

    # The live sitting; the other is the past one whose votes became resolutions.
    session = Session.objects.get(status=Session.Status.IN_PROGRESS)
    items = AgendaItem.objects.filter(session=session)
    assert items.filter(parent=None).count() >= 8
    assert items.exclude(parent=None).exists()
    assert session.current_item is not None and session.current_item.parent_id is None
    # Opened through the services: the transitions are in the log, once.
    log = ActionLog.objects.filter(session=session, action__startswith="session.")
    assert list(log.values_list("action", flat=True)) == ["session.schedule", "session.open"]
    # With its quorum: the secretary's roll call before it, no override.
    opening = log.get(action="session.open").data["quorum"]
    assert opening["quorate"] and opening["override_reason"] == ""
    assert opening["present"] >= opening["required"] == -(-2 * council.seats // 3)

    for username, group in [("chutoa", "chair"), ("thuky", "secretary"), ("vanthu", "clerk")]:
        user = User.objects.get(username=username)
        assert user.is_staff
        assert user.check_password("chamber-demo")
        assert user.groups.filter(name=group).exists()

    assert f"http://127.0.0.1:8000/chair/{session.pk}/" in output
    assert f"http://127.0.0.1:8000/projector/{session.pk}/?key={session.projector_key}" in output
    assert len(re.findall(r"http://127\.0\.0\.1:8000/tablet/signin/\w+/", output)) == 3
    assert f"http://127.0.0.1:8000/staff/councils/{council.pk}/badges.pdf" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "chutoa" in output and "chamber-demo" in output


def test_load_demo_uses_the_given_host_and_port():
    output = _load("--host", "192.168.1.20", "--port", "9000")
    assert "http://192.168.1.20:9000/chair/" in output
    assert "127.0.0.1" not in output


def test_printed_links_work(client):
    output = _load()
    session = Session.objects.get(status=Session.Status.IN_PROGRESS)

    tablet_links = re.findall(r"http://127\.0\.0\.1:8000(/tablet/signin/\w+/)", output)
    response = client.get(tablet_links[0])
    assert response.status_code == 302
    assert response["Location"] == "/tablet/"
    delegate = Delegate.objects.get(pk=client.session["delegate_id"])
    attendance = Attendance.objects.get(session=session, delegate=delegate)
    assert attendance.status == Attendance.Status.PRESENT

    projector = re.search(r"http://127\.0\.0\.1:8000(/projector/\S+)", output).group(1)
    assert client.get(projector).status_code == 200

    client.logout()
    assert client.login(username="chutoa", password="chamber-demo")
    assert client.get(f"/chair/{session.pk}/").status_code == 200
    client.logout()
    assert client.login(username="vanthu", password="chamber-demo")
    badges = client.get(f"/staff/councils/{session.council_id}/badges.pdf")
    assert badges.status_code == 200
    assert badges["Content-Type"] == "application/pdf"


def test_a_closed_demo_session_is_kept_and_a_new_one_opened():
    from meeting import services
    from realtime.actors import SYSTEM

    _load()
    closed = Session.objects.get(status=Session.Status.IN_PROGRESS)
    services.session_transition(session_id=closed.pk, action="close", actor=SYSTEM)
    _load()
    closed.refresh_from_db()
    assert closed.status == Session.Status.CLOSED
    live = Session.objects.get(status=Session.Status.IN_PROGRESS)
    assert live.number == closed.number + 1
    assert live.current_item is not None


def test_load_demo_gives_two_communes_a_year_of_petitions_once():
    from meeting.council_log import verify_council_log
    from petitions.models import Petition

    output = _load()
    assert "/petitions/overview/" in output and "thuongtruc" in output
    counts = dict(Petition.objects.values_list("council_id").annotate(n=Count("pk")))
    assert len(counts) == 2 and all(n >= 20 for n in counts.values())
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {"received", "forwarded", "answered", "closed", "to_city"} <= statuses
    assert Petition.objects.filter(members__isnull=False).exists()  # consolidated ones
    before = Petition.objects.count()
    _load()
    assert Petition.objects.count() == before
    for council_id in counts:
        assert verify_council_log(council_id) == []


def test_load_demo_shows_resolutions_with_tasks_and_an_open_consultation_once():
    from resolutions.models import Consultation, Resolution, Task
    from resolutions.verify import verify_council

    output = _load()
    assert "/resolutions/overview/" in output and "thuongtrucphuong" in output
    ward = Council.objects.get(name=load_demo.COUNCIL_NAME)
    resolutions = Resolution.objects.filter(council=ward)
    assert resolutions.count() == 3 and all(r.poll_id and r.signed_file_id for r in resolutions)
    states = {task.state for task in Task.objects.filter(council=ward)}
    assert states == {"on_track", "late", "done"}
    assert Task.objects.filter(kind="recommendation").count() == 2
    assert Consultation.objects.filter(council=ward, status="open").count() == 1
    _load()
    assert resolutions.count() == 3 and Consultation.objects.count() == 1
    assert verify_council(ward.pk) == []
