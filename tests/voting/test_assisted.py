"""Every present delegate can vote (issue 9 §3): the secretary records a show of hands in a
named poll; a one-time pass signs a spare tablet in for one delegate and one secret poll."""

import uuid

import pytest
from django.test import Client

from meeting import chain
from meeting import services as meeting
from meeting.models import ActionLog
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.factories import make_council, make_session, make_staff
from voting import assisted, services
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Ballot, Participation, Poll, VotingPass

pytestmark = pytest.mark.django_db


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def sitting():
    """Six seats, five present (the quorum is four), one absent; a secretary at the console."""
    council = make_council(seats=6)
    session = make_session(council=council)
    secretary = Actor(user=make_staff(role="secretary"))
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates[:5]:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=secretary
        )
    meeting.attendance_set(
        session_id=session.pk, delegate_id=delegates[5].pk, status="absent", actor=secretary
    )
    return session, secretary, delegates


def open_poll(session, actor, **options) -> Poll:
    poll = services.poll_create(session_id=session.pk, title="Nghị quyết", actor=actor, **options)
    return services.poll_open(poll_id=poll.pk, actor=actor)


def record_vote(poll, delegate, choice, actor, command_id=None):
    return assisted.ballot_record(
        poll_id=poll.pk,
        delegate_id=delegate.pk,
        choice=choice,
        command_id=command_id or new_id(),
        actor=actor,
        session_id=poll.session_id,
    )


# -- named poll: the secretary records a show of hands ------------------------------------------


def test_the_secretary_records_a_show_of_hands_marked_with_who_and_when(sitting):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary)
    hands = delegates[0]
    command_id = new_id()
    answer = record_vote(poll, hands, "no", secretary, command_id)
    assert answer["delegate_id"] == hands.pk and answer["receipt"]
    ballot = Ballot.objects.get(poll=poll, superseded=False)
    assert (ballot.delegate, ballot.choice) == (hands, "no")
    participation = Participation.objects.get(poll=poll, delegate=hands)
    assert participation.recorded_by == secretary.user
    entry = ActionLog.objects.get(session=session, action="ballot.recorded")
    assert entry.actor_user == secretary.user
    assert entry.data["delegate"] == hands.pk and entry.data["choice"] == "no"
    assert entry.data["receipt"] == ballot.receipt
    assert entry.data["recorded_at"] == participation.voted_at.isoformat()
    # The same command again is harmless: one ballot, one entry.
    assert record_vote(poll, hands, "no", secretary, command_id)["repeated"]
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert ActionLog.objects.filter(session=session, action="ballot.recorded").count() == 1
    # Counted like any ballot; the chain is intact.
    ballot_cast(poll_id=poll.pk, delegate=delegates[1], choice="yes", command_id=new_id())
    result = poll_close(poll_id=poll.pk, actor=secretary)
    assert result.counts == {"yes": 1, "no": 1, "abstain": 0}
    assert chain.verify_chain(session.pk) == []


@pytest.mark.parametrize(
    "case, code",
    [
        ("secret", "ballot.secret_needs_pass"),
        ("absent", "ballot.not_checked_in"),
        ("voted_on_tablet", "ballot.already_cast"),
        ("other_council", "delegate.not_found"),
        ("closed", "poll.not_open"),
        ("bad_choice", "ballot.invalid_choice"),
    ],
)
def test_a_show_of_hands_is_refused_when_it_must_be_and_writes_nothing(sitting, case, code):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary, kind="secret" if case == "secret" else "named")
    delegate, choice = delegates[0], "yes"
    if case == "absent":
        delegate = delegates[5]
    elif case == "voted_on_tablet":
        ballot_cast(poll_id=poll.pk, delegate=delegate, choice="no", command_id=new_id())
    elif case == "other_council":
        delegate = make_council(seats=2).delegates.first()
    elif case == "closed":
        poll_close(poll_id=poll.pk, actor=secretary)
    elif case == "bad_choice":
        choice = "maybe"
    ballots = list(Ballot.objects.filter(poll=poll).values_list("pk", "choice", "superseded"))
    entries = ActionLog.objects.filter(session=session).count()
    with pytest.raises(ServiceError) as refused:
        record_vote(poll, delegate, choice, secretary)
    assert refused.value.code == code
    assert list(Ballot.objects.filter(poll=poll).values_list("pk", "choice", "superseded")) == (
        ballots
    )
    assert not Participation.objects.filter(poll=poll, recorded_by__isnull=False).exists()
    assert ActionLog.objects.filter(session=session).count() == entries


# -- secret poll: a one-time pass for a spare tablet -----------------------------------------------


def issue(poll, delegate, actor, command_id=None):
    return assisted.voting_pass_issue(
        poll_id=poll.pk,
        delegate_id=delegate.pk,
        command_id=command_id or new_id(),
        actor=actor,
        session_id=poll.session_id,
    )


