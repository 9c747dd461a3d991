"""Session, agenda and attendance services on PostgreSQL: state, log and events."""

import pytest
from django.db import transaction

from meeting import presence, selectors, services
from meeting.models import ActionLog, AgendaItem, Attendance, Council, Session
from meeting.presence import PresenceChange
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.events import expect_events
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair():
    return Actor(user=make_staff(role="chair"))


def roll_call(session, present, actor):
    """The secretary marks the first ``present`` delegates present, before the opening."""
    for delegate in session.council.delegates.order_by("seat_label")[:present]:
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=actor
        )


def test_agenda_is_numbered_as_a_tree():
    session = make_session(council=make_council(seats=3), items=2, sub_items=2)
    numbers = [(item.number, item.title) for item in selectors.agenda_order(session)]
    assert numbers == [
        ("1", "Nội dung số 1"),
        ("1.1", "Tiểu mục 1"),
        ("1.2", "Tiểu mục 2"),
        ("2", "Nội dung số 2"),
        ("2.1", "Tiểu mục 1"),
        ("2.2", "Tiểu mục 2"),
    ]


def test_opening_makes_the_first_item_current_and_tells_every_screen(chair):
    session = make_session(council=make_council(seats=3), status=Session.Status.SCHEDULED)
    roll_call(session, 2, chair)  # the quorum: two thirds of 3
    before = Session.objects.get(pk=session.pk).seq
    with expect_events("session.changed") as events:
        services.session_transition(session_id=session.pk, action="open", actor=chair)
    session.refresh_from_db()
    first = selectors.agenda_order(session)[0]
    assert session.status == Session.Status.IN_PROGRESS
    assert session.current_item_id == first.pk
    assert [(e["type"], e["seq"], e["group"]) for e in events] == [
        ("session.changed", before + 1, f"session.{session.pk}.public")
    ]
    assert events[0]["data"]["current_item_id"] == first.pk
    assert ActionLog.objects.filter(session=session, action="session.open").count() == 1


@pytest.mark.parametrize(
    "status, action",
    [
        (Session.Status.DRAFT, "open"),
        (Session.Status.IN_PROGRESS, "open"),
        (Session.Status.IN_PROGRESS, "resume"),
        (Session.Status.SCHEDULED, "adjourn"),
        (Session.Status.CLOSED, "resume"),
        (Session.Status.CLOSED, "close"),
    ],
)
def test_a_transition_out_of_turn_is_refused_and_changes_nothing(chair, status, action):
    session = make_session(council=make_council(seats=3), status=status)
    with expect_events() as events, pytest.raises(ServiceError) as refused:
        services.session_transition(session_id=session.pk, action=action, actor=chair)
    assert refused.value.code == "session.bad_transition"
    session.refresh_from_db()
    assert session.status == status and session.seq == 0
    assert events == [] and not ActionLog.objects.filter(session=session).exists()


def test_adjourn_resume_close_round_trip(chair):
    session = make_session(council=make_council(seats=3))
    for action, status in [
        ("adjourn", "adjourned"),
        ("resume", "in_progress"),
        ("adjourn", "adjourned"),
        ("close", "closed"),
    ]:
        assert (
            services.session_transition(session_id=session.pk, action=action, actor=chair).status
            == status
        )
    session.refresh_from_db()
    assert session.seq == 4


def test_opening_an_empty_agenda_is_refused(chair):
    session = make_session(council=make_council(seats=3), status="scheduled", items=0)
    with pytest.raises(ServiceError) as refused:
        services.session_transition(session_id=session.pk, action="open", actor=chair)
    assert refused.value.code == "agenda.empty"


def test_next_and_previous_walk_the_tree_and_stop_at_the_ends(chair, published):
    session = make_session(council=make_council(seats=3), items=2, sub_items=1)
    order = [item.pk for item in selectors.agenda_order(session)]
    with published() as events:
        for _ in range(3):
            services.agenda_step(session_id=session.pk, step=1, actor=chair)
    assert [e["data"]["current_item_id"] for e in events] == order[1:]
    assert [e["seq"] for e in events] == [1, 2, 3]
    with pytest.raises(ServiceError) as refused:
        services.agenda_step(session_id=session.pk, step=1, actor=chair)
    assert refused.value.code == "agenda.at_end"
    services.agenda_step(session_id=session.pk, step=-1, actor=chair)
    session.refresh_from_db()
    assert session.current_item_id == order[2]
    for _ in range(2):
        services.agenda_step(session_id=session.pk, step=-1, actor=chair)
    with pytest.raises(ServiceError) as refused:
        services.agenda_step(session_id=session.pk, step=-1, actor=chair)
    assert refused.value.code == "agenda.at_start"


def test_an_item_of_another_session_cannot_be_selected(chair):
    council = make_council(seats=3)
    session, other = make_session(council=council), make_session(council=council)
    foreign = AgendaItem.objects.filter(session=other).first()
    before = Session.objects.get(pk=session.pk).current_item_id
    with pytest.raises(ServiceError) as refused:
        services.agenda_select(session_id=session.pk, item_id=foreign.pk, actor=chair)
    assert refused.value.code == "agenda.item_not_found"
    assert Session.objects.get(pk=session.pk).current_item_id == before


def test_agenda_cannot_move_before_opening(chair):
    session = make_session(council=make_council(seats=3), status="scheduled")
    with pytest.raises(ServiceError) as refused:
        services.agenda_step(session_id=session.pk, step=1, actor=chair)
    assert refused.value.code == "session.not_live"


