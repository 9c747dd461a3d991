"""Redis restarted mid-sitting: committed events are never lost (issue 10, fault 1).

The layer goes down while the console moves the agenda twice and every tablet votes: each
command is acknowledged all the same; when Redis is back every screen on both workers reaches
the database's seq and current item within a heartbeat, acked ballots are the counted ones,
and the sitting goes on. Played with both Redis layers (channels_redis core loses its group
memberships with the restart; pub/sub its subscriptions).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.conftest import HEARTBEAT_SECONDS
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
    outbox_ids,
    sign_in,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]

TABLETS = 10
# A worker notices the loss (a failed publication, or its probe), re-joins, publishes the
# outbox and resyncs its screens; whatever it missed, the heartbeat's check catches.
CONVERGE_SECONDS = HEARTBEAT_SECONDS


@pytest.mark.parametrize("workers", ["redis", "pubsub"], indirect=True)
async def test_redis_restart_loses_no_committed_event(chamber, workers, redis_server):
    one, two = workers
    session = chamber.session
    tablets = await sign_in(chamber.delegates[:TABLETS], one, session.pk)
    console = Console(chamber.chair_cookie, session.pk)
    screens = []
    try:
        await console.connect(one)
        projector = await open_screen(
            "projector", two, f"/ws/projector/{session.pk}/?key={session.projector_key}"
        )
        screens.append(projector)
        late = tablets[-1]  # signs in while Redis is down
        await asyncio.gather(
            *[t.connect(two if i % 2 else one) for i, t in enumerate(tablets[:-1])]
        )
        created = await command_until_answered(
            console, "poll.create", servers=workers, title="Thông qua nghị quyết", kind="named"
        )
        poll_id = created["data"]["poll_id"]
        opened = await command_until_answered(
            console, "poll.open", servers=workers, poll_id=poll_id, **BELOW_QUORUM
        )
        assert opened["type"] == "ack", opened
        before = await converged(
            [console.screen, projector, *(t.screen for t in tablets[:-1])], session.pk, 10
        )

        redis_server.stop()
        # While it is down: two agenda steps and every ballot, each acknowledged at once.
        for _ in range(2):
            step = await command_until_answered(console, "agenda.next", servers=workers, timeout=10)
            assert step["type"] == "ack", step
        await late.connect(two)  # a screen opened meanwhile gets its snapshot all the same
        storm = Storm()
        await storm.vote(tablets, poll_id, servers=workers, timeout=10)
        assert len(storm.acked) == TABLETS, storm.refused
        kept = await outbox_ids()
        assert kept  # kept, not lost

        redis_server.start()
        healed = time.monotonic()
        everyone = [console.screen, projector, *(t.screen for t in tablets)]
        # Within a heartbeat (plus a margin for this shared 2-core machine).
        seq, current = await converged(everyone, session.pk, CONVERGE_SECONDS + 3)
        print(f"every screen at seq {seq} {time.monotonic() - healed:.1f}s after Redis is back")
        # The two agenda steps made while Redis was down (vote progress is a notice: no seq).
        assert seq >= before[0] + 2 and current != before[1]

        closed = await command_until_answered(
            console, "poll.close", servers=workers, poll_id=poll_id
        )
        assert closed["type"] == "ack", closed
        assert await counted_receipts(poll_id) == set(storm.acked.values())
        await console_runs_the_sitting(
            console, [projector, *(t.screen for t in tablets)], session.pk, servers=workers
        )
        # Every frame kept during the outage went out (new ones come and go as commands run).
        assert not kept & await outbox_ids()
    finally:
        await close_all([console, *tablets])
        for screen in screens:
            await screen.close()
