"""The admin: every page renders; live state stays with the services."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from meeting import services
from meeting.badges import badge_token, delegate_for_badge
from meeting.models import ActionLog, AgendaItem, Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber():
    council = make_council(seats=6)
    session = make_session(council=council, status=Session.Status.IN_PROGRESS, sub_items=1)
    delegate = council.delegates.first()
    services.attendance_set(
        session_id=session.pk,
        delegate_id=delegate.pk,
        status=Attendance.Status.PRESENT,
        actor=Actor(delegate=delegate),
    )
    return council, session, delegate


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("quantri", password="pw-123456")
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    "model", ["council", "delegate", "session", "attendance", "actionlog"], ids=str
)
def test_changelists_render(admin_client, chamber, model):
    response = admin_client.get(reverse(f"admin:meeting_{model}_changelist"))
    assert response.status_code == 200


def test_change_and_add_pages_render(admin_client, chamber):
    council, session, delegate = chamber
    attendance = Attendance.objects.get(session=session, delegate=delegate)
    log = ActionLog.objects.filter(session=session).first()
    pages = [
        reverse("admin:meeting_council_change", args=[council.pk]),
        reverse("admin:meeting_council_add"),
        reverse("admin:meeting_delegate_change", args=[delegate.pk]),
        reverse("admin:meeting_session_change", args=[session.pk]),
        reverse("admin:meeting_session_add"),
        reverse("admin:meeting_attendance_change", args=[attendance.pk]),
        reverse("admin:meeting_actionlog_change", args=[log.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_session_page_shows_the_projector_url_and_keeps_live_state_read_only(admin_client, chamber):
    _council, session, _delegate = chamber
    response = admin_client.get(reverse("admin:meeting_session_change", args=[session.pk]))
    page = response.content.decode()
    assert f"/projector/{session.pk}/?key={session.projector_key}" in page
    form = response.context["adminform"].form
    for field in ("status", "current_item", "seq", "council"):
        assert field not in form.fields
    # The agenda of a live session is the record: shown, not editable.
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission


def test_posting_a_status_change_does_not_change_the_status(admin_client, chamber):
    _council, session, _delegate = chamber
    url = reverse("admin:meeting_session_change", args=[session.pk])
    response = admin_client.post(
        url,
        {
            "number": session.number,
            "title": "Tiêu đề mới",
            "planned_start": "2026-12-01",
            "planned_end": "2026-12-02",
            "status": Session.Status.CLOSED,
            "seq": 999,
            "minutes_copies": 2,
            "agenda_items-TOTAL_FORMS": "0",
            "agenda_items-INITIAL_FORMS": "0",
            "guests-TOTAL_FORMS": "0",
            "guests-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.title == "Tiêu đề mới"
    assert session.status == Session.Status.IN_PROGRESS
    assert session.seq != 999


def test_record_is_read_only(admin_client, chamber):
    _council, session, delegate = chamber
    attendance = Attendance.objects.get(session=session, delegate=delegate)
    assert admin_client.get(reverse("admin:meeting_attendance_add")).status_code == 403
    assert admin_client.get(reverse("admin:meeting_actionlog_add")).status_code == 403
    url = reverse("admin:meeting_attendance_change", args=[attendance.pk])
    admin_client.post(url, {"status": Attendance.Status.ABSENT})
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.PRESENT


def test_reissue_action_revokes_the_badge(admin_client, chamber):
    _council, session, delegate = chamber
    old = badge_token(delegate)
    response = admin_client.post(
        reverse("admin:meeting_delegate_changelist"),
        {"action": "reissue_badges", "_selected_action": [delegate.pk]},
    )
    assert response.status_code == 302
    with pytest.raises(ServiceError) as refused:
        delegate_for_badge(old)
    assert refused.value.code == "badge.revoked"
    delegate.refresh_from_db()
    assert delegate_for_badge(badge_token(delegate)) == delegate
    log = ActionLog.objects.get(session=session, action="badge.reissued")
    assert log.actor_user == admin_client.user
    assert log.data == {"delegate": delegate.pk}


def test_print_badges_action_redirects_to_the_sheet(admin_client, chamber):
    council, session, _delegate = chamber
    response = admin_client.post(
        reverse("admin:meeting_session_changelist"),
        {"action": "print_badges", "_selected_action": [session.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("badges", args=[council.pk])


def test_schedule_action_goes_through_the_service(admin_client):
    session = make_session(council=make_council(seats=3), status=Session.Status.DRAFT)
    admin_client.post(
        reverse("admin:meeting_session_changelist"),
        {"action": "schedule_sessions", "_selected_action": [session.pk]},
    )
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    assert ActionLog.objects.filter(session=session, action="session.schedule").exists()


def test_agenda_of_a_draft_session_is_editable_with_parents_from_that_session(admin_client):
    session = make_session(
        council=make_council(seats=3), status=Session.Status.DRAFT, items=2, sub_items=0
    )
    other = make_session(council=make_council(seats=3), status=Session.Status.DRAFT, items=1)
    response = admin_client.get(reverse("admin:meeting_session_change", args=[session.pk]))
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission
    parents = inline.formset.forms[0].fields["parent"].queryset
    assert set(parents) == set(AgendaItem.objects.filter(session=session))
    assert not set(parents) & set(AgendaItem.objects.filter(session=other))


def test_clerk_can_reissue_and_print_but_chair_cannot_reissue(client, chamber):
    council, _session, delegate = chamber
    chair = make_staff(role="chair", council=council)
    chair.is_staff = True
    chair.save()
    client.force_login(chair)
    old_key = delegate.badge_key
    client.post(
        reverse("admin:meeting_delegate_changelist"),
        {"action": "reissue_badges", "_selected_action": [delegate.pk]},
    )
    assert Delegate.objects.get(pk=delegate.pk).badge_key == old_key

    clerk = make_staff(role="clerk", council=council)
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    response = client.post(
        reverse("admin:meeting_delegate_changelist"),
        {"action": "reissue_badges", "_selected_action": [delegate.pk]},
    )
    assert response.status_code == 302
    assert Delegate.objects.get(pk=delegate.pk).badge_key != old_key
