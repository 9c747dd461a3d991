"""A vote opens only with the sitting's quorum (or the chair's reason), the quorum of each vote
is kept with its result, and seats changed mid-session change no result (issue 9 §2, issue 10
item 12)."""

import uuid

import pytest

from meeting import chain
from meeting import services as meeting
from meeting.models import ActionLog, Council, Delegate, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.events import expect_events
from tests.factories import make_council, make_session, make_staff
from voting import selectors, services
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def sitting():
    """30 seats (quorum 20), in progress; nobody marked yet."""
    council = make_council(seats=30)
    session = make_session(council=council)
    chair = Actor(user=make_staff(role="chair"))
    return session, chair, list(council.delegates.order_by("seat_label"))


def mark(session, delegates, status, actor):
    for delegate in delegates:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status=status, actor=actor
        )


def draft(session, chair, **options) -> Poll:
    return services.poll_create(session_id=session.pk, title="Nghị quyết", actor=chair, **options)


def vote(poll, delegates, choice):
    for delegate in delegates:
        ballot_cast(
            poll_id=poll.pk, delegate=delegate, choice=choice, command_id=str(uuid.uuid4())
        )


def test_a_vote_with_4_of_30_present_is_refused_and_nothing_is_written(sitting):
    session, chair, delegates = sitting
    mark(session, delegates[:4], "present", chair)
    poll = draft(session, chair)
    entries = ActionLog.objects.filter(session=session).count()
    seq = Session.objects.get(pk=session.pk).seq
    with expect_events() as events, pytest.raises(ServiceError) as refused:
        services.poll_open(poll_id=poll.pk, actor=chair)
    assert refused.value.code == "quorum.not_met"
    assert "4/30" in refused.value.message and "Chưa đủ túc số" in refused.value.message
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT and poll.opened_at is None
    assert poll.quorum_at_open == {}
    assert ActionLog.objects.filter(session=session).count() == entries
    assert Session.objects.get(pk=session.pk).seq == seq and events == []


def test_the_chair_opens_it_anyway_with_a_reason_kept_with_the_poll_the_chain_and_the_result(
    sitting, published
):
    session, chair, delegates = sitting
    mark(session, delegates[:4], "present", chair)
    poll = draft(session, chair)
    reason = "Biểu quyết thủ tục, theo đề nghị của Thường trực HĐND."
    with published() as events:
        services.poll_open(poll_id=poll.pk, actor=chair, override_reason=reason)
    at_open = {"present": 4, "seats": 30, "required": 20, "quorate": False}
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert poll.quorum_at_open == {**at_open, "override_reason": reason}
    opened = next(e for e in events if e["type"] == "poll.opened")
    assert opened["data"]["poll"]["quorum_at_open"]["override_reason"] == reason
    entry = ActionLog.objects.get(session=session, action="poll.open")
    assert entry.data["quorum"]["override_reason"] == reason and entry.actor_user == chair.user

    vote(poll, delegates[:3], "yes")
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.sitting_quorum == at_open
    # Counted as the rules say: 3 of all 30 seats is not a majority.
    assert not result.passed and result.required == 16
    turnout = ActionLog.objects.get(session=session, action="poll.turnout")
    assert turnout.data["quorum"] == at_open
    payload = selectors.poll_record(Poll.objects.get(pk=poll.pk))
    assert payload["result"]["sitting_quorum"] == at_open
    assert payload["poll"]["quorum_at_open"]["override_reason"] == reason
    assert chain.verify_chain(session.pk) == []


def test_the_quorum_is_counted_again_at_each_vote(sitting):
    session, chair, delegates = sitting
    mark(session, delegates[:20], "present", chair)
    first = draft(session, chair)
    services.poll_open(poll_id=first.pk, actor=chair)
    assert Poll.objects.get(pk=first.pk).quorum_at_open["quorate"]
    vote(first, delegates[:17], "yes")
    # Three delegates leave before the close: the result says so, and the next vote is refused.
    mark(session, delegates[17:20], "left", chair)
    result = poll_close(poll_id=first.pk, actor=chair)
    assert result.passed
    assert result.sitting_quorum == {"present": 17, "seats": 30, "required": 20, "quorate": False}
    second = draft(session, chair)
    with pytest.raises(ServiceError) as refused:
        services.poll_open(poll_id=second.pk, actor=chair)
    assert refused.value.code == "quorum.not_met"


def test_a_poll_may_require_the_quorum_of_those_present_at_the_close(sitting):
    session, chair, delegates = sitting
    mark(session, delegates[:20], "present", chair)
    poll = draft(session, chair, base="present", presence_quorum="two_thirds")
    services.poll_open(poll_id=poll.pk, actor=chair)
    vote(poll, delegates[:15], "yes")
    mark(session, delegates[15:17], "left", chair)
    result = poll_close(poll_id=poll.pk, actor=chair)
    # 15 yes of 18 present is a majority of those present, but 18 of 30 is below two thirds.
    assert not result.passed
    assert result.presence_quorum_required == 20
    assert result.detail["reasons"] == ["presence_quorum_not_met"]
    assert selectors.result_payload(result)["presence_quorum_required"] == 20
    revote = services.poll_revote(poll_id=poll.pk, actor=chair)
    assert revote.presence_quorum == "two_thirds"


def test_a_bad_presence_quorum_is_refused(sitting):
    session, chair, _delegates = sitting
    with pytest.raises(ServiceError) as refused:
        draft(session, chair, presence_quorum="a_few")
    assert refused.value.code == "poll.invalid"


def test_seats_changed_in_the_admin_mid_session_change_no_required_and_no_result(sitting):
    """Issue 10 item 12: four votes for, 30 seats — "required 16, failed" must stay so."""
    session, chair, delegates = sitting
    mark(session, delegates[:20], "present", chair)
    poll = draft(session, chair)
    services.poll_open(poll_id=poll.pk, actor=chair)
    vote(poll, delegates[:4], "yes")
    # The clerk saves the council with 4 seats and a "present" majority, mid-vote.
    council = Council.objects.get(pk=session.council_id)
    council.seats, council.vote_base = 4, "present"
    council.save()
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert (result.seats, result.required, result.passed) == (30, 16, False)
    # A poll created after the change still takes the session's rules.
    later = draft(session, chair)
    assert later.base == "seats"


def test_weights_are_those_of_the_opening(sitting):
    session, chair, delegates = sitting
    mark(session, delegates[:20], "present", chair)
    poll = draft(session, chair, weighted=True, base="cast")
    services.poll_open(poll_id=poll.pk, actor=chair)
    # The clerk gives one delegate a weight of 9 after the opening: it does not count here.
    Delegate.objects.filter(pk=delegates[0].pk).update(vote_weight=9)
    delegates[0].refresh_from_db()
    vote(poll, delegates[:1], "yes")
    vote(poll, delegates[1:3], "no")
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.counts == {"yes": 1, "no": 2, "abstain": 0} and not result.passed
    assert result.seats == 30
