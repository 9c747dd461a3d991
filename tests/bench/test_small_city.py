"""The city's morning, small, as a correctness test: 12 sittings of 30 (the city's and eleven
communes') on two Daphne workers over the Redis channel layer, in one database.

The screens arrive over a few seconds, all drop and come back at once, every sitting advances
its agenda at the same moment, two sittings vote together and then all twelve. Every ballot
acknowledged must be counted once in its own sitting's poll, and every screen must see every
event of its own sitting in order and none of another's. No timing is asserted: `make bench`
(`python -m bench --city`) reports those.
"""

from __future__ import annotations

import os

import pytest

from bench import database
from bench.city.run import AGENDA_STEPS, CityConfig, run_city

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(560)]

SITTINGS = 12
SEATS = 30
SCREENS = SITTINGS * (SEATS + 1)  # the tablets and a projector in each hall


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    cfg = CityConfig(
        communes=SITTINGS - 1,
        commune_seats=SEATS,
        city_seats=SEATS,
        arrive_spread_s=4.0,
        voting_together=2,
        workers=2,
        server="daphne",
        layer="redis",
        db_name=f"chamber_city_test_{os.getpid()}",
        keep_db=False,
        quiet_wait_s=0,
        timeout_s=420,  # a bound, not a figure: the shared 2-core machine runs at load 10
        connect_concurrency=20,  # handshakes in flight: a loaded CI machine answers them all
        run_dir=tmp_path_factory.mktemp("city-run"),
    )
    database.prepare_template(cfg)
    try:
        result = run_city(cfg)
    finally:
        database.drop(cfg)
        database.drop(cfg, database.template_name(cfg))
    failure = (
        result.get("failed_phase"),
        result.get("error"),
        result.get("phase_s"),
        result.get("missed_phases"),
        result.get("server_logs"),
    )
    assert result["ok"], failure
    return result


def test_every_screen_arrives_twice_and_every_hall_is_present(city):
    for phase in ("arrive_spread", "arrive_at_once"):
        assert city[phase]["connected"] == SCREENS, city[phase]["failures"]
    for phase in ("check_in", "check_in_again"):
        assert city[phase]["sittings_all_present"] == SITTINGS


@pytest.mark.parametrize("phase, sittings", [("vote_some", 2), ("vote_all", SITTINGS)])
def test_every_ballot_is_counted_once_in_its_own_sitting(city, phase, sittings):
    votes = city[phase]
    assert votes["sittings"] == sittings
    assert votes["errors"] == {}
    assert votes["acked"] == sittings * SEATS
    assert votes["lost"] == 0
    assert votes["duplicated"] == 0
    assert votes["unacknowledged_on_record"] == 0
    assert votes["sittings_with_wrong_result"] == 0


def test_every_screen_sees_its_own_sitting_in_order_and_nothing_else(city):
    events = city["events"]
    assert events["screens"] == SCREENS
    assert events["events_of_another_sitting"] == 0
    assert events["events_unlike_the_console"] == 0
    assert events["gaps"] == 0
    assert events["duplicates_or_out_of_order"] == 0
    assert events["events_before_snapshot"] == 0
    assert events["screens_not_at_final_seq"] == 0
    assert events["dropped_connections"] == {}
    assert events["unexpected_frames"] == {}
    fanout = city["fanout"]
    assert fanout["agenda.current"]["events"] == AGENDA_STEPS * SITTINGS
    assert fanout["poll.opened"]["events"] == 2 + SITTINGS
    for kind, figures in fanout.items():
        assert figures["undelivered"] == 0, (kind, figures)
