"""The live chamber end to end: two daphne processes, PostgreSQL, Redis, 30 real tablets.

Tablets sign in with their badges over HTTP and open real WebSockets, half on each server;
the console on server 1 steps through the agenda and every screen on both servers hears every
change, in order, with consecutive sequence numbers.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from meeting.badges import sign_in_url
from meeting.models import ActionLog, Attendance, Session, TabletConnection
from realtime.models import CommandReceipt
from tests.e2e.client import Screen, badge_sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

TABLETS = 30


@sync_to_async
def _session_row(session_id: int) -> tuple[int, int | None, str]:
    row = Session.objects.get(pk=session_id)
    return row.seq, row.current_item_id, row.status


@sync_to_async
def _attendance(session_id: int) -> dict[int, str]:
    return dict(
        Attendance.objects.filter(session_id=session_id).values_list("delegate_id", "status")
    )


@sync_to_async
def _tablet_workers(session_id: int) -> dict[int, str]:
    return dict(
        TabletConnection.objects.filter(session_id=session_id).values_list("delegate_id", "worker")
    )


@sync_to_async
def _agenda_moves(session_id: int) -> int:
    return ActionLog.objects.filter(session_id=session_id, action="agenda.current").count()


@sync_to_async
def _receipts(user_id: int) -> list[tuple[str, str]]:
    return list(
        CommandReceipt.objects.filter(actor=f"user:{user_id}")
        .order_by("id")
        .values_list("command_id", "command_type")
    )


def _is_presence(delegate_id: int, connected: bool):
    expected = {"delegate_id": delegate_id, "connected": connected}
    return lambda frame: frame["type"] == "roster.presence" and frame["data"] == expected


def _all_gone(delegate_ids: set[int]):
    """A predicate true at the notice that the last of these delegates went offline."""
    online = set(delegate_ids)

    def check(frame: dict) -> bool:
        if frame["type"] == "roster.presence" and not frame["data"]["connected"]:
            online.discard(frame["data"]["delegate_id"])
        return not online

    return check


async def _gather_closing(opening, screens: list[Screen]) -> list[Screen]:
    """Open screens concurrently; keep every one that opened in ``screens`` to close later."""
    results = await asyncio.gather(*opening, return_exceptions=True)
    opened = [result for result in results if isinstance(result, Screen)]
    screens.extend(opened)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return opened


async def test_two_servers_thirty_tablets_follow_the_console(chamber, servers):
    session, items, delegates = chamber.session, chamber.items, chamber.delegates
    assert len(delegates) == TABLETS and len(items) >= 5
    one, two = servers
    home = {d.pk: (one if index % 2 == 0 else two) for index, d in enumerate(delegates)}
    tablet_path = f"/ws/tablet/{session.pk}/"
    screens: list[Screen] = []
    try:
        # -- 1. every delegate scans their badge on the server their tablet will use ----------
        cookies = await asyncio.gather(
            *(asyncio.to_thread(badge_sign_in, sign_in_url(home[d.pk].http, d)) for d in delegates)
        )
        cookie_of = {d.pk: cookie for d, cookie in zip(delegates, cookies, strict=True)}
        assert len(set(cookies)) == TABLETS
        assert await _attendance(session.pk) == {d.pk: "present" for d in delegates}

        # -- 2. 30 tablets open their WebSockets, 15 on each server ---------------------------
        tablets = await _gather_closing(
            [
                Screen.open(f"tablet-{d.seat_label}", home[d.pk], tablet_path, cookie_of[d.pk])
                for d in delegates
            ],
            screens,
        )
        tablet_of = dict(zip((d.pk for d in delegates), tablets, strict=True))
        start_seq, first_item, status = await _session_row(session.pk)
        assert (first_item, status) == (items[0].pk, Session.Status.IN_PROGRESS)
        for delegate, tablet in tablet_of.items():
            data = tablet.snapshot["data"]
            assert data["me"]["id"] == delegate
            assert data["me"]["attendance"] == "present"
            assert data["session"]["current_item_id"] == items[0].pk
            assert data["attendance"]["present"] == TABLETS
            assert tablet.snapshot["seq"] == start_seq  # nothing happened while they connected
        # Each process recorded its own tablets.
        workers = await _tablet_workers(session.pk)
        assert set(workers) == set(tablet_of)
        assert len({workers[d.pk] for d in delegates if home[d.pk] is one}) == 1
        assert len({workers[d.pk] for d in delegates if home[d.pk] is two}) == 1
        assert len(set(workers.values())) == 2

        # -- 3. the console on server 1, the projector on server 2 -----------------------------
        console, projector = await _gather_closing(
            [
                Screen.open("console", one, f"/ws/chair/{session.pk}/", chamber.chair_cookie),
                Screen.open(
                    "projector", two, f"/ws/projector/{session.pk}/?key={session.projector_key}"
                ),
            ],
            screens,
        )
        assert console.snapshot["seq"] == projector.snapshot["seq"] == start_seq
        roster = console.snapshot["data"]["roster"]
        assert {entry["id"]: (entry["status"], entry["connected"]) for entry in roster} == {
            d.pk: ("present", True) for d in delegates
        }
        assert "me" not in projector.snapshot["data"]
        assert "roster" not in projector.snapshot["data"]

        # -- 4. the console steps through the agenda three times --------------------------------
        for step in (1, 2, 3):
            answer = await console.command("agenda.next", f"next-{step}")
            assert answer["type"] == "ack", answer
            assert answer["data"] == {"current_item_id": items[step].pk}
            assert answer["seq"] is None
        final_seq, current, _ = await _session_row(session.pk)
        assert (final_seq, current) == (start_seq + 3, items[3].pk)

        expected = [
            (start_seq + step, "agenda.current", {"current_item_id": items[step].pk})
            for step in (1, 2, 3)
        ]
        listeners = [*tablets, projector, console]
        await asyncio.gather(*(screen.until_seq(final_seq) for screen in listeners))
        for screen in listeners:
            got = [(event["seq"], event["type"], event["data"]) for event in screen.events]
            assert got == expected, screen.name

        # -- 5. a tablet on server 1 drops its connection and comes back on server 2 ----------
        dropped = delegates[0]
        assert home[dropped.pk] is one
        tablet_of[dropped.pk].ws.transport.abort()  # no close frame: the network went away
        await console.receive_until(_is_presence(dropped.pk, connected=False))
        back = (
            await _gather_closing(
                [Screen.open("tablet-back", two, tablet_path, cookie_of[dropped.pk])], screens
            )
        )[0]
        await console.receive_until(_is_presence(dropped.pk, connected=True))
        assert back.snapshot["seq"] == final_seq
        assert back.snapshot["data"]["session"]["current_item_id"] == items[3].pk
        assert back.snapshot["data"]["me"]["attendance"] == "present"
        assert (await _attendance(session.pk))[dropped.pk] == "present"
        listeners = [back, *tablets[1:], projector, console]

        # -- 6. the console repeats its last command: acknowledged again, done once -----------
        moves = await _agenda_moves(session.pk)
        repeat = await console.command("agenda.next", "next-3")
        assert repeat == {
            "type": "ack",
            "id": "next-3",
            "seq": None,
            "data": {"current_item_id": items[3].pk},
        }
        # A second console on the other server, the same user, after a reconnect: same answer.
        second_console = (
            await _gather_closing(
                [Screen.open("console-2", two, f"/ws/chair/{session.pk}/", chamber.chair_cookie)],
                screens,
            )
        )[0]
        assert second_console.snapshot["seq"] == final_seq
        assert await second_console.command("agenda.next", "next-3") == repeat
        assert await _session_row(session.pk) == (final_seq, items[3].pk, "in_progress")
        assert await _agenda_moves(session.pk) == moves
        assert await _receipts(chamber.chair.pk) == [
            (f"next-{step}", "agenda.next") for step in (1, 2, 3)
        ]

        # The repeats published nothing: the next event every screen gets is the next change.
        answer = await console.command("agenda.previous", "previous-1")
        assert answer["data"] == {"current_item_id": items[2].pk}
        listeners.append(second_console)
        await asyncio.gather(*(screen.until_seq(final_seq + 1) for screen in listeners))
        for screen in listeners:
            last = screen.events[-1]
            assert (last["seq"], last["data"]) == (
                final_seq + 1,
                {"current_item_id": items[2].pk},
            ), screen.name

        # -- 7. the tablets go home: the console sees each go, the database forgets them ------
        # (Waiting for this also lets the servers finish recording each departure before they
        # are stopped: a process stopped while one is being published hangs until killed.)
        leaving = [back, *tablets[1:]]
        await asyncio.gather(*(tablet.close() for tablet in leaving))
        await console.receive_until(_all_gone(set(tablet_of)))
        assert await _tablet_workers(session.pk) == {}
    finally:
        await asyncio.gather(*(screen.close() for screen in screens))
