"""A storm of ballots while the chair closes the poll: two daphne processes, PostgreSQL, Redis.

200 delegates sign in with their badges over HTTP and open real WebSockets on two server
processes. The chair opens a named poll, then a secret one; each time every tablet casts at
once and the console closes the poll in the middle of the storm. Then, for each poll:

* every acknowledged ballot is counted and nothing else is: receipts, Participation rows,
  choices, the stored totals and the digest all agree with the acks;
* the only refusal is ``poll.not_open``;
* every tablet drops its connection, comes back (most on the other server) and resends its
  ballots with the same command ids: counted ballots get the same receipt again, refused ones
  are refused again, and not a row changes.

Why the tablets are spread unevenly during the storms: a server process runs the database work
of all its WebSocket commands in one thread (asgiref's thread-sensitive default), one at a
time, in order, so a ``poll.close`` sent to a process waits behind the ballots that process has
queued. The console sits on the server with a quarter of the tablets and closes once all of
those have their answer, when about half of all ballots are in: the other server is then still
in the middle of its storm, with ballots in flight. The test proves the close landed there
(some ballots acknowledged, some refused), so a change of timing cannot make it pass vacuously.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidMessage

from meeting.badges import sign_in_url
from tests.e2e.client import badge_sign_in
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import ballots_digest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(150),
]

SEATS = 200
CHOICES = ("yes", "no", "abstain")
CONNECTING = 10  # WebSockets opening at once: each process runs their database work in turn
SIGNING_IN = 16
TIMEOUT = 30.0
HANDSHAKE_ATTEMPTS = 3
HANDSHAKES_DROPPED: list[str] = []


class Screen:
    """A real WebSocket client: one task reads every frame, waiters look for what they need."""

    def __init__(self, name: str, ws: ClientConnection) -> None:
        self.name = name
        self.ws = ws
        self.frames: list[dict] = []
        self.gone = False
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read(), name=f"read-{name}")

    @classmethod
    async def open(cls, name: str, server, path: str, cookie: str | None = None) -> Screen:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
        for attempt in range(HANDSHAKE_ATTEMPTS):
            try:
                ws = await asyncio.wait_for(
                    connect(f"{server.ws}{path}", origin=server.origin, additional_headers=headers),
                    TIMEOUT,
                )
                break
            except (InvalidMessage, OSError):
                # Daphne drops a handshake its process has not accepted within 5 s; a busy
                # process (one database thread for all its sockets) does that in a burst of
                # connects. A tablet then connects again, and so does this one.
                HANDSHAKES_DROPPED.append(name)
                if attempt == HANDSHAKE_ATTEMPTS - 1:
                    raise
        screen = cls(name, ws)
        try:
            first = await screen.wait_for(lambda frame: True)
            assert first["type"] == "snapshot", (name, first)
        except BaseException:
            await screen.close()
            raise
        return screen

    @property
    def snapshot(self) -> dict:
        return self.frames[0]

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                async with self._arrived:
                    self.frames.append(json.loads(text))
                    self._arrived.notify_all()
        except ConnectionClosed:
            pass
        finally:
            async with self._arrived:
                self.gone = True
                self._arrived.notify_all()

    def find(self, predicate, start: int = 0) -> dict | None:
        return next((frame for frame in self.frames[start:] if predicate(frame)), None)

    async def wait_for(self, predicate, timeout: float = TIMEOUT, start: int = 0) -> dict:
        """The first frame from ``start`` on, received already or later, that satisfies
        ``predicate``."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(
                    lambda: self.gone or self.find(predicate, start) is not None
                ),
                timeout,
            )
        frame = self.find(predicate, start)
        assert frame is not None, f"{self.name}: the connection closed before the frame came"
        return frame

    async def command(self, type: str, id: str, **data) -> dict:
        await self.ws.send(json.dumps({"type": type, "id": id, "data": data}))
        return await self.wait_for(
            lambda frame: frame["type"] in ("ack", "error") and frame["id"] == id
        )

    def drop(self) -> None:
        """The network goes away: no close frame."""
        self.ws.transport.abort()

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.ws.close(), TIMEOUT)
        except Exception:  # already gone
            pass
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


