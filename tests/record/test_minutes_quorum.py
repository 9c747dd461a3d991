"""The minutes say what the law asks of quorum and of assisted votes, read back from the PDF:
the opening below the quorum with the chair's reason, a vote opened below it with its reason,
the quorum at the close of each vote, a show of hands recorded by the secretary (by whom,
when) and ballots cast on a spare tablet with a one-time pass (issued by whom)."""

import uuid

import pymupdf
import pytest
from django.test import Client
from django.utils import timezone

from meeting import services as meeting
from meeting.models import Session
from realtime.actors import Actor
from record.verify import verify_session
from tests.factories import make_council, make_session, make_staff
from tests.record.test_minutes import body_lines, flat, vote_sections
from voting import assisted, services
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Participation

pytestmark = pytest.mark.django_db

OPENING_REASON = "Mưa bão, nhiều đại biểu đến muộn"
VOTE_REASON = "Biểu quyết thủ tục theo đề nghị của Thường trực"


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def closed_sitting():
    council = make_council(seats=6, name="Hội đồng nhân dân Phường Bến Thành")
    session = make_session(council=council, status=Session.Status.SCHEDULED, items=2)
    secretary = make_staff(role="secretary", username="thuky-bb")
    secretary.last_name, secretary.first_name = "Phạm", "Thanh Bình"
    secretary.save()
    staff = Actor(user=secretary)
    delegates = list(council.delegates.order_by("seat_label"))

    def mark(people, status):
        for delegate in people:
            meeting.attendance_set(
                session_id=session.pk, delegate_id=delegate.pk, status=status, actor=staff
            )

    mark(delegates[:3], "present")
    meeting.session_officers_set(
        session_id=session.pk,
        chair_name="Nguyễn Thị Thu Hà",
        secretary_name="Phạm Thanh Bình",
        actor=staff,
    )
    meeting.session_transition(
        session_id=session.pk, action="open", actor=staff, override_reason=OPENING_REASON
    )
    mark(delegates[3:5], "present")  # five of six: quorate

    named = services.poll_create(session_id=session.pk, title="Thông qua chương trình", actor=staff)
    services.poll_open(poll_id=named.pk, actor=staff)
    ballot_cast(poll_id=named.pk, delegate=delegates[0], choice="yes", command_id=new_id())
    assisted.ballot_record(
        poll_id=named.pk,
        delegate_id=delegates[1].pk,
        choice="no",
        command_id=new_id(),
        actor=staff,
        session_id=session.pk,
    )
    poll_close(poll_id=named.pk, actor=staff)

    secret = services.poll_create(
        session_id=session.pk, title="Bầu Phó Chủ tịch", actor=staff, kind="secret"
    )
    services.poll_open(poll_id=secret.pk, actor=staff)
    voting_pass, token = assisted.voting_pass_issue(
        poll_id=secret.pk,
        delegate_id=delegates[2].pk,
        command_id=new_id(),
        actor=staff,
        session_id=session.pk,
    )
    spare = Client()
    spare.get(f"/tablet/pass/{token}/")
    assert spare.post("/tablet/pass/", {"choice": "yes"}).status_code == 302
    mark(delegates[3:5], "left")  # two leave before the close: three of six
    poll_close(poll_id=secret.pk, actor=staff)

    late = services.poll_create(session_id=session.pk, title="Bổ sung chương trình", actor=staff)
    services.poll_open(poll_id=late.pk, actor=staff, override_reason=VOTE_REASON)
    poll_close(poll_id=late.pk, actor=staff)
    meeting.session_transition(session_id=session.pk, action="close", actor=staff)
    recorded_at = Participation.objects.get(poll=named, delegate=delegates[1]).voted_at
    return session, delegates, recorded_at


