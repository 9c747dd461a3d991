"""The deadline clock in real server processes: with nobody connected and no page read, a
consultation closes at its deadline — Daphne alone (the embedded default's server) and two
Uvicorn workers on PostgreSQL and Redis (production), which race to it and count it once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from resolutions import chain
from resolutions.models import Consultation
from tests.resolutions.helpers import answer, consultation_council, sent_consultation
from tests.servers import running_servers, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESCAN_SECONDS = 1.0
# The deadline is this far ahead when sent: the servers learn of it at their next rescan.
AHEAD = timedelta(seconds=4)


def _closed_row(consultation_id: int, timeout: float) -> Consultation:
    """Wait for the row the server closes (read, not slept on: it returns when it changes)."""
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        row = Consultation.objects.get(pk=consultation_id)
        if row.status == Consultation.Status.CLOSED:
            return row
        time.sleep(0.1)  # polling interval of the read
    raise AssertionError("the consultation was not closed by the servers' clock")


@pytest.mark.parametrize(
    "server,count,redis", [("daphne", 1, False), ("uvicorn", 2, True)], ids=["daphne", "uvicorn-2"]
)
def test_a_consultation_closes_at_its_deadline_on_the_servers_clock(server, count, redis):
    env = {
        **server_env(redis=redis),
        "CHAMBER_CLOCK": "1",
        "CHAMBER_CLOCK_RESCAN_SECONDS": str(RESCAN_SECONDS),
    }
    place = consultation_council(seats=5)
    with running_servers(count, env=env, server=server) as servers:
        consultation = sent_consultation(place, deadline=timezone.now() + AHEAD)
        for delegate in place.delegates[:3]:
            answer(consultation, delegate, "yes")
        try:
            closed = _closed_row(consultation.pk, timeout=30)
        finally:
            for started in servers:
                print(f"--- {started.log} ---\n{started.log.read_text()[-3000:]}")
    assert closed.closed_at >= closed.deadline
    # At the deadline, not at someone's next visit (a loaded machine: a few seconds' room).
    assert closed.closed_at - closed.deadline < timedelta(seconds=5)
    assert closed.passed is True and closed.result["counts"]["yes"] == 3
    council = place.council.pk
    assert len(chain.entries_of(council, "consultation.close", consultation=closed.pk)) == 1
    assert len(chain.entries_of(council, "consultation.turnout", consultation=closed.pk)) == 1