@dataclass
class Storm:
    """One poll's storm: what each delegate sent and what each was answered."""

    kind: str
    poll_id: int
    command_of: dict[int, str]
    choice_of: dict[int, str]
    answers: dict[int, dict] = field(default_factory=dict)

    @property
    def receipt_of(self) -> dict[int, str]:
        return {
            pk: answer["data"]["receipt"]
            for pk, answer in self.answers.items()
            if answer["type"] == "ack"
        }

    @property
    def refused(self) -> dict[int, str]:
        return {
            pk: answer["data"]["code"]
            for pk, answer in self.answers.items()
            if answer["type"] == "error"
        }


@pytest.fixture
def chamber(transactional_db):
    from django.test import Client

    council = make_council(seats=SEATS)
    session = make_session(council=council, items=3)
    chair = make_staff(role="chair", council=council)
    client = Client()
    client.force_login(chair)
    return SimpleNamespace(
        session=session,
        delegates=list(council.delegates.order_by("seat_label")),
        chair_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
    )


@pytest.fixture
def servers(transactional_db, tmp_path):
    with running_servers(2, redis=True, log_dir=tmp_path) as started:
        yield started
        for server in started:  # shown only when the test fails
            print(f"--- {server.log} ---\n{server.log.read_text()[-4000:]}")


@sync_to_async
def stored(poll_id: int) -> SimpleNamespace:
    ballots = list(Ballot.objects.filter(poll_id=poll_id))
    return SimpleNamespace(
        poll=Poll.objects.get(pk=poll_id),
        result=PollResult.objects.filter(poll_id=poll_id).first(),
        ballots=ballots,
        counted=[b for b in ballots if not b.superseded],
        participants=sorted(
            Participation.objects.filter(poll_id=poll_id).values_list("delegate_id", flat=True)
        ),
    )


async def gather_all(coroutines) -> list:
    """Like ``gather``, but every coroutine finishes before the first failure is raised."""
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def limited(semaphore: asyncio.Semaphore, start):
    async def run(*args):
        async with semaphore:
            return await start(*args)

    return run


async def storm(
    *, kind: str, chair: Screen, tablet_of: dict[int, Screen], close_after: set[int], shift: int
) -> Storm:
    """Open a poll; the tablets in ``close_after`` cast at once, and the moment they all have
    their answer the chair closes while most other tablets cast: the close lands in the
    middle of that storm. A third of the rest cast only once the close is acknowledged, so
    that every run also sees ballots that come too late. Returns what was sent and
    answered."""
    created = await chair.command(
        "poll.create", f"create-{kind}", title=f"Nghị quyết {kind}", kind=kind
    )
    assert created["type"] == "ack", created
    poll_id = created["data"]["poll_id"]
    opened = await chair.command("poll.open", f"open-{kind}", poll_id=poll_id)
    assert opened["type"] == "ack", opened

    def is_opened(frame):
        return frame["type"] == "poll.opened" and frame["data"]["poll"]["id"] == poll_id

    await gather_all(tablet.wait_for(is_opened) for tablet in tablet_of.values())

    run = Storm(
        kind=kind,
        poll_id=poll_id,
        command_of={pk: str(uuid.uuid4()) for pk in tablet_of},
        choice_of={pk: CHOICES[(i + shift) % len(CHOICES)] for i, pk in enumerate(tablet_of)},
    )
    time_to_close, poll_closed = asyncio.Event(), asyncio.Event()
    late = set(sorted(set(tablet_of) - close_after)[::3])

    async def cast(delegate_id: int) -> None:
        if delegate_id not in close_after:
            await time_to_close.wait()
        if delegate_id in late:
            await poll_closed.wait()
        run.answers[delegate_id] = await tablet_of[delegate_id].command(
            "ballot.cast",
            run.command_of[delegate_id],
            poll_id=poll_id,
            choice=run.choice_of[delegate_id],
        )
        if close_after <= run.answers.keys():
            time_to_close.set()

    async def close() -> dict:
        await time_to_close.wait()
        answer = await chair.command("poll.close", f"close-{kind}", poll_id=poll_id)
        poll_closed.set()
        return answer

    closed, *_ = await gather_all([close(), *(cast(pk) for pk in tablet_of)])
    assert closed["type"] == "ack", closed
    assert closed["data"] == {"poll_id": poll_id, "status": "closed"}
    return run


