"""One tally: the close counts a poll and the record check recounts it with the same function,
``voting.tally.count_and_decide`` — so a change in how a poll is decided cannot reach one and
not the other, and a stored result that the function would not give again is named."""

from __future__ import annotations

import uuid

import pytest

from meeting.models import Delegate
from record.verify import verify_session
from tests.factories import make_council
from tests.record.sitting import NAMES, make_sitting
from voting import services as voting
from voting import tally
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import PollResult

pytestmark = pytest.mark.django_db

TITLE = "Thông qua Nghị quyết về phí vệ sinh môi trường (bỏ phiếu theo trọng số)"
WEIGHTS = [3, 1, 1, 2, 1, 1, 4]  # the seventh (weight 4) is excused: not present


@pytest.fixture
def counted(monkeypatch):
    """Every call of the counting function, with what it gave, by poll title."""
    calls: list[tuple[str, dict]] = []
    real = tally.count_and_decide

    def spy(poll, ballots, **kwargs):
        gave = real(poll, ballots, **kwargs)
        calls.append((poll.title, gave))
        return gave

    monkeypatch.setattr(tally, "count_and_decide", spy)
    return calls


def weighted_sitting():
    council = make_council(seats=len(NAMES), name="HĐND Phường Đông Ba")
    for delegate, weight in zip(council.delegates.order_by("seat_label"), WEIGHTS, strict=True):
        Delegate.objects.filter(pk=delegate.pk).update(vote_weight=weight)
    return make_sitting(council=council, close=False)


def test_the_close_and_the_record_check_count_with_the_same_function(counted):
    sitting = weighted_sitting()
    poll = voting.poll_create(
        session_id=sitting.session.pk, title=TITLE, actor=sitting.chair, weighted=True
    )
    voting.poll_open(poll_id=poll.pk, actor=sitting.chair)
    for delegate, choice in zip(
        sitting.delegates, ["yes", "no", "yes", "no", "abstain"], strict=False
    ):
        ballot_cast(
            poll_id=poll.pk, delegate=delegate, choice=choice, command_id=str(uuid.uuid4())
        )
    poll_close(poll_id=poll.pk, actor=sitting.chair)
    at_close = [gave for title, gave in counted if title == TITLE]
    assert len(at_close) == 1
    stored = PollResult.objects.get(poll=poll)
    assert {field: getattr(stored, field) for field in at_close[0]} == at_close[0]
    # Weighted seats and those present (weights 3+1+1+2+1+1), yes 3+1, no 1+2.
    assert (stored.seats, stored.present) == (13, 9)
    assert (stored.counts["yes"], stored.counts["no"], stored.counts["abstain"]) == (4, 3, 1)

    assert verify_session(sitting.session.pk) == []
    recounted = [gave for title, gave in counted if title == TITLE][1:]
    # The record check called the very same function, from the chain's rules, weights and
    # attendance, and it gave the same result again.
    assert recounted == at_close


def test_a_result_the_counting_function_would_not_give_again_is_named(monkeypatch):
    sitting = make_sitting()
    assert verify_session(sitting.session.pk) == []
    real = tally.count_and_decide

    def stricter(poll, ballots, **kwargs):
        """As if the rules of deciding had changed since the close: one more vote required."""
        gave = real(poll, ballots, **kwargs)
        if poll.title == sitting.budget.title:
            gave = {**gave, "required": gave["required"] + 1, "passed": False}
        return gave

    monkeypatch.setattr(tally, "count_and_decide", stricter)
    label = f"poll {sitting.budget.pk} «{sitting.budget.title}»"
    assert verify_session(sitting.session.pk) == [
        f"{label}: result says required=4, the chain's rules and attendance give required=5",
        f"{label}: result says passed, the rules and ballots say failed",
    ]