def test_a_pass_signs_a_spare_tablet_in_for_one_secret_ballot(sitting):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary, kind="secret")
    voter = delegates[2]
    command_id = new_id()
    voting_pass, token = issue(poll, voter, secretary, command_id)
    assert voting_pass.issued_by == secretary.user
    assert not VotingPass.objects.filter(token_hash=token).exists()  # only its hash is stored
    assert issue(poll, voter, secretary, command_id) == (voting_pass, token)  # same command

    spare = Client()
    signed_in = spare.get(f"/tablet/pass/{token}/")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/tablet/pass/"
    page = spare.get("/tablet/pass/")
    assert page.status_code == 200
    html = page.content.decode()
    assert voter.full_name in html and poll.title in html
    assert page["Cache-Control"] == "no-store"
    # Another device opening the same link (the secretary's console) gets nothing.
    elsewhere = Client().get(f"/tablet/pass/{token}/")
    assert elsewhere.status_code == 403 and elsewhere.context["error_code"] == "pass.claimed"

    done = spare.post("/tablet/pass/", {"choice": "no"})
    assert done.status_code == 302
    confirmation = spare.get("/tablet/pass/")
    assert "Phiếu đã được ghi nhận" in confirmation.content.decode()
    assert voter.full_name not in confirmation.content.decode()  # nothing of the delegate stays

    ballot = Ballot.objects.get(poll=poll)
    assert ballot.delegate is None and ballot.choice == "no"  # secret: no voter on the ballot
    participation = Participation.objects.get(poll=poll, delegate=voter)
    assert participation.voting_pass == voting_pass and participation.recorded_by is None
    voting_pass.refresh_from_db()
    assert voting_pass.used_at is not None
    # The chain: who issued it, and that it was used — never a receipt or a choice.
    issued = ActionLog.objects.get(session=session, action="pass.issued")
    used = ActionLog.objects.get(session=session, action="pass.used")
    assert issued.actor_user == secretary.user and issued.data["delegate"] == voter.pk
    assert used.actor_delegate == voter
    for entry in (issued, used):
        assert set(entry.data) == {"poll", "delegate", "voting_pass"}
    # Spent: the link and the page refuse a second ballot.
    assert Client().get(f"/tablet/pass/{token}/").context["error_code"] == "pass.used"
    again = spare.post("/tablet/pass/", {"choice": "yes"})
    assert again.context["done"] and Ballot.objects.filter(poll=poll).count() == 1
    assert chain.verify_chain(session.pk) == []


def test_the_secretary_never_sees_the_choice(sitting):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary, kind="secret")
    voting_pass, token = issue(poll, delegates[0], secretary)
    spare = Client()
    spare.get(f"/tablet/pass/{token}/")
    spare.post("/tablet/pass/", {"choice": "abstain"})
    # Nothing written for staff — the pass, its entries — carries the choice or the receipt.
    receipt = Ballot.objects.get(poll=poll).receipt
    stored = str(list(VotingPass.objects.filter(pk=voting_pass.pk).values()))
    stored += str(
        list(
            ActionLog.objects.filter(session=session, action__startswith="pass.").values("data")
        )
    )
    assert "abstain" not in stored and receipt not in stored


def test_a_pass_works_for_its_poll_only(sitting):
    session, secretary, delegates = sitting
    first = open_poll(session, secretary, kind="secret")
    _pass, token = issue(first, delegates[0], secretary)
    spare = Client()
    spare.get(f"/tablet/pass/{token}/")
    poll_close(poll_id=first.pk, actor=secretary)
    open_poll(session, secretary, kind="secret")  # the next poll: the pass is not for it
    refused = spare.post("/tablet/pass/", {"choice": "yes"})
    assert refused.status_code == 403 and refused.context["error_code"] == "poll.not_open"
    assert not Ballot.objects.exists()


def test_issuing_again_revokes_the_first_pass(sitting):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary, kind="secret")
    _first, old = issue(poll, delegates[0], secretary)
    _second, new = issue(poll, delegates[0], secretary)
    assert Client().get(f"/tablet/pass/{old}/").context["error_code"] == "pass.revoked"
    assert Client().get(f"/tablet/pass/{new}/").status_code == 302


@pytest.mark.parametrize(
    "case, code",
    [
        ("named", "pass.named_poll"),
        ("absent", "ballot.not_checked_in"),
        ("voted", "ballot.already_cast"),
        ("closed", "poll.not_open"),
    ],
)
def test_a_pass_is_refused_when_it_must_be(sitting, case, code):
    session, secretary, delegates = sitting
    poll = open_poll(session, secretary, kind="named" if case == "named" else "secret")
    delegate = delegates[5] if case == "absent" else delegates[0]
    if case == "voted":
        ballot_cast(poll_id=poll.pk, delegate=delegate, choice="no", command_id=new_id())
    if case == "closed":
        poll_close(poll_id=poll.pk, actor=secretary)
    with pytest.raises(ServiceError) as refused:
        issue(poll, delegate, secretary)
    assert refused.value.code == code
    assert not VotingPass.objects.exists()
    assert not ActionLog.objects.filter(action="pass.issued").exists()


def test_a_forged_or_missing_pass_is_refused(sitting):
    response = Client().get("/tablet/pass/not-a-real-token/")
    assert response.status_code == 403 and response.context["error_code"] == "pass.invalid"
    nothing = Client().get("/tablet/pass/")
    assert nothing.status_code == 403 and nothing.context["error_code"] == "pass.invalid"
    assert "Mã bỏ phiếu không hợp lệ" in nothing.content.decode()