async def check_storm(run: Storm, *, chair: Screen, tablets: list[Screen]) -> None:
    """Counted == acknowledged, exactly; every screen heard the close with that count."""
    receipt_of, refused = run.receipt_of, run.refused
    acked = sorted(receipt_of)
    assert len(acked) + len(refused) == SEATS
    assert set(refused.values()) <= {"poll.not_open"}, Counter(refused.values())
    # The close landed in the middle of the storm: some ballots made it, some did not.
    assert acked and refused, (len(acked), len(refused))
    assert len(set(receipt_of.values())) == len(acked)

    def is_closed(frame):
        return frame["type"] == "poll.closed" and frame["data"]["poll"]["id"] == run.poll_id

    closed = await gather_all(screen.wait_for(is_closed) for screen in [*tablets, chair])
    assert {event["data"]["ballots"] for event in closed} == {len(acked)}
    notice = await chair.wait_for(
        lambda frame: frame["type"] == "poll.result" and frame["data"]["poll_id"] == run.poll_id
    )
    for tablet in tablets:  # coalesced progress only ever rises, and never past the count
        voted = [
            frame["data"]["voted"]
            for frame in tablet.frames
            if frame["type"] == "poll.progress" and frame["data"]["poll_id"] == run.poll_id
        ]
        assert voted == sorted(voted) and all(n <= len(acked) for n in voted), tablet.name

    db = await stored(run.poll_id)
    assert db.poll.status == "closed"
    assert len(db.ballots) == len(db.counted) == len(acked)  # nothing superseded
    assert db.participants == acked
    assert sorted(b.receipt for b in db.counted) == sorted(receipt_of.values())
    assert Counter(b.choice for b in db.counted) == Counter(run.choice_of[pk] for pk in acked)
    if run.kind == "named":
        assert {b.receipt: (b.delegate_id, b.choice) for b in db.counted} == {
            receipt_of[pk]: (pk, run.choice_of[pk]) for pk in acked
        }
    else:
        assert all(b.delegate_id is None for b in db.ballots)
    assert db.result.ballots == len(acked)
    assert db.result.counts == {c: sum(run.choice_of[pk] == c for pk in acked) for c in CHOICES}
    assert db.result.present == SEATS
    assert db.result.digest == ballots_digest(db.counted, db.poll)
    assert notice["data"]["result"]["digest"] == db.result.digest
    assert notice["data"]["result"]["ballots"] == len(acked)


