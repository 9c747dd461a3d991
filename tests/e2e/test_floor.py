"""The floor end to end: two daphne processes, PostgreSQL, Redis, 30 real tablets.

Thirty tablets ask for the floor in the same instant: thirty distinct places, in the order the
requests committed, the same on every screen. The chair then runs ten turns of three kinds
(speak, a point of order ahead of the line, a debate reply), with a pause, a resume and added
time, and a question session: questions from tablets and one on paper, called grouped by
respondent, question → answer → debate, then the end of question time, which leaves a
written answer that the clerk records and the asker's tablet receives. After every step every
screen's list of speakers, running turn and timer are compared with the database; a tablet that
reconnects gets the running time from its snapshot.
"""

from __future__ import annotations

import asyncio
import datetime
import re
import uuid

import pytest
from asgiref.sync import sync_to_async

from floor.models import Question, Request
from floor.selectors import floor_snapshot
from meeting.badges import sign_in_url
from meeting.models import Guest, Session
from tests.e2e.client import Screen, badge_sign_in
from tests.e2e.people import request, staff_sign_in
from tests.factories import make_staff

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(180),
]

TABLETS = 30
TIMER_SLACK = 3.0  # seconds: a frame built at commit, compared a moment later on a busy box


def _id() -> str:
    return str(uuid.uuid4())


async def _ack(screen: Screen, type: str, **data) -> dict:
    answer = await screen.command(type, _id(), **data)
    assert answer["type"] == "ack", (screen.name, type, answer)
    return answer["data"]


@sync_to_async
def _truth(session_id: int) -> tuple[int, dict]:
    session = Session.objects.select_related("council").get(pk=session_id)
    return session.seq, floor_snapshot(session)


class Floor:
    """What one screen knows of the floor: its snapshot, then every event applied."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.seen = 0
        self._load(screen.snapshot)

    def _load(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        data = snapshot["data"]
        self.lists = dict(data["floor"]["lists"])
        self.turn = data["floor"]["turn"]
        self.questions = data["questions"]

    def _apply(self, change: dict) -> None:
        """As a screen does: each changed request taken out, put back if it still waits."""
        key = str(change["agenda_item_id"])
        known = {r["id"]: r for r in self.lists.get(key, {}).get("waiting", [])}
        for entry in change["requests"]:
            known.pop(entry["id"], None)
            if entry["status"] == "waiting":
                known[entry["id"]] = entry
        line = sorted(known.values(), key=lambda r: (r["rank"], r["position"]))
        assert len(line) == change["waiting_count"], (self.screen.name, key)
        self.lists[key] = {**change, "waiting": line}

    def catch_up(self) -> None:
        if self.screen.snapshot is not self.snapshot:  # the server re-sent the truth
            self._load(self.screen.snapshot)
        for frame in self.screen.events[self.seen :]:
            if frame["seq"] <= self.snapshot["seq"]:
                continue
            if frame["type"] == "floor.changed":
                state = frame["data"]
                if state["list"] is not None:
                    self._apply(state["list"])
                self.turn = state["turn"]
            elif frame["type"] == "questions.changed":
                self.questions = frame["data"]
        self.seen = len(self.screen.events)


def _queue(state: dict) -> list[tuple[int, str]]:
    return [(entry["id"], entry["kind"]) for entry in state["waiting"]]


async def _agree(floors: list[Floor], session_id: int) -> dict:
    """Every screen has had every event, and shows the database's lists, turn and timer."""
    seq, truth = await _truth(session_id)
    await asyncio.gather(*(floor.screen.until_seq(seq, timeout=20) for floor in floors))
    for floor in floors:
        floor.catch_up()
        name = floor.screen.name
        for item_id, state in truth["floor"]["lists"].items():
            if state["waiting"] or item_id in floor.lists:
                assert _queue(floor.lists[item_id]) == _queue(state), name
                assert floor.lists[item_id]["closed"] == state["closed"], name
        expected, shown = truth["floor"]["turn"], floor.turn
        assert (shown or {}).get("id") == (expected or {}).get("id"), name
        if expected is not None:
            for key in ("kind", "speaker", "paused", "limit_seconds", "added_seconds"):
                assert shown[key] == expected[key], (name, key)
            # The frame's figure was true when it was built; the database's is true now.
            lag = expected["elapsed_seconds"] - shown["elapsed_seconds"]
            assert -0.01 <= lag <= TIMER_SLACK or expected["paused"], (name, lag)
        assert [q["id"] for q in floor.questions["questions"]] == [
            q["id"] for q in truth["questions"]["questions"]
        ], name
        assert [q["status"] for q in floor.questions["questions"]] == [
            q["status"] for q in truth["questions"]["questions"]
        ], name
    return truth


