"""The bench's watchdog: a phase that hangs past its deadline is recorded as missed, with what
it had measured, and the run goes on to its next phase instead of hanging (bench/clock.py)."""

from __future__ import annotations

import asyncio

from bench.clock import Clock, PhaseOverdue, watched


def test_a_hung_phase_is_recorded_as_missed_and_the_next_phase_runs(monkeypatch):
    monkeypatch.setattr("bench.clock.OVERRUN_S", 0.2)
    clock = Clock(60)
    out: dict = {}
    ran = []

    async def hangs() -> None:
        out["agenda"] = {"steps_done": 1}
        await asyncio.Event().wait()  # a console that never answers

    async def next_phase() -> None:
        ran.append(clock.limit(30))

    async def morning() -> tuple[bool, bool]:
        first = await watched(clock, out, "agenda", 0.3, hangs)
        second = await watched(clock, out, "vote_some", 5, next_phase)
        return first, second

    assert asyncio.run(morning()) == (False, True)
    [missed] = out["missed_phases"]
    assert missed["phase"] == "agenda"
    assert missed["saw"] == {"steps_done": 1}
    assert missed["error"].startswith("TimeoutError")
    assert ran and ran[0] <= 5  # the next phase's waits are bounded by its own deadline


def test_a_wait_past_the_phase_deadline_is_refused():
    clock = Clock(60)

    async def overdue() -> None:
        await asyncio.sleep(0.05)
        clock.limit(10)

    out: dict = {}
    assert asyncio.run(watched(clock, out, "check_in", 0.01, overdue)) is False
    assert out["missed_phases"][0]["error"].startswith(PhaseOverdue.__name__)