async def test_ballots_in_a_storm_while_the_chair_closes(chamber, servers):
    started = time.monotonic()
    timings: dict[str, float] = {}

    def mark(phase: str) -> None:
        timings[phase] = round(time.monotonic() - started, 1)

    session, delegates = chamber.session, chamber.delegates
    assert len(delegates) == SEATS
    small, large = servers  # the console's server has a quarter of the tablets
    home = {d.pk: small if i % 4 == 0 else large for i, d in enumerate(delegates)}
    # Back after the drop: 100 on each server, three quarters of them on the other one.
    back_home = {d.pk: (large, small, small, large)[i % 4] for i, d in enumerate(delegates)}
    tablet_path = f"/ws/tablet/{session.pk}/"
    screens: list[Screen] = []

    async def open_screen(name, server, path, cookie=None) -> Screen:
        screen = await Screen.open(name, server, path, cookie)
        screens.append(screen)
        return screen

    open_tablet = limited(
        asyncio.Semaphore(CONNECTING),
        lambda pk, server: open_screen(
            f"tablet-{pk}@{server.port}", server, tablet_path, cookie_of[pk]
        ),
    )
    try:
        # -- every delegate scans their badge (which checks them in) and opens a tablet --------
        sign_in = limited(
            asyncio.Semaphore(SIGNING_IN),
            lambda d: asyncio.to_thread(badge_sign_in, sign_in_url(home[d.pk].http, d)),
        )
        cookies = await gather_all(sign_in(d) for d in delegates)
        cookie_of = dict(zip((d.pk for d in delegates), cookies, strict=True))
        mark("signed in")
        tablets = await gather_all(open_tablet(d.pk, home[d.pk]) for d in delegates)
        tablet_of = dict(zip((d.pk for d in delegates), tablets, strict=True))
        chair = await open_screen("chair", small, f"/ws/chair/{session.pk}/", chamber.chair_cookie)
        assert chair.snapshot["data"]["attendance"]["present"] == SEATS
        mark("connected")

        # -- two storms, the console closing each in the middle --------------------------------
        on_small = {pk for pk in tablet_of if home[pk] is small}
        runs = []
        for shift, kind in enumerate(("named", "secret")):
            run = await storm(
                kind=kind, chair=chair, tablet_of=tablet_of, close_after=on_small, shift=shift
            )
            await check_storm(run, chair=chair, tablets=tablets)
            runs.append(run)
            mark(f"{kind} storm")
        before = {run.poll_id: await stored(run.poll_id) for run in runs}

        # -- every tablet drops, comes back (mostly on the other server), resends both ballots ---
        offline: set[int] = set()

        def everyone_offline(frame) -> bool:
            if frame["type"] == "roster.presence" and not frame["data"]["connected"]:
                offline.add(frame["data"]["delegate_id"])
            return offline == set(tablet_of)

        since = len(chair.frames)
        for tablet in tablets:
            tablet.drop()
        await gather_all(tablet.close() for tablet in tablets)
        # The console sees every tablet go: the servers have finished with the old sockets.
        await chair.wait_for(everyone_offline, timeout=60, start=since)
        mark("dropped")
        back = await gather_all(open_tablet(d.pk, back_home[d.pk]) for d in delegates)
        back_of = dict(zip((d.pk for d in delegates), back, strict=True))
        for pk, tablet in back_of.items():
            polls = {item["poll"]["id"]: item for item in tablet.snapshot["data"]["polls"]}
            for run in runs:
                assert polls[run.poll_id]["my_ballot"]["cast"] is (pk in run.receipt_of)
                assert polls[run.poll_id]["voted"] == len(run.receipt_of)
        mark("reconnected")

        async def resend(delegate_id: int) -> list[dict]:
            return [
                await back_of[delegate_id].command(
                    "ballot.cast",
                    run.command_of[delegate_id],
                    poll_id=run.poll_id,
                    choice=run.choice_of[delegate_id],
                )
                for run in runs
            ]

        again = dict(zip(back_of, await gather_all(resend(pk) for pk in back_of), strict=True))
        for pk, answers in again.items():
            for run, answer in zip(runs, answers, strict=True):
                if pk in run.receipt_of:
                    assert answer["type"] == "ack", answer
                    assert answer["data"]["receipt"] == run.receipt_of[pk]
                else:
                    assert answer["type"] == "error", answer
                    assert answer["data"]["code"] == "poll.not_open"
        mark("resent")

        for run in runs:
            after, earlier = await stored(run.poll_id), before[run.poll_id]
            assert sorted(b.pk for b in after.ballots) == sorted(b.pk for b in earlier.ballots)
            assert after.participants == earlier.participants
            assert (after.result.pk, after.result.digest) == (
                earlier.result.pk,
                earlier.result.digest,
            )
            assert after.result.digest == ballots_digest(after.counted, after.poll)
        summary = {run.kind: (len(run.receipt_of), len(run.refused)) for run in runs}
        print(
            f"(acknowledged, refused): {summary}; seconds: {timings}; "
            f"handshakes dropped by a busy server and retried: {len(HANDSHAKES_DROPPED)}"
        )
    finally:
        await asyncio.gather(*(screen.close() for screen in screens))