def test_the_minutes_print_the_quorum_its_overrides_and_the_assisted_votes(closed_sitting):
    session, delegates, recorded_at = closed_sitting
    response = Client().get(f"/record/{session.pk}/minutes.pdf")
    assert response.status_code == 200
    document = pymupdf.open("pdf", response.content)
    lines = body_lines(document)
    text = flat(lines)
    # The opening: below the quorum, and why the chair went on.
    assert "Khi khai mạc có mặt 3/6 đại biểu" in text
    assert "không đủ số lượng đại biểu theo quy định (cần ít nhất 4/6 đại biểu)" in text
    assert f"Chủ tọa quyết định vẫn tiến hành kỳ họp. Lý do: {OPENING_REASON}." in text

    votes = {n: flat(section) for n, section in vote_sections(lines).items()}
    assert len(votes) == 3
    # Vote 1: quorate at its close; delegate 02's vote recorded by the secretary.
    assert "Túc số lúc kết thúc biểu quyết: có mặt 5/6 đại biểu, đủ túc số (ít nhất 4)." in votes[1]
    at = timezone.localtime(recorded_at)
    recorded = f"do thư ký Phạm Thanh Bình ghi nhận lúc {at.hour} giờ {at.minute:02d} phút"
    assert recorded in votes[1]
    assert votes[1].index(delegates[1].full_name) < votes[1].index(recorded)
    assert votes[1].count("do thư ký") == 1  # delegate 01 voted on her own tablet
    # Vote 2: secret; delegate 03 on a spare tablet, and the quorum lost before the close.
    assert (
        "Bỏ phiếu trên máy tính bảng dự phòng, bằng mã bỏ phiếu một lần do Phạm Thanh Bình "
        f"cấp: {delegates[2].full_name}."
    ) in votes[2]
    assert "KHÔNG ĐỦ túc số (cần ít nhất 4)" in votes[2] and "có mặt 3/6" in votes[2]
    # Vote 3: opened below the quorum on the chair's reason.
    assert (
        "Mở biểu quyết khi chưa đủ túc số: có mặt 3/6 đại biểu, cần ít nhất 4. Chủ tọa quyết "
        f"định vẫn biểu quyết. Lý do: {VOTE_REASON}."
    ) in votes[3]
    assert "Mở biểu quyết khi chưa đủ túc số" not in votes[1] + votes[2]
    document.close()
    assert verify_session(session.pk) == []


@pytest.mark.parametrize(
    "tamper, named",
    [
        ("override_reason", "the quorum at its opening"),
        ("sitting_quorum", "the quorum at its close"),
        ("recorded_by_removed", "recorded by staff user"),
        ("recorded_by_added", "recorded by staff user"),
        ("pass_removed", "voting with pass"),
    ],
)
def test_rewriting_what_the_minutes_say_of_quorum_and_assisted_votes_is_caught(
    closed_sitting, tamper, named
):
    from voting.models import Poll, PollResult

    session, delegates, _at = closed_sitting
    polls = {p.title: p for p in Poll.objects.filter(session=session)}
    named_poll, secret, late = (
        polls["Thông qua chương trình"],
        polls["Bầu Phó Chủ tịch"],
        polls["Bổ sung chương trình"],
    )
    if tamper == "override_reason":  # as if the vote had opened with its quorum
        Poll.objects.filter(pk=late.pk).update(
            quorum_at_open={**late.quorum_at_open, "quorate": True, "override_reason": ""}
        )
    elif tamper == "sitting_quorum":
        PollResult.objects.filter(poll=secret).update(
            sitting_quorum={"present": 5, "seats": 6, "required": 4, "quorate": True}
        )
    elif tamper == "recorded_by_removed":  # the secretary's hand erased
        Participation.objects.filter(poll=named_poll).update(recorded_by=None)
    elif tamper == "recorded_by_added":  # a delegate's own vote passed off as recorded
        user = Participation.objects.exclude(recorded_by=None).get(poll=named_poll).recorded_by
        Participation.objects.filter(poll=named_poll, delegate=delegates[0]).update(
            recorded_by=user
        )
    elif tamper == "pass_removed":
        Participation.objects.filter(poll=secret).update(voting_pass=None)
    problems = verify_session(session.pk)
    assert any(named in problem for problem in problems), problems


def test_the_exports_carry_the_quorum_and_who_recorded_a_show_of_hands(closed_sitting):
    import csv
    import io

    session, delegates, _at = closed_sitting
    client = Client()

    def rows(name):
        response = client.get(f"/record/{session.pk}/{name}")
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    polls = {row["title"]: row for row in rows("polls.csv")}
    late = polls["Bổ sung chương trình"]
    assert (late["present_at_open"], late["opened_below_quorum_reason"]) == ("3", VOTE_REASON)
    secret = polls["Bầu Phó Chủ tịch"]
    assert (secret["present_at_close"], secret["quorum_required"]) == ("3", "4")
    assert secret["quorate_at_close"] == "False"
    votes = {row["delegate"]: row for row in rows("votes.csv")}
    assert votes[delegates[1].full_name]["recorded_by"] == "Phạm Thanh Bình"
    assert votes[delegates[0].full_name]["recorded_by"] == ""
