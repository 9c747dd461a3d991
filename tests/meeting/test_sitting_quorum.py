"""Quorum by law at the opening, the chair's override with its reason, and the council's rules
fixed for the session when it opens (issue 9 §2, issue 10 item 12)."""

import pytest
from django.utils import translation

from meeting import chain, selectors, services
from meeting.fixed_rules import rules_of
from meeting.models import ActionLog, Attendance, Council, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair():
    return Actor(user=make_staff(role="chair"))


@pytest.fixture
def scheduled():
    """A 30-seat council (quorum: 20) and its next sitting, not yet open."""
    return make_session(council=make_council(seats=30), status=Session.Status.SCHEDULED)


def roll_call(session, present, actor):
    for delegate in session.council.delegates.order_by("seat_label")[:present]:
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=actor
        )


def open_(session, actor, **extra):
    return services.session_transition(session_id=session.pk, action="open", actor=actor, **extra)


def test_opening_below_the_quorum_is_refused_and_changes_nothing(scheduled, chair, published):
    roll_call(scheduled, 19, chair)
    before = Session.objects.get(pk=scheduled.pk)
    entries = ActionLog.objects.filter(session=scheduled).count()
    with published() as events, pytest.raises(ServiceError) as refused:
        open_(scheduled, chair)
    assert refused.value.code == "quorum.not_met"
    assert "Chưa đủ túc số" in refused.value.message
    assert "19/30" in refused.value.message and "20" in refused.value.message
    after = Session.objects.get(pk=scheduled.pk)
    assert after.status == Session.Status.SCHEDULED and after.seq == before.seq
    assert after.seats is None  # nothing fixed either
    assert ActionLog.objects.filter(session=scheduled).count() == entries
    assert events == []


def test_a_blank_reason_is_no_override(scheduled, chair):
    roll_call(scheduled, 4, chair)
    with pytest.raises(ServiceError) as refused:
        open_(scheduled, chair, override_reason="   ")
    assert refused.value.code == "quorum.not_met"
    assert Session.objects.get(pk=scheduled.pk).status == Session.Status.SCHEDULED


def test_the_refusal_speaks_english_on_an_english_screen(scheduled, chair):
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        open_(scheduled, chair)
    assert refused.value.code == "quorum.not_met"
    assert "quorum" in refused.value.message.lower() and "0/30" in refused.value.message


def test_the_chair_may_open_below_the_quorum_only_saying_why_and_the_chain_keeps_it(
    scheduled, chair
):
    roll_call(scheduled, 4, chair)
    reason = "Mưa bão, nhiều đại biểu chưa đến kịp; khai mạc để thông qua chương trình."
    open_(scheduled, chair, override_reason=reason)
    assert Session.objects.get(pk=scheduled.pk).status == Session.Status.IN_PROGRESS
    entry = ActionLog.objects.get(session=scheduled, action="session.open")
    assert entry.actor_user == chair.user
    assert entry.data["quorum"] == {
        "present": 4,
        "seats": 30,
        "required": 20,
        "quorate": False,
        "override_reason": reason,
    }
    assert chain.verify_chain(scheduled.pk) == []
    # The reason is part of the hash: changing it afterwards is caught.
    data = {**entry.data, "quorum": {**entry.data["quorum"], "override_reason": "Đủ túc số"}}
    ActionLog.objects.filter(pk=entry.pk).update(data=data)
    assert any("session.open" in problem for problem in chain.verify_chain(scheduled.pk))


def test_with_the_quorum_no_reason_is_needed_nor_kept(scheduled, chair):
    roll_call(scheduled, 20, chair)
    open_(scheduled, chair, override_reason="không cần")
    quorum = ActionLog.objects.get(session=scheduled, action="session.open").data["quorum"]
    assert quorum["quorate"] and quorum["present"] == 20 and quorum["override_reason"] == ""


def test_a_council_that_sits_with_more_than_half(chair):
    council = make_council(seats=30, quorum_rule=Council.QuorumRule.MAJORITY_OF_SEATS)
    session = make_session(council=council, status=Session.Status.SCHEDULED)
    roll_call(session, 15, chair)
    with pytest.raises(ServiceError):
        open_(session, chair)
    roll_call(session, 16, chair)
    assert open_(session, chair).status == Session.Status.IN_PROGRESS


def test_opening_fixes_the_councils_rules_in_the_session_and_the_chain(scheduled, chair):
    council = scheduled.council
    council.vote_base, council.vote_threshold = "present", "two_thirds"
    council.save()
    roll_call(scheduled, 20, chair)
    open_(scheduled, chair)
    session = Session.objects.get(pk=scheduled.pk)
    assert (session.seats, session.quorum_rule) == (30, "two_thirds")
    assert (session.vote_base, session.vote_threshold) == ("present", "two_thirds")
    rules = ActionLog.objects.get(session=scheduled, action="session.open").data["rules"]
    assert rules["seats"] == 30 and rules["quorum_required"] == 20
    assert rules["vote_base"] == "present" and rules["vote_threshold"] == "two_thirds"
    assert len(rules["vote_weights"]) == 30