def _clerk_answers(server, username: str, question_id: int, text: str) -> None:
    """The clerk signs in, finds the question among those due and records the answer."""
    cookie = staff_sign_in(server, username, password="pw-123456")
    due = request(server, "GET", "/floor/written/", cookies={"sessionid": cookie})
    assert due.status == 200 and f'data-question-id="{question_id}"'.encode() in due.body
    path = f"/floor/written/{question_id}/"
    page = request(server, "GET", path, cookies={"sessionid": cookie})
    csrf = page.cookies().get("csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    answer = request(
        server,
        "POST",
        path,
        cookies={"sessionid": cookie, **({"csrftoken": csrf} if csrf else {})},
        form={"csrfmiddlewaretoken": token.decode(), "text": text},
    )
    assert answer.status == 302, answer.body[:2000]
    after = request(server, "GET", "/floor/written/", cookies={"sessionid": cookie})
    assert f'data-question-id="{question_id}"'.encode() not in after.body


@sync_to_async
def _places(session_id: int) -> list[int]:
    """The requests' ids in the order of their places in the database."""
    return list(
        Request.objects.filter(speaker_list__session_id=session_id, status="waiting")
        .order_by("rank", "position")
        .values_list("pk", flat=True)
    )


@sync_to_async
def _prepare(chamber) -> tuple[list[int], str]:
    guests = [
        Guest.objects.create(
            session=chamber.session,
            position=1,
            full_name="Trần Văn Chủ Tịch",
            title="Chủ tịch UBND phường",
            agency="Ủy ban nhân dân phường",
        ).pk,
        Guest.objects.create(
            session=chamber.session,
            position=2,
            full_name="Lê Thị Trưởng Phòng",
            title="Trưởng phòng Quản lý đô thị",
            agency="Ủy ban nhân dân phường",
        ).pk,
    ]
    return guests, make_staff(role="clerk", council=chamber.council).username


