"""A whole sitting, end to end, on both installs Chamber ships (DESIGN.md: "both installs are
real").

* ``embedded``: exactly what ``make demo`` runs — ``chamber migrate``, ``chamber load_demo``
  and one Daphne process on Chamber's own settings: a SQLite file, the in-memory channel layer.
* ``postgres``: the demo loaded into PostgreSQL, two Daphne processes and the Redis layer,
  tablets spread over both.

On each, as people would: the chair and the clerk sign in through the login form, the clerk
downloads the badge sheet, 30 delegates sign in with the codes printed on it and open their
tablets, the console steps through the agenda, then a named poll (30 ballots sent in the same
instant, one delegate changes hers), a secret poll (a change is refused), a poll the chair
closes while ballots arrive (what is acknowledged is counted, the rest refused as late), a timed
poll that the countdown closes (a late ballot is refused) and its re-vote, which keeps the
countdown. Each is closed and published; the chair closes the sitting and downloads the
minutes, whose counts are read back from the PDF. Every event every screen receives is checked
for its sequence number; the servers log no traceback.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.e2e.client import Screen
from tests.e2e.people import (
    badge_codes,
    badge_sign_in,
    counts_in_minutes,
    pdf_lines,
    staff_sign_in,
)
from tests.servers import (
    Server,
    chamber_command,
    embedded_demo,
    running_servers,
    server_env,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(150),
]

SEATS = 30  # the demo ward council
CHOICES = ("yes", "no", "abstain")
LABELS = {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không biểu quyết"}
STORM_SECONDS = 1.0  # every ballot of a storm is sent within this


@dataclass
class Install:
    name: str
    servers: list[Server]
    session_id: int
    projector_key: str
    badge_sheet: str


def _demo_paths(printed: str) -> dict:
    """What ``chamber load_demo`` printed: the console, projector and badge sheet URLs."""
    session = re.search(r"/chair/(\d+)/", printed)
    projector = re.search(r"/projector/(\d+)/\?key=(\S+)", printed)
    badges = re.search(r"(/staff/councils/\d+/badges\.pdf)", printed)
    assert session and projector and badges, printed
    assert projector.group(1) == session.group(1)
    return {
        "session_id": int(session.group(1)),
        "projector_key": projector.group(2),
        "badge_sheet": badges.group(1),
    }


@pytest.fixture(params=["embedded", "postgres"])
def install(request, tmp_path):
    if request.param == "embedded":
        with embedded_demo(tmp_path) as (server, printed):
            yield Install("embedded", [server], **_demo_paths(printed))
            logs = [server.log]
        # make demo's database: a file, in write-ahead-log mode.
        database = tmp_path / "chamber.sqlite3"
        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    else:
        request.getfixturevalue("transactional_db")
        env = server_env(redis=True)
        printed = chamber_command(env, "load_demo", "--host", "127.0.0.1", "--port", "8000")
        with running_servers(2, env=env, log_dir=tmp_path) as servers:
            yield Install("postgres", servers, **_demo_paths(printed))
            logs = [server.log for server in servers]
    for log in logs:
        text = log.read_text()
        print(f"--- {log} ---\n{text[-4000:]}")  # shown when the test fails
        assert "Traceback" not in text, f"{log} logged a failure"


def _id() -> str:
    return str(uuid.uuid4())


async def _ack(screen: Screen, type: str, **data) -> dict:
    answer = await screen.command(type, _id(), **data)
    assert answer["type"] == "ack", (type, answer)
    return answer["data"]


def _is(type: str, poll_id: int | None = None):
    def check(frame: dict) -> bool:
        if frame["type"] != type:
            return False
        if poll_id is None:
            return True
        data = frame["data"]
        return (data.get("poll") or {}).get("id", data.get("poll_id")) == poll_id

    return check


def _marks(screens: list[Screen]) -> dict[str, int]:
    """How many events each screen has had so far: look for what comes after."""
    return {s.name: len(s.events) for s in screens}


async def _everyone(
    screens: list[Screen], predicate, since: dict[str, int], timeout: float = 20.0
) -> list[dict]:
    """Each screen's first event since ``since`` (received already, or to come) that
    satisfies ``predicate``."""

    async def first(screen: Screen) -> dict:
        for event in screen.events[since[screen.name] :]:
            if predicate(event):
                return event
        return await screen.receive_until(predicate, timeout)

    return await asyncio.gather(*(first(s) for s in screens))


async def _storm(tablets: list[Screen], poll_id: int, choices: list[str]) -> tuple[list, float]:
    """Every tablet casts at once; the answers and how long until the last came."""
    started = time.monotonic()
    sent = []

    async def cast(tablet: Screen, choice: str) -> dict:
        command_id = _id()
        frame = {
            "type": "ballot.cast",
            "id": command_id,
            "data": {"poll_id": poll_id, "choice": choice},
        }
        await tablet.ws.send(json.dumps(frame))
        sent.append(time.monotonic())
        return await tablet.receive_until(
            lambda f: f["type"] in ("ack", "error") and f["id"] == command_id, 30
        )

    answers = await asyncio.gather(*(cast(t, c) for t, c in zip(tablets, choices, strict=True)))
    assert max(sent) - started < STORM_SECONDS
    return answers, time.monotonic() - started


async def _close_and_publish(console, screens, poll_id, since=None) -> dict:
    """Close the poll (unless its countdown did, ``since`` the events before it opened)."""
    if since is None:
        since = _marks(screens)
        assert (await _ack(console, "poll.close", poll_id=poll_id))["status"] == "closed"
    await _everyone(screens, _is("poll.closed", poll_id), since, timeout=30)
    since = _marks(screens)
    await _ack(console, "poll.publish", poll_id=poll_id)
    published = await _everyone(screens, _is("poll.published", poll_id), since)
    results = [frame["data"]["result"] for frame in published]
    assert all(result == results[0] for result in results)  # one result on every screen
    return results[0]


async def test_a_whole_sitting(install: Install):
    servers = install.servers
    one, last = servers[0], servers[-1]
    sid = install.session_id
    screens: list[Screen] = []
    try:
        # -- the staff sign in; the clerk prints the badges; 30 delegates sign in -------------
        chair_cookie = await asyncio.to_thread(staff_sign_in, one, "chutoa")
        clerk_cookie = await asyncio.to_thread(staff_sign_in, one, "vanthu")
        codes = await asyncio.to_thread(badge_codes, one, clerk_cookie, install.badge_sheet)
        assert len(set(codes)) == SEATS
        home = [servers[i % len(servers)] for i in range(SEATS)]
        cookies = await asyncio.gather(
            *(asyncio.to_thread(badge_sign_in, home[i], code) for i, code in enumerate(codes))
        )
        console = await Screen.open("console", one, f"/ws/chair/{sid}/", chair_cookie)
        screens.append(console)
        projector = await Screen.open(
            "projector", last, f"/ws/projector/{sid}/?key={install.projector_key}"
        )
        screens.append(projector)
        opened = await asyncio.gather(
            *(
                Screen.open(f"tablet-{i}", home[i], f"/ws/tablet/{sid}/", cookie)
                for i, cookie in enumerate(cookies)
            ),
            return_exceptions=True,
        )
        tablets = [t for t in opened if isinstance(t, Screen)]
        screens.extend(tablets)
        assert len(tablets) == SEATS, [t for t in opened if not isinstance(t, Screen)]
        assert len({t.snapshot["data"]["me"]["id"] for t in tablets}) == SEATS
        for tablet in tablets:
            assert tablet.snapshot["data"]["me"]["attendance"] == "present"
        roster = console.snapshot["data"]["roster"]
        assert sorted(entry["status"] for entry in roster) == ["present"] * SEATS
        everyone = [console, projector, *tablets]

        # -- the agenda: two steps forward, one back; every screen follows, in order -----------
        await asyncio.gather(*(s.until_seq(console.snapshot["seq"]) for s in everyone))
        for step in ("agenda.next", "agenda.next", "agenda.previous"):
            since = _marks(everyone)
            moved = await _ack(console, step)
            events = await _everyone(everyone, _is("agenda.current"), since)
            assert {e["data"]["current_item_id"] for e in events} == {moved["current_item_id"]}
        item = moved["current_item_id"]

        # -- a named poll: 30 ballots at once, one changed -------------------------------------
        created = await _ack(
            console,
            "poll.create",
            title="Thông qua chương trình kỳ họp",
            agenda_item_id=item,
            kind="named",
            allow_change=True,
        )
        named = created["poll_id"]
        since = _marks(everyone)
        await _ack(console, "poll.open", poll_id=named)
        await _everyone(everyone, _is("poll.opened", named), since)
        choices = [CHOICES[i % 3] for i in range(SEATS)]
        answers, storm = await _storm(tablets, named, choices)
        print(f"{install.name}: 30 named ballots acknowledged in {storm:.2f} s")
        assert [a["type"] for a in answers] == ["ack"] * SEATS, answers
        assert len({a["data"]["receipt"] for a in answers}) == SEATS
        changed = await tablets[0].command("ballot.cast", _id(), poll_id=named, choice="no")
        assert changed["type"] == "ack" and changed["data"]["changed"] is True, changed
        choices[0] = "no"
        result = await _close_and_publish(console, everyone, named)
        assert result["counts"] == dict(Counter(choices)), result
        assert result["ballots"] == SEATS

        # -- a secret poll: 30 ballots at once; changing one is refused ------------------------
        created = await _ack(
            console,
            "poll.create",
            title="Bầu Trưởng Ban Pháp chế",
            agenda_item_id=item,
            kind="secret",
        )
        secret = created["poll_id"]
        since = _marks(everyone)
        await _ack(console, "poll.open", poll_id=secret)
        await _everyone(everyone, _is("poll.opened", secret), since)
        secret_choices = ["yes"] * 20 + ["no"] * 7 + ["abstain"] * 3
        answers, storm = await _storm(tablets, secret, secret_choices)
        print(f"{install.name}: 30 secret ballots acknowledged in {storm:.2f} s")
        assert [a["type"] for a in answers] == ["ack"] * SEATS, answers
        refused = await tablets[5].command("ballot.cast", _id(), poll_id=secret, choice="no")
        assert (refused["type"], refused["data"]["code"]) == ("error", "ballot.already_cast")
        result = await _close_and_publish(console, everyone, secret)
        assert result["counts"] == {"yes": 20, "no": 7, "abstain": 3}, result
        assert result["passed"] is True  # 20 of 30 seats: more than half of all delegates

        # -- a poll the chair closes while ballots arrive: whatever the timing, every ballot
        #    acknowledged is counted and every other one refused as too late ----------------
        created = await _ack(
            console, "poll.create", title="Miễn nhiệm Ủy viên Ban Pháp chế", agenda_item_id=item
        )
        racing = created["poll_id"]
        since = _marks(everyone)
        await _ack(console, "poll.open", poll_id=racing)
        await _everyone(everyone, _is("poll.opened", racing), since)
        race_choices = [CHOICES[(i + 1) % 3] for i in range(SEATS)]
        half = SEATS // 2
        since = _marks(everyone)
        first = asyncio.ensure_future(_storm(tablets[:half], racing, race_choices[:half]))
        await asyncio.sleep(0)  # the first wave is on the wire
        close = asyncio.ensure_future(console.command("poll.close", _id(), poll_id=racing))
        await asyncio.sleep(0)
        second = await _storm(tablets[half:], racing, race_choices[half:])
        answers = (await first)[0] + second[0]
        assert (await close)["type"] == "ack"
        acked = [c for a, c in zip(answers, race_choices, strict=True) if a["type"] == "ack"]
        refused = {a["data"]["code"] for a in answers if a["type"] == "error"}
        assert refused <= {"poll.not_open"}, answers
        print(f"{install.name}: closed in a storm, {len(acked)} counted, {SEATS - len(acked)} late")
        race_result = await _close_and_publish(console, everyone, racing, since=since)
        race_counts = {c: Counter(acked)[c] for c in CHOICES}
        assert race_result["counts"] == race_counts, (race_result, acked)
        assert race_result["ballots"] == len(acked)

        # -- a timed poll: the countdown closes it, every ballot in time is counted ------------
        created = await _ack(
            console,
            "poll.create",
            title="Nghị quyết dự toán ngân sách",
            agenda_item_id=item,
            kind="named",
            countdown_seconds=4,
        )
        timed = created["poll_id"]
        before_open = _marks(everyone)
        opened_poll = await _ack(console, "poll.open", poll_id=timed)
        assert opened_poll["closes_at"]
        await _everyone(everyone, _is("poll.opened", timed), before_open)
        late, on_time = tablets[-1], tablets[:-1]
        timed_choices = ["yes"] * 16 + ["no"] * 12 + ["abstain"]
        answers, storm = await _storm(on_time, timed, timed_choices)
        assert [a["type"] for a in answers] == ["ack"] * (SEATS - 1), answers
        # Nobody closes it: the countdown does.
        await _everyone(everyone, _is("poll.closed", timed), before_open, timeout=30)
        too_late = await late.command("ballot.cast", _id(), poll_id=timed, choice="yes")
        assert (too_late["type"], too_late["data"]["code"]) == ("error", "poll.not_open")
        result = await _close_and_publish(console, everyone, timed, since=before_open)
        assert result["counts"] == {"yes": 16, "no": 12, "abstain": 1}, result
        assert result["passed"] is True, result  # 16 of 30 seats

        # -- its re-vote copies the countdown, which closes it again ---------------------------
        revote = (await _ack(console, "poll.revote", poll_id=timed))["poll_id"]
        before_open = _marks(everyone)
        assert (await _ack(console, "poll.open", poll_id=revote))["closes_at"]
        await _everyone(everyone, _is("poll.opened", revote), before_open)
        revote_choices = ["yes"] * 18 + ["no"] * 10 + ["abstain"] * 2
        answers, storm = await _storm(tablets, revote, revote_choices)
        assert [a["type"] for a in answers] == ["ack"] * SEATS, answers
        await _everyone(everyone, _is("poll.closed", revote), before_open, timeout=30)
        result = await _close_and_publish(console, everyone, revote, since=before_open)
        assert result["counts"] == {"yes": 18, "no": 10, "abstain": 2}, result

        # -- the sitting closes; the minutes count what the room saw ---------------------------
        await _ack(console, "session.close")
        lines = await asyncio.to_thread(pdf_lines, one, f"/record/{sid}/minutes.pdf", chair_cookie)
        assert counts_in_minutes(lines, "Thông qua chương trình kỳ họp", LABELS) == {
            c: Counter(choices)[c] for c in CHOICES
        }
        assert counts_in_minutes(lines, "Bầu Trưởng Ban Pháp chế", LABELS) == {
            "yes": 20,
            "no": 7,
            "abstain": 3,
        }
        assert counts_in_minutes(lines, "Miễn nhiệm Ủy viên Ban Pháp chế", LABELS) == race_counts
        timed_parts = counts_in_minutes(lines, "Nghị quyết dự toán ngân sách", LABELS, every=True)
        assert {"yes": 16, "no": 12, "abstain": 1} in timed_parts, timed_parts
        assert {"yes": 18, "no": 10, "abstain": 2} in timed_parts, timed_parts
    finally:
        await asyncio.gather(*(screen.close() for screen in screens))
