"""Poll lifecycle and casting on PostgreSQL: every refusal writes nothing."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from meeting import services as meeting
from meeting.fixed_rules import FIXED_FIELDS, fix_rules
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.groups import Audience
from tests.events import expect_events
from tests.factories import make_council, make_session, make_staff
from voting import services
from voting.ballots import ballot_cast, poll_progress_publish
from voting.counting import poll_close, poll_close_overdue
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import ballots_digest

pytestmark = pytest.mark.django_db


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def chamber():
    council = make_council(seats=30)
    session = make_session(council=council)
    chair = Actor(user=make_staff(role="chair"))
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates[:25]:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    return session, chair, delegates


def open_poll(session, chair, **options) -> Poll:
    poll = services.poll_create(
        session_id=session.pk, title="Thông qua nghị quyết", actor=chair, **options
    )
    return services.poll_open(poll_id=poll.pk, actor=chair)


def cast(poll, delegate, choice, command_id=None, **extra):
    return ballot_cast(
        poll_id=poll.pk,
        delegate=delegate,
        choice=choice,
        command_id=command_id or new_id(),
        **extra,
    )


def nothing_written(poll, ballots=0):
    return Ballot.objects.filter(poll=poll).count() == ballots and (
        Participation.objects.filter(poll=poll).count() == ballots
    )


def test_a_named_vote_from_open_to_published(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    for delegate in delegates[:16]:
        cast(poll, delegate, "yes")
    for delegate in delegates[16:20]:
        cast(poll, delegate, "no")
    cast(poll, delegates[20], "abstain")
    with expect_events("poll.closed", "poll.result") as events:
        result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.counts == {"yes": 16, "no": 4, "abstain": 1}
    assert (result.ballots, result.seats, result.present, result.base) == (21, 30, 25, 30)
    assert result.required == 16 and result.passed
    assert [e["type"] for e in events] == ["poll.closed", "poll.result"]
    assert events[1]["group"].endswith(".chair")  # the room sees it only when published
    with expect_events("poll.published") as events:
        services.poll_publish(poll_id=poll.pk, actor=chair)
    assert events[0]["type"] == "poll.published"
    assert events[0]["data"]["result"]["passed"] is True
    assert Poll.objects.get(pk=poll.pk).status == "published"


def test_15_of_30_fails_under_the_peoples_council_rule(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    for delegate in delegates[:15]:
        cast(poll, delegate, "yes")
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert not result.passed and result.required == 16


def test_the_result_uses_the_attendance_at_close(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair, base="present")
    for delegate in delegates[:12]:
        cast(poll, delegate, "yes")
    for delegate in delegates[15:25]:  # ten leave before the close
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="left", actor=chair
        )
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.present == 15 and result.base == 15 and result.required == 8 and result.passed
    assert len(result.detail["present_delegates"]) == 15


def test_the_result_stores_a_digest_of_its_ballots(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    for delegate in delegates[:5]:
        cast(poll, delegate, "yes")
    result = poll_close(poll_id=poll.pk, actor=chair)
    ballots = list(Ballot.objects.filter(poll=poll))
    assert result.digest == ballots_digest(ballots)
    ballots[0].choice = "no"
    assert ballots_digest(ballots) != result.digest


@pytest.mark.parametrize(
    "setup, choice, code",
    [
        ("closed", "yes", "poll.not_open"),
        ("draft", "yes", "poll.not_open"),
        ("other_council", "yes", "poll.not_found"),
        ("not_checked_in", "yes", "ballot.not_checked_in"),
        ("excused", "yes", "ballot.not_checked_in"),
        ("open", "maybe", "ballot.invalid_choice"),
        ("open", ["yes"], "ballot.invalid_choice"),
        ("expired", "yes", "poll.not_open"),
    ],
)
def test_a_refused_ballot_writes_nothing(chamber, setup, choice, code):
    session, chair, delegates = chamber
    voter = delegates[0]
    poll = services.poll_create(session_id=session.pk, title="Biểu quyết", actor=chair)
    if setup != "draft":
        services.poll_open(poll_id=poll.pk, actor=chair)
    if setup == "closed":
        poll_close(poll_id=poll.pk, actor=chair)
    if setup == "other_council":
        voter = make_council(seats=3).delegates.first()
    if setup == "not_checked_in":
        voter = delegates[27]
    if setup == "excused":
        meeting.attendance_set(
            session_id=session.pk, delegate_id=voter.pk, status="excused", actor=chair
        )
    if setup == "expired":
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ServiceError) as refused:
        cast(poll, voter, choice)
    assert refused.value.code == code
    assert nothing_written(poll)


def test_a_second_ballot_is_refused_and_the_first_stands(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    cast(poll, delegates[0], "yes")
    with pytest.raises(ServiceError) as refused:
        cast(poll, delegates[0], "no")
    assert refused.value.code == "ballot.already_cast"
    assert list(Ballot.objects.filter(poll=poll).values_list("choice", flat=True)) == ["yes"]


def test_the_same_command_twice_is_one_ballot_with_one_receipt(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    command_id = new_id()
    first = cast(poll, delegates[0], "yes", command_id)
    again = cast(poll, delegates[0], "yes", command_id)
    assert again["receipt"] == first["receipt"] and again["repeated"]
    assert nothing_written(poll, ballots=1)
    poll_close(poll_id=poll.pk, actor=chair)
    # a resend after the close still gets its receipt: the ballot was counted
    assert cast(poll, delegates[0], "yes", command_id)["receipt"] == first["receipt"]


def test_options_respect_the_selection_limits(chamber):
    session, chair, delegates = chamber
    poll = open_poll(
        session,
        chair,
        choice_type="options",
        options=["Ông A", "Bà B", "Ông C"],
        min_selections=1,
        max_selections=2,
        kind="secret",
    )
    with pytest.raises(ServiceError) as refused:
        cast(poll, delegates[0], ["1", "2", "3"])
    assert refused.value.code == "ballot.too_many_selections"
    with pytest.raises(ServiceError) as refused:
        cast(poll, delegates[0], [])
    assert refused.value.code == "ballot.too_few_selections"
    with pytest.raises(ServiceError) as refused:
        cast(poll, delegates[0], ["1", "1"])
    assert refused.value.code == "ballot.invalid_choice"
    assert nothing_written(poll)
    for delegate in delegates[:20]:
        cast(poll, delegate, ["1", "2"])
    for delegate in delegates[20:25]:
        cast(poll, delegate, ["3"])
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.counts == {"1": 20, "2": 20, "3": 5}
    assert result.elected == {"1": True, "2": True, "3": False}


def test_changing_a_ballot_when_the_poll_allows_it(chamber):
    session, chair, delegates = chamber
    named = open_poll(session, chair, allow_change=True)
    cast(named, delegates[0], "no")
    cast(named, delegates[0], "yes")
    assert poll_close(poll_id=named.pk, actor=chair).counts["yes"] == 1
    assert Ballot.objects.filter(poll=named).count() == 2  # the first is kept, superseded

    secret = open_poll(session, chair, allow_change=True, kind="secret")
    first_id = new_id()
    cast(secret, delegates[1], "no", command_id=first_id)
    # A secret ballot is found only by the command id its voter's tablet kept.
    with pytest.raises(ServiceError) as refused:
        cast(secret, delegates[1], "yes")
    assert refused.value.code == "ballot.previous_unknown"
    cast(secret, delegates[1], "yes", previous_id=first_id)
    result = poll_close(poll_id=secret.pk, actor=chair)
    assert result.counts == {"yes": 1, "no": 0, "abstain": 0} and result.ballots == 1


def test_weights(chamber):
    session, chair, delegates = chamber
    delegates[0].vote_weight = 5
    delegates[0].save()
    # Weights count as they were when the sitting opened: open it again with this weight.
    fix_rules(session)
    session.save(update_fields=FIXED_FIELDS)
    poll = open_poll(session, chair, weighted=True, base="cast")
    cast(poll, delegates[0], "yes")
    for delegate in delegates[1:4]:
        cast(poll, delegate, "no")
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.counts == {"yes": 5, "no": 3, "abstain": 0} and result.passed
    assert result.seats == 34


def test_the_chairs_casting_vote_decides_a_tie(chamber):
    session, chair, delegates = chamber
    poll = open_poll(
        session, chair, base="cast", tie_rule="casting_vote", casting_delegate_id=delegates[0].pk
    )
    for delegate in delegates[:5]:
        cast(poll, delegate, "yes")
    for delegate in delegates[5:10]:
        cast(poll, delegate, "no")
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.passed and result.detail["decided_by_casting_vote"]


def test_cancel_keeps_ballots_and_voids_the_result_and_a_revote_links_to_it(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    cast(poll, delegates[0], "yes")
    poll_close(poll_id=poll.pk, actor=chair)
    with pytest.raises(ServiceError) as refused:
        services.poll_cancel(poll_id=poll.pk, reason="  ", actor=chair)
    assert refused.value.code == "poll.reason_required"
    with expect_events("poll.cancelled") as events:
        services.poll_cancel(poll_id=poll.pk, reason="Sai nội dung", actor=chair)
    assert events[0]["type"] == "poll.cancelled"
    assert PollResult.objects.get(poll=poll).void
    assert Ballot.objects.filter(poll=poll).count() == 1
    revote = services.poll_revote(poll_id=poll.pk, actor=chair)
    assert revote.revote_of_id == poll.pk and revote.status == "draft"
    assert revote.title == poll.title


def test_a_new_draft_and_a_revote_are_told_to_the_consoles_alone(chamber):
    session, chair, delegates = chamber
    seq = type(session).objects.get(pk=session.pk).seq
    with expect_events("poll.created") as events:
        poll = services.poll_create(session_id=session.pk, title="Thông qua", actor=chair)
    assert events[0]["group"] == f"session.{session.pk}.chair"
    assert events[0]["seq"] == seq == type(session).objects.get(pk=session.pk).seq  # a notice
    assert events[0]["data"]["poll"]["id"] == poll.pk
    assert events[0]["data"]["poll"]["status"] == "draft"
    with expect_events(), pytest.raises(ServiceError):
        services.poll_create(session_id=session.pk, title="   ", actor=chair)
    services.poll_open(poll_id=poll.pk, actor=chair)
    poll_close(poll_id=poll.pk, actor=chair)
    with expect_events("poll.created") as events:
        revote = services.poll_revote(poll_id=poll.pk, actor=chair)
    assert events[0]["data"]["poll"]["id"] == revote.pk
    assert events[0]["data"]["poll"]["revote_of"] == poll.pk
    assert events[0]["group"] == f"session.{session.pk}.chair"


def test_only_one_poll_open_at_a_time_and_transitions_in_turn(chamber):
    session, chair, delegates = chamber
    open_poll(session, chair)
    second = services.poll_create(session_id=session.pk, title="Thứ hai", actor=chair)
    with pytest.raises(ServiceError) as refused:
        services.poll_open(poll_id=second.pk, actor=chair)
    assert refused.value.code == "poll.another_open"
    with pytest.raises(ServiceError) as refused:
        services.poll_publish(poll_id=second.pk, actor=chair)
    assert refused.value.code == "poll.bad_transition"
    with pytest.raises(ServiceError) as refused:
        poll_close(poll_id=second.pk, actor=chair)
    assert refused.value.code == "poll.not_open"


def test_a_poll_of_another_session_is_not_found_from_this_console(chamber):
    session, chair, delegates = chamber
    other = make_session(council=make_council(seats=3))
    poll = services.poll_create(session_id=other.pk, title="Khác", actor=chair)
    with pytest.raises(ServiceError) as refused:
        services.poll_open(poll_id=poll.pk, actor=chair, session_id=session.pk)
    assert refused.value.code == "poll.not_found"
    assert Poll.objects.get(pk=poll.pk).status == "draft"


def test_overdue_polls_close_by_themselves(chamber):
    session, chair, delegates = chamber
    poll = open_poll(session, chair, countdown_seconds=60)
    cast(poll, delegates[0], "yes")
    assert poll_close_overdue() == 0
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert poll_close_overdue() == 1
    assert Poll.objects.get(pk=poll.pk).result.ballots == 1


def test_progress_counts_only_rise(chamber, published):
    session, chair, delegates = chamber
    poll = open_poll(session, chair)
    with published() as events:
        for delegate in delegates[:6]:
            cast(poll, delegate, "yes")
            poll_progress_publish(poll_id=poll.pk, audiences=(Audience.ROOM,))
    progress = [e["data"]["voted"] for e in events if e["type"] == "poll.progress"]
    assert progress == [1, 2, 3, 4, 5, 6]
    assert all("partial" not in e["data"] for e in events if e["type"] == "poll.progress")
    voters = [e for e in events if e["type"] == "poll.voters"]
    assert voters[-1]["group"].endswith(".chair")


@pytest.mark.parametrize(
    "options",
    [
        {"choice_type": "options", "options": ["Chỉ một"]},
        {"choice_type": "options", "options": ["A", "B"], "min_selections": 3, "max_selections": 3},
        {"kind": "whisper"},
        {"countdown_seconds": 0},
        {"threshold_fraction": (3, 2)},
        {"kind": "secret", "tie_rule": "casting_vote"},
    ],
)
def test_an_invalid_poll_is_refused(chamber, options):
    session, chair, _ = chamber
    with pytest.raises(ServiceError) as refused:
        services.poll_create(session_id=session.pk, title="Sai", actor=chair, **options)
    assert refused.value.code == "poll.invalid"
    assert not Poll.objects.exists()