def test_attendance_counts_and_quorum_are_published(chair):
    council = make_council(seats=6, quorum_rule=Council.QuorumRule.TWO_THIRDS_OF_SEATS)
    session = make_session(council=council)
    delegates = list(council.delegates.all())
    # Each mark: the console's roster, the delegate's own tablets, then every screen's count.
    each = ("attendance.changed", "attendance.mine", "attendance.summary")
    with expect_events(*each * 5) as events:
        for delegate in delegates[:4]:
            services.attendance_set(
                session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
            )
        services.attendance_set(
            session_id=session.pk, delegate_id=delegates[4].pk, status="excused", actor=chair
        )
    summaries = [e["data"] for e in events if e["type"] == "attendance.summary"]
    assert [s["present"] for s in summaries] == [1, 2, 3, 4, 4]
    assert [s["quorate"] for s in summaries] == [False, False, False, True, True]
    assert summaries[-1]["required"] == 4
    assert {e["group"] for e in events if e["type"] == "attendance.summary"} == {
        f"session.{session.pk}.public"
    }
    # the roster (console only) and each delegate's own tablets hear who changed
    roster = [e for e in events if e["type"] == "attendance.changed"]
    assert [(e["data"]["delegate_id"], e["data"]["status"]) for e in roster] == [
        *((d.pk, "present") for d in delegates[:4]),
        (delegates[4].pk, "excused"),
    ]
    assert {e["group"] for e in roster} == {f"session.{session.pk}.chair"}
    mine = [e for e in events if e["type"] == "attendance.mine"]
    assert mine[-1]["group"] == f"delegate.{delegates[4].pk}"
    assert mine[-1]["data"] == {"status": "excused"}
    # notices do not advance the sequence; summaries do, one by one
    assert [e["seq"] for e in events if e["type"] == "attendance.summary"] == [1, 2, 3, 4, 5]


def test_every_attendance_change_is_kept_with_who_and_when(chair):
    council = make_council(seats=3)
    session = make_session(council=council)
    delegate = council.delegates.first()
    for status in ["present", "left", "present", "excused"]:
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status=status, actor=chair
        )
    log = list(ActionLog.objects.filter(session=session, action="attendance.set"))
    assert [(row.data["previous"], row.data["status"]) for row in log] == [
        (None, "present"),
        ("present", "left"),
        ("left", "present"),
        ("present", "excused"),
    ]
    assert all(row.actor_user_id == chair.user.pk and row.at is not None for row in log)
    assert Attendance.objects.get(session=session, delegate=delegate).status == "excused"


def test_marking_the_same_status_twice_announces_nothing(chair):
    council = make_council(seats=3)
    session = make_session(council=council)
    delegate = council.delegates.first()
    services.attendance_set(
        session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
    )
    with expect_events() as events:
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    assert events == []


def test_a_delegate_checks_in_only_themself(published):
    council = make_council(seats=3)
    session = make_session(council=council)
    me, other = council.delegates.all()[:2]
    with published() as events, pytest.raises(ServiceError) as refused:
        services.attendance_set(
            session_id=session.pk, delegate_id=other.pk, status="present", actor=Actor(delegate=me)
        )
    assert refused.value.code == "command.forbidden"
    assert events == [] and not Attendance.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.attendance_set(
            session_id=session.pk, delegate_id=me.pk, status="excused", actor=Actor(delegate=me)
        )
    assert refused.value.code == "command.forbidden"


def test_a_delegate_of_another_council_cannot_be_marked(chair):
    session = make_session(council=make_council(seats=3))
    stranger = make_council(seats=2).delegates.first()
    with pytest.raises(ServiceError) as refused:
        services.attendance_set(
            session_id=session.pk, delegate_id=stranger.pk, status="present", actor=chair
        )
    assert refused.value.code == "delegate.not_found"
    assert not Attendance.objects.exists()


def test_arrival_checks_in_only_delegates_nobody_marked(chair):
    council = make_council(seats=3)
    session = make_session(council=council)
    newcomer, excused = council.delegates.all()[:2]
    services.attendance_set(
        session_id=session.pk, delegate_id=excused.pk, status="excused", actor=chair
    )
    for delegate in (newcomer, excused):
        presence.tablet_presence_record(
            changes=[PresenceChange(session.pk, delegate, f"c{delegate.pk}", "w", connected=True)]
        )
    statuses = dict(Attendance.objects.values_list("delegate_id", "status"))
    assert statuses == {newcomer.pk: "present", excused.pk: "excused"}


def test_no_event_leaves_a_transaction_that_rolls_back(chair, published):
    session = make_session(council=make_council(seats=3))
    with published() as events:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.agenda_step(session_id=session.pk, step=1, actor=chair)
            raise RuntimeError("something later in the same transaction failed")
    session.refresh_from_db()
    assert events == [] and session.seq == 0


def test_reissuing_a_badge_closes_the_old_tablets(chair):
    council = make_council(seats=3)
    session = make_session(council=council)
    delegate = council.delegates.first()
    old_key = delegate.badge_key
    with expect_events("badge.revoked") as events:
        services.badge_reissue(delegate_id=delegate.pk, actor=chair)
    delegate.refresh_from_db()
    assert delegate.badge_key != old_key
    assert [(e["type"], e["group"]) for e in events] == [
        ("badge.revoked", f"delegate.{delegate.pk}")
    ]
    assert ActionLog.objects.filter(session=session, action="badge.reissued").exists()
