"""A closed sitting for the record's tests, built through the services like a real one.

Seven delegates with many diacritics in their names; six present at the opening, one excused
(with a reason); two invited guests. Four polls: a named and a secret yes/no/abstain vote, a
secret election (options, up to two choices) and a named choice between options, each closed
and published; then a fifth, cancelled with a reason, and its repetition. After the votes one
delegate leaves (with a reason), then the session is closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from meeting import services as meeting
from meeting.models import AgendaItem, Council, Delegate, Guest, Session
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from voting import services as voting
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Poll

NAMES = [
    "Nguyễn Thị Ánh Tuyết",
    "Đặng Quốc Hưng",
    "Huỳnh Ngọc Ẩn",
    "Trương Thị Mỹ Hạnh",
    "Lưu Đức Thắng",
    "Phó Thị Ngọc Diệp",
    "Ưng Hoàng Phúc",  # excused: takes part in nothing
]
ITEMS = [
    "Nghị quyết về ngân sách địa phương năm 2027",
    "Bầu Ủy viên Thường trực Hội đồng nhân dân",
    "Nghị quyết về chương trình giám sát năm 2027",
    "Chọn địa điểm xây dựng trường mầm non",
]
CANDIDATES = ["Lê Thị Thu Hằng", "Đoàn Văn Lực", "Khúc Thị Yến"]
PLACES = ["Phường Đông Ba", "Phường Thuận Hòa"]

# What each of the six present delegates chose, poll by poll (index = delegate).
BUDGET = ["yes", "yes", "yes", "yes", "no", "abstain"]  # named: 4/1/1 of 7 seats → passed
OVERSIGHT = ["no", "yes", "no", "abstain", "yes", "no"]  # secret: 2/3/1 → not passed
ELECTION = [["1", "2"], ["1"], ["1", "3"], ["2"], ["1", "2"], []]  # secret: 4/3/1, one blank
SCHOOL = [["1"], ["2"], ["1"], ["1"], ["2"], ["1"]]  # named options: 4/2
PARKING = "Thông qua Nghị quyết về mức thu phí trông giữ xe"  # cancelled, then repeated
PARKING_AGAIN = ["yes", "yes", "yes", "yes", "yes", "no"]  # named: 5/1/0 → passed
EXCUSE = "Đi công tác theo quyết định của Ủy ban nhân dân thành phố"
LEAVE = "Về trước vì lý do sức khỏe"
GUESTS = [
    ("Tôn Nữ Thị Ninh", "Chủ tịch", "Ủy ban nhân dân phường Đông Ba"),
    ("Nguyễn Văn Ổn", "Chủ tịch", "Ủy ban Mặt trận Tổ quốc Việt Nam phường Đông Ba"),
]
CHAIR = ("Nguyễn Thị Ánh Tuyết", "Chủ tịch Hội đồng nhân dân phường")
SECRETARY = ("Đặng Quốc Hưng", "Chánh Văn phòng")
NUMBER = 5  # "Kỳ họp thứ Năm"
VENUE = "Hội trường Ủy ban nhân dân phường Đông Ba, số 1 Mai Thúc Loan"


@dataclass
class Sitting:
    council: Council
    session: Session
    delegates: list[Delegate]
    chair: Actor
    budget: Poll
    oversight: Poll
    election: Poll
    school: Poll
    cancelled: Poll | None = None
    repeated: Poll | None = None
    # receipts[poll id][delegate index] — only the voter holds it; nothing stored links them.
    receipts: dict[int, list[str]] = field(default_factory=dict)

    @property
    def polls(self) -> list[Poll]:
        return [self.budget, self.oversight, self.election, self.school]


def _run_poll(sitting: Sitting, poll: Poll, choices: list) -> Poll:
    chair = sitting.chair
    voting.poll_open(poll_id=poll.pk, actor=chair)
    receipts: dict[int, str] = {}
    # Secret ballots are cast from the last seat to the first: the record must list the
    # participants in seat order, never in the order they voted.
    order = range(len(choices))
    for index in reversed(order) if poll.kind == Poll.Kind.SECRET else order:
        cast = ballot_cast(
            poll_id=poll.pk,
            delegate=sitting.delegates[index],
            choice=choices[index],
            command_id=str(uuid.uuid4()),
        )
        receipts[index] = cast["receipt"]
    sitting.receipts[poll.pk] = [receipts[index] for index in order]
    poll_close(poll_id=poll.pk, actor=chair)
    voting.poll_publish(poll_id=poll.pk, actor=chair)
    return Poll.objects.get(pk=poll.pk)


def make_sitting(
    *,
    council: Council | None = None,
    title: str = "Kỳ họp thường lệ cuối năm 2026",
    close: bool = True,
) -> Sitting:
    council = council or make_council(seats=len(NAMES), name="HĐND Phường Đông Ba")
    Council.objects.filter(pk=council.pk).update(term="I", term_start=2026, term_end=2031)
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate, name in zip(delegates, NAMES, strict=True):
        delegate.full_name = name
        delegate.save(update_fields=["full_name"])
    session = make_session(council=council, items=len(ITEMS), status=Session.Status.SCHEDULED)
    Session.objects.filter(pk=session.pk).update(title=title, venue=VENUE, number=NUMBER)
    for position, (name, guest_title, agency) in enumerate(GUESTS):
        Guest.objects.create(
            session=session, position=position, full_name=name, title=guest_title, agency=agency
        )
    items = list(AgendaItem.objects.filter(session=session).order_by("position"))
    for item, item_title in zip(items, ITEMS, strict=True):
        item.title = item_title
        item.save(update_fields=["title"])
    chair = Actor(user=make_staff(role="chair"))
    meeting.session_officers_set(
        session_id=session.pk,
        chair_name=CHAIR[0],
        chair_title=CHAIR[1],
        secretary_name=SECRETARY[0],
        secretary_title=SECRETARY[1],
        actor=chair,
    )
    for delegate in delegates[:6]:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    meeting.attendance_set(
        session_id=session.pk,
        delegate_id=delegates[6].pk,
        status="excused",
        reason=EXCUSE,
        actor=chair,
    )
    meeting.session_transition(session_id=session.pk, action="open", actor=chair)

    def create(item: AgendaItem, title: str, **options) -> Poll:
        return voting.poll_create(
            session_id=session.pk, title=title, actor=chair, agenda_item_id=item.pk, **options
        )

    sitting = Sitting(
        council=council,
        session=session,
        delegates=delegates,
        chair=chair,
        budget=create(items[0], "Thông qua Nghị quyết về ngân sách địa phương năm 2027"),
        oversight=create(
            items[2], "Thông qua Nghị quyết về chương trình giám sát năm 2027", kind="secret"
        ),
        election=create(
            items[1],
            "Bầu Ủy viên Thường trực Hội đồng nhân dân",
            kind="secret",
            choice_type="options",
            options=CANDIDATES,
            min_selections=0,
            max_selections=2,
        ),
        school=create(
            items[3],
            "Chọn địa điểm xây dựng trường mầm non",
            choice_type="options",
            options=PLACES,
            min_selections=1,
            max_selections=1,
        ),
    )
    sitting.budget = _run_poll(sitting, sitting.budget, BUDGET)
    sitting.oversight = _run_poll(sitting, sitting.oversight, OVERSIGHT)
    sitting.election = _run_poll(sitting, sitting.election, ELECTION)
    sitting.school = _run_poll(sitting, sitting.school, SCHOOL)
    if close:
        first = create(items[0], PARKING)
        voting.poll_open(poll_id=first.pk, actor=chair)
        for delegate in delegates[:2]:
            ballot_cast(
                poll_id=first.pk, delegate=delegate, choice="yes", command_id=str(uuid.uuid4())
            )
        voting.poll_cancel(poll_id=first.pk, reason="Hệ thống gặp sự cố kỹ thuật", actor=chair)
        again = voting.poll_revote(poll_id=first.pk, actor=chair)
        sitting.cancelled = Poll.objects.get(pk=first.pk)
        sitting.repeated = _run_poll(sitting, again, PARKING_AGAIN)
        meeting.attendance_set(
            session_id=session.pk,
            delegate_id=delegates[5].pk,
            status="left",
            reason=LEAVE,
            actor=chair,
        )
        meeting.session_transition(session_id=session.pk, action="close", actor=chair)
    sitting.session = Session.objects.select_related("council").get(pk=session.pk)
    return sitting
