"""The benchmark's sitting, small, as a correctness test: 200 tablets, 2 projectors and the
console on two Daphne workers over the Redis channel layer (real processes, real sockets).

Every event must reach every screen in order (consecutive ``seq``, no gap, no repeat), and no
ballot may be lost or counted twice. No timing is asserted: the benchmark reports those.
The sitting runs once (its own database, copied from a freshly migrated template, dropped
after); the tests below each check one part of what it recorded.
"""

from __future__ import annotations

import os

import pytest

from bench import database
from bench.config import Config
from bench.phases import COMMANDED_EVENTS
from bench.run import run_chamber

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(210)]

TABLETS = 200
PROJECTORS = 2
SCREENS = TABLETS + PROJECTORS


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    cfg = Config(
        tablets=TABLETS,
        projectors=PROJECTORS,
        workers=2,
        server="daphne",
        layer="redis",
        db_name=f"chamber_bench_test_{os.getpid()}",
        keep_db=False,
        quiet_wait_s=0,
        timeout_s=160,  # the vote storm, then the request storm
        connect_concurrency=40,
        run_dir=tmp_path_factory.mktemp("bench-run"),
    )
    database.prepare_template(cfg)
    try:
        result = run_chamber(cfg)
    finally:
        database.drop(cfg)
        database.drop(cfg, database.template_name(cfg))
    failure = (result.get("failed_phase"), result.get("error"), result.get("server_logs"))
    assert result["ok"], failure
    assert result["connect"]["connected"] == SCREENS, result["connect"]["failures"]
    return cfg, result


def test_no_ballot_is_lost_or_counted_twice(sitting):
    _, result = sitting
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
    assert result["result_on_projectors"]["received"] == PROJECTORS


def test_every_screen_keeps_its_connection_and_gets_each_event_once(sitting):
    cfg, result = sitting
    events = result["events"]
    assert events["screens"] == SCREENS
    assert events["duplicates_or_out_of_order"] == 0
    assert events["events_before_snapshot"] == 0
    assert events["type_conflicts"] == 0
    assert events["screens_not_at_final_seq"] == 0, events
    assert events["dropped_connections"] == {}
    assert events["unexpected_frames"] == {}
    fanout = result["fanout"]
    assert fanout["agenda.current"]["events"] == cfg.agenda_steps
    progress = fanout["poll.progress"]
    assert progress["events"] >= 1
    # Notices read in concurrent transactions may arrive out of order (voting/ballots.py);
    # the screens keep the largest count (kiosk_ui voting.js), so a smaller one arriving late
    # is counted in the report ("went_backwards"), not a fault a delegate would see.
    # The room's screens get the count up to four times a second, tablets at most once.
    assert progress["by_role"]["projector"]["notices"] >= 1


def test_every_event_reaches_every_screen_in_order(sitting):
    _, result = sitting
    events = result["events"]
    assert events["gaps"] == 0, events["missed_events"]
    for kind in COMMANDED_EVENTS:
        figures = result["fanout"][kind]
        assert figures["undelivered"] == 0, (kind, figures)
        assert figures["n"] == figures["events"] * SCREENS, (kind, figures)


def test_every_request_for_the_floor_gets_its_own_place(sitting):
    _, result = sitting
    storm = result["requests"]
    assert storm["errors"] == {}
    assert storm["acked"] == TABLETS
    checks = result["request_checks"]
    assert checks["on_record"] == TABLETS
    assert checks["places_are_1_to_n"] and checks["order_matches_database"]
    assert checks["console_line_matches_database"] and checks["positions_unique"]
    assert storm["floor_events"] == TABLETS  # one sequenced event per request