def test_the_clerk_changing_the_council_mid_session_changes_nothing_in_it(scheduled, chair):
    roll_call(scheduled, 20, chair)
    open_(scheduled, chair)
    # What the admin's council form does when the clerk saves new numbers.
    council = Council.objects.get(pk=scheduled.council_id)
    council.seats, council.quorum_rule = 4, Council.QuorumRule.MAJORITY_OF_SEATS
    council.vote_base = "cast"
    council.save()
    session = Session.objects.get(pk=scheduled.pk)
    summary = selectors.attendance_summary(session)
    assert (summary["seats"], summary["required"], summary["quorate"]) == (30, 20, True)
    assert selectors.council_payload(session)["seats"] == 30
    assert rules_of(session).vote_base == "seats"
    # The next sitting of the council takes the new values when it opens.
    later = make_session(council=council, status=Session.Status.SCHEDULED)
    assert rules_of(later).seats == 4 and not rules_of(later).fixed
    roll_call(later, 3, chair)
    open_(later, chair)
    assert rules_of(Session.objects.get(pk=later.pk)).seats == 4


def test_a_delegate_marked_present_at_the_console_is_not_flagged_disconnected(chair):
    session = make_session(council=make_council(seats=3))
    by_hand, by_tablet = list(session.council.delegates.order_by("seat_label")[:2])
    services.attendance_set(
        session_id=session.pk, delegate_id=by_hand.pk, status="present", actor=chair
    )
    services.attendance_set(
        session_id=session.pk,
        delegate_id=by_tablet.pk,
        status="present",
        actor=Actor(delegate=by_tablet),
    )
    rows = {row["id"]: row for row in selectors.roster(session)}
    assert rows[by_hand.pk]["by_staff"] and not rows[by_hand.pk]["connected"]
    assert not rows[by_tablet.pk]["by_staff"]
    assert Attendance.objects.get(session=session, delegate=by_hand).by_staff


def test_the_record_check_accepts_a_later_council_change_and_names_a_rewritten_session_rule(
    scheduled, chair
):
    from record.verify import verify_session

    roll_call(scheduled, 20, chair)
    open_(scheduled, chair)
    Council.objects.filter(pk=scheduled.council_id).update(seats=25)  # for later sessions
    assert verify_session(scheduled.pk) == []
    Session.objects.filter(pk=scheduled.pk).update(seats=25)  # the session's own, rewritten
    problems = verify_session(scheduled.pk)
    assert any("rules" in p and "seats" in p for p in problems), problems


def test_the_admin_shows_what_the_session_counts_with(scheduled, chair, client):
    from django.contrib.auth.models import User
    from django.urls import reverse

    client.force_login(User.objects.create_superuser("quantri-qs", password="pw-123456"))
    url = reverse("admin:meeting_session_change", args=[scheduled.pk])
    assert "30 đại biểu, túc số 20 (theo hội đồng" in client.get(url).content.decode()
    roll_call(scheduled, 20, chair)
    open_(scheduled, chair)
    Council.objects.filter(pk=scheduled.council_id).update(seats=9)
    assert "30 đại biểu, túc số 20 (cố định từ lúc khai mạc)" in client.get(url).content.decode()


def test_the_weights_are_parsed_once_and_the_screens_never_read_them(scheduled, chair):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meeting import fixed_rules

    roll_call(scheduled, 20, chair)
    open_(scheduled, chair)
    heavy = scheduled.council.delegates.order_by("seat_label").first()
    with CaptureQueriesContext(connection) as reads:
        session = selectors.session_by_id(scheduled.pk)
        summary = selectors.attendance_summary(session, present=20)
        assert selectors.council_payload(session)["seats"] == 30 and summary["quorate"]
    assert len(reads) == 1 and '"vote_weights"' not in reads[0]["sql"]  # nor a lazy read
    fixed_rules._parsed.clear()
    with CaptureQueriesContext(connection) as reads:
        assert rules_of(selectors.session_by_id(scheduled.pk)).weight_of(heavy) == 1
        assert rules_of(selectors.session_by_id(scheduled.pk)).weighted_seats == 30
    assert len(reads) == 3  # two rows without them, the weights read once
    # Weights fixed again (as a test opens a sitting again): another digest, never a stale hit.
    heavy.vote_weight = 3
    heavy.save(update_fields=["vote_weight"])
    session = Session.objects.get(pk=scheduled.pk)
    fixed_rules.fix_rules(session)
    session.save(update_fields=fixed_rules.FIXED_FIELDS)
    rules = rules_of(selectors.session_by_id(scheduled.pk))
    assert (rules.weight_of(heavy), rules.weighted_seats) == (3, 32)
    opened = ActionLog.objects.get(session=scheduled, action="session.open").data["rules"]
    assert opened["vote_weights"][str(heavy.pk)] == 1  # the chain keeps what was fixed then