async def test_thirty_requests_ten_turns_and_a_question_session(chamber, servers):
    session, delegates = chamber.session, chamber.delegates
    one, two = servers
    home = {d.pk: (one if i % 2 == 0 else two) for i, d in enumerate(delegates)}
    guests, clerk = await _prepare(chamber)
    screens: list[Screen] = []
    try:
        cookies = await asyncio.gather(
            *(asyncio.to_thread(badge_sign_in, sign_in_url(home[d.pk].http, d)) for d in delegates)
        )
        path = f"/ws/tablet/{session.pk}/"
        tablets = await asyncio.gather(
            *(
                Screen.open(f"tablet-{d.seat_label}", home[d.pk], path, cookie)
                for d, cookie in zip(delegates, cookies, strict=True)
            )
        )
        screens += tablets
        console = await Screen.open(
            "console", one, f"/ws/chair/{session.pk}/", chamber.chair_cookie
        )
        projector = await Screen.open(
            "projector", two, f"/ws/projector/{session.pk}/?key={session.projector_key}"
        )
        screens += [console, projector]
        floors = [Floor(screen) for screen in screens]
        tablet_of = dict(zip((d.pk for d in delegates), tablets, strict=True))

        # -- 1. thirty tablets ask in the same instant ---------------------------------------
        answers = await asyncio.gather(*(_ack(t, "floor.request", kind="speak") for t in tablets))
        assert sorted(a["place"] for a in answers) == list(range(1, TABLETS + 1))
        by_place = [a["request_id"] for a in sorted(answers, key=lambda a: a["place"])]
        assert by_place == await _places(session.pk)  # the places are the database's order
        assert by_place == sorted(by_place)  # ... which is the order they committed in
        truth = await _agree(floors, session.pk)
        assert len(truth["floor"]["lists"][str(chamber.items[0].pk)]["waiting"]) == TABLETS
        for floor in floors:  # one sequenced event per request, never one per screen
            changes = [e for e in floor.screen.events if e["type"] == "floor.changed"]
            assert len(changes) == TABLETS
            assert all(len(e["data"]["list"]["requests"]) == 1 for e in changes)

        # -- 2. ten turns of three kinds -----------------------------------------------------
        turns = []
        first = await _ack(console, "floor.next")  # 1: speak
        turns.append(first["turn_id"])
        await _agree(floors, session.pk)
        await _ack(console, "floor.pause")
        await _agree(floors, session.pk)
        await _ack(console, "floor.resume")
        await _ack(console, "floor.add_time", seconds=60)
        await _agree(floors, session.pk)
        # A point of order goes ahead of the 29 still waiting.
        await _ack(tablet_of[delegates[29].pk], "floor.request", kind="order")
        truth = await _agree(floors, session.pk)
        head = truth["floor"]["lists"][str(chamber.items[0].pk)]["waiting"][0]
        assert (head["kind"], head["speaker"]["delegate_id"]) == ("order", delegates[29].pk)
        turns.append((await _ack(console, "floor.next"))["turn_id"])  # 2: order
        await _agree(floors, session.pk)
        # Debate: the first speaker's words, answered by delegate 3.
        debate = await _ack(
            tablet_of[delegates[3].pk], "floor.request", kind="debate", reply_to_turn_id=turns[0]
        )
        await _agree(floors, session.pk)
        turns.append(
            (await _ack(console, "floor.give", request_id=debate["request_id"]))["turn_id"]
        )
        truth = await _agree(floors, session.pk)
        assert truth["floor"]["turn"]["reply_to"]["turn_id"] == turns[0]
        for _ in range(7):  # 4-10: speak, the next in line each time
            turns.append((await _ack(console, "floor.next"))["turn_id"])
            await _agree(floors, session.pk)
        assert len(set(turns)) == 10
        await _ack(console, "floor.end")
        await _ack(console, "floor.close")
        truth = await _agree(floors, session.pk)
        assert truth["floor"]["turn"] is None
        # A point of order still comes on a closed list.
        await _ack(tablet_of[delegates[0].pk], "floor.request", kind="order")

        # A tablet that reconnects mid-turn gets the running time from its snapshot.
        await _ack(console, "floor.next")
        await _agree(floors, session.pk)
        returning = await Screen.open("tablet-back", two, path, cookies[5])
        screens.append(returning)
        seq, truth = await _truth(session.pk)
        back = returning.snapshot["data"]["floor"]["turn"]
        assert back["id"] == truth["floor"]["turn"]["id"]
        lag = truth["floor"]["turn"]["elapsed_seconds"] - back["elapsed_seconds"]
        assert 0 <= lag <= TIMER_SLACK
        await _ack(console, "floor.end")

        # -- 3. the question session ---------------------------------------------------------
        await _ack(console, "agenda.next")
        asked = [
            await _ack(tablet_of[delegates[i].pk], "question.register", respondent_id=g, text=text)
            for i, g, text in (
                (1, guests[1], "Tiến độ chỉnh trang vỉa hè đường Nguyễn Huệ?"),
                (2, guests[0], "Kế hoạch giải ngân vốn đầu tư công năm 2027?"),
                (4, guests[1], "Xử lý lấn chiếm lòng đường ở chợ Bến Thành?"),
            )
        ]
        paper = await _ack(
            console,
            "question.register",
            respondent_id=guests[0],
            text="Câu hỏi gửi bằng phiếu: trường học quá tải?",
            asker_id=delegates[7].pk,
        )
        await _ack(console, "question.order", order="respondent")
        truth = await _agree(floors, session.pk)
        # Grouped by respondent, respondents in the order of their first question.
        assert truth["questions"]["call_order"] == [
            asked[0]["question_id"],
            asked[2]["question_id"],
            asked[1]["question_id"],
            paper["question_id"],
        ]
        called = await _ack(console, "question.call")
        assert called["question_id"] == asked[0]["question_id"]
        await _agree(floors, session.pk)
        await _ack(console, "question.answer")
        truth = await _agree(floors, session.pk)
        assert truth["floor"]["turn"]["speaker"]["guest_id"] == guests[1]
        await _ack(console, "question.debate")
        truth = await _agree(floors, session.pk)
        assert truth["floor"]["turn"]["speaker"]["delegate_id"] == delegates[1].pk
        await _ack(console, "question.finish")
        await _agree(floors, session.pk)
        due = (datetime.date.today() + datetime.timedelta(days=15)).isoformat()
        ended = await _ack(console, "question.time_end", due_date=due)
        assert ended["written"] == sorted(
            [asked[2]["question_id"], asked[1]["question_id"], paper["question_id"]]
        )
        truth = await _agree(floors, session.pk)
        statuses = {q["id"]: q["status"] for q in truth["questions"]["questions"]}
        assert statuses[asked[0]["question_id"]] == "answered"

        # -- 4. the written answer reaches the asker's tablet ---------------------------------
        asker = tablet_of[delegates[2].pk]
        await asyncio.to_thread(
            _clerk_answers,
            one,
            clerk,
            asked[1]["question_id"],
            "Đã giải ngân 62% kế hoạch vốn; phần còn lại trong quý I.",
        )
        notice = await asker.receive_until(lambda f: f["type"] == "written.answered")
        assert notice["data"]["answer_text"].startswith("Đã giải ngân 62%")
        assert notice["data"]["id"] == asked[1]["question_id"]
        assert (
            await sync_to_async(Question.objects.get)(pk=asked[1]["question_id"])
        ).status == "answered_in_writing"
        await _agree(floors, session.pk)
        again = await Screen.open("asker-again", home[delegates[2].pk], path, cookies[2])
        screens.append(again)
        assert [a["id"] for a in again.snapshot["data"]["my_answers"]] == [asked[1]["question_id"]]
    finally:
        await asyncio.gather(*(screen.close() for screen in screens))
