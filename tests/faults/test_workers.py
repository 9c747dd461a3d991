"""Workers and database connections failing mid-vote (issue 10, faults 3 and 4).

A worker killed mid-vote, a worker frozen (SIGSTOP) while the chair closes the poll, and every
database connection terminated mid-storm. Each ends the same way: the ballots acknowledged are
exactly the ballots counted, no screen is stale, and the console still runs the sitting.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from tests.faults.conftest import (
    IDLE_IN_TRANSACTION_SECONDS,
    LOCK_TIMEOUT_SECONDS,
    WORKER_ENV,
)
from tests.faults.sitting import (
    BELOW_QUORUM,
    Console,
    Storm,
    close_all,
    command_until_answered,
    console_runs_the_sitting,
    converged,
    counted_receipts,
    open_screen,
    reconnect_lost,
    sign_in,
)
from voting.models import Poll, PollResult

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]

TABLETS = 24


async def _sitting(chamber, workers, *, on_second: int):
    """The console and projector on the first worker, ``on_second`` tablets on the second and
    the rest on the first; an open named poll."""
    one, two = workers
    session = chamber.session
    tablets = await sign_in(chamber.delegates[:TABLETS], one, session.pk)
    console = Console(chamber.chair_cookie, session.pk)
    await console.connect(one)
    projector = await open_screen(
        "projector", one, f"/ws/projector/{session.pk}/?key={session.projector_key}"
    )
    await asyncio.gather(*[t.connect(two if i < on_second else one) for i, t in enumerate(tablets)])
    created = await command_until_answered(
        console, "poll.create", servers=workers, title="Thông qua dự toán", kind="named"
    )
    poll_id = created["data"]["poll_id"]
    opened = await command_until_answered(
        console, "poll.open", servers=workers, poll_id=poll_id, **BELOW_QUORUM
    )
    assert opened["type"] == "ack", opened
    return console, projector, tablets, poll_id


async def _ends_well(chamber, workers, console, projector, tablets, poll_id, storm):
    """Acked = counted, no screen stale, the console still runs the sitting."""
    assert not set(storm.refused.values()) - {"poll.not_open"}, storm.refused
    assert await counted_receipts(poll_id) == set(storm.acked.values())
    await reconnect_lost([console, *tablets], workers)
    everyone = [console.screen, projector, *(t.screen for t in tablets)]
    await converged(everyone, chamber.session.pk, timeout=20)
    await console_runs_the_sitting(
        console, [projector, *(t.screen for t in tablets)], chamber.session.pk, servers=workers
    )


async def _close(console, workers, poll_id) -> dict:
    closed = await command_until_answered(console, "poll.close", servers=workers, poll_id=poll_id)
    assert closed["type"] == "ack", closed
    return closed


async def test_a_worker_killed_mid_vote(chamber, workers):
    one, two = workers
    console, projector, tablets, poll_id = await _sitting(chamber, workers, on_second=16)
    try:
        storm = Storm()
        voting = asyncio.ensure_future(storm.vote(tablets, poll_id, servers=workers))
        await storm.until_acked(1)
        two.process.kill()  # SIGKILL: no clean-up of any kind on that worker
        await voting  # its tablets reconnect to the other worker and send their ballot again
        assert len(storm.acked) == TABLETS, storm.refused
        await _close(console, workers, poll_id)
        await _ends_well(chamber, workers, console, projector, tablets, poll_id, storm)
    finally:
        await close_all([console, *tablets])
        await projector.close()


@sync_to_async
def _poll_state(poll_id: int) -> tuple[str, bool]:
    return Poll.objects.get(pk=poll_id).status, PollResult.objects.filter(poll_id=poll_id).exists()


def _hold_poll_like_a_frozen_worker(poll_id: int) -> psycopg.Connection:
    """A session with the workers' settings that share-locks the poll row, as a ballot does,
    and then stops, as a worker stopped mid-ballot does."""
    db = connection.settings_dict
    frozen = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        options=f"-c idle_in_transaction_session_timeout={int(IDLE_IN_TRANSACTION_SECONDS * 1000)}",
    )
    frozen.execute("SELECT id FROM voting_poll WHERE id = %s FOR SHARE", [poll_id])
    return frozen  # idle in transaction from here on


async def test_a_frozen_worker_does_not_block_the_chair(chamber, workers):
    one, two = workers
    console, projector, tablets, poll_id = await _sitting(chamber, workers, on_second=16)
    frozen = None
    try:
        storm = Storm()
        voting = asyncio.ensure_future(storm.vote(tablets, poll_id, servers=workers, timeout=60))
        await storm.until_acked(1)
        os.kill(two.process.pid, signal.SIGSTOP)  # mid-storm, ballots in flight
        frozen = await asyncio.to_thread(_hold_poll_like_a_frozen_worker, poll_id)

        # The chair's close answers within seconds: an error the console shows (nothing
        # written), or success once the database ended the frozen transactions.
        started = time.monotonic()
        first = await command_until_answered(
            console, "poll.close", servers=workers, retry_on=(), poll_id=poll_id
        )
        answered_in = time.monotonic() - started
        print(f"the first close answered {first['type']} in {answered_in:.1f}s")
        assert answered_in < LOCK_TIMEOUT_SECONDS + 5
        if first["type"] == "error":
            assert first["data"]["code"] == "server.busy", first
            assert first["data"]["message"]
            assert await _poll_state(poll_id) == ("open", False)  # nothing half-written
            await _close(console, workers, poll_id)
        print(f"closed {time.monotonic() - started:.1f}s after the first try")
        assert await _poll_state(poll_id) == ("closed", True)

        os.kill(two.process.pid, signal.SIGCONT)
        await voting  # the frozen worker's tablets get their answers, or resend
        await _ends_well(chamber, workers, console, projector, tablets, poll_id, storm)
    finally:
        os.kill(two.process.pid, signal.SIGCONT)
        if frozen is not None:
            frozen.close()
        await close_all([console, *tablets])
        await projector.close()


@sync_to_async
def _terminate_server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [WORKER_ENV["PGAPPNAME"]],
        )
        return cursor.fetchone()[0]


async def test_database_connections_terminated_mid_storm(chamber, workers):
    console, projector, tablets, poll_id = await _sitting(chamber, workers, on_second=12)
    try:
        storm = Storm()
        voting = asyncio.ensure_future(storm.vote(tablets, poll_id, servers=workers))
        await storm.until_acked(1)
        assert await _terminate_server_connections() > 0
        await storm.until_acked(TABLETS // 2)
        await _terminate_server_connections()
        await voting
        assert len(storm.acked) == TABLETS, storm.refused
        await _terminate_server_connections()
        await _close(console, workers, poll_id)
        await _ends_well(chamber, workers, console, projector, tablets, poll_id, storm)
    finally:
        await close_all([console, *tablets])
        await projector.close()
