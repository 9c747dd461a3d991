"""The benchmark's sitting, small, as a correctness test: 200 tablets, 2 projectors and the
console on two Daphne workers over the Redis channel layer (real processes, real sockets).

Every event must reach every screen in order (consecutive ``seq``, no gap, no repeat), and no
ballot may be lost or counted twice. No timing is asserted: the benchmark reports those.
The run has its own database (copied from a freshly migrated template) and drops both.
"""

from __future__ import annotations

import os

import pytest

from bench import database
from bench.config import Config
from bench.run import COMMANDED_EVENTS, run_chamber

pytestmark = pytest.mark.e2e

TABLETS = 200
PROJECTORS = 2


@pytest.fixture
def config(tmp_path):
    cfg = Config(
        tablets=TABLETS,
        projectors=PROJECTORS,
        workers=2,
        server="daphne",
        layer="redis",
        db_name=f"chamber_bench_test_{os.getpid()}",
        keep_db=False,
        quiet_wait_s=0,
        timeout_s=100,
        connect_concurrency=40,
        run_dir=tmp_path / "run",
    )
    database.prepare_template(cfg)
    yield cfg
    database.drop(cfg)
    database.drop(cfg, database.template_name(cfg))


@pytest.mark.timeout(150)
def test_every_event_reaches_every_screen_and_every_ballot_counts_once(config):
    result = run_chamber(config)
    failure = (result.get("failed_phase"), result.get("error"), result.get("server_logs"))
    assert result["ok"], failure

    screens = TABLETS + PROJECTORS
    connect = result["connect"]
    assert connect["connected"] == screens, connect["failures"]

    events = result["events"]
    assert events["screens"] == screens
    assert events["gaps"] == 0
    assert events["duplicates_or_out_of_order"] == 0
    assert events["events_before_snapshot"] == 0
    assert events["type_conflicts"] == 0
    assert events["screens_not_at_final_seq"] == 0, events
    assert events["dropped_connections"] == {}
    assert events["unexpected_frames"] == {}
    # The sitting published what it should: ten agenda steps, the poll's four events.
    fanout = result["fanout"]
    assert fanout["agenda.current"]["events"] == config.agenda_steps
    for kind in COMMANDED_EVENTS:
        assert fanout[kind]["undelivered"] == 0, (kind, fanout[kind])
        assert fanout[kind]["n"] == fanout[kind]["events"] * screens, (kind, fanout[kind])
    assert fanout["poll.progress"]["events"] >= 1
    assert fanout["poll.progress"]["voted_sequence"] == sorted(
        fanout["poll.progress"]["voted_sequence"]
    ), "progress went backwards"
    assert result["result_on_projectors"]["received"] == PROJECTORS

    ballots = result["ballots"]
    assert ballots["errors"] == {}
    assert ballots["acked"] == TABLETS
    checks = result["ballot_checks"]
    assert checks["lost"] == 0
    assert checks["duplicated"] == 0
    assert checks["unacknowledged_on_record"] == 0
    assert checks["ballot_rows"] == checks["participation_rows"] == TABLETS
    assert checks["result_ballots"] == TABLETS
    assert checks["result_counts"] == checks["expected_counts"]
    assert checks["consistent"]
