"""One run: start the stack, connect the screens, play the sitting, measure, stop everything.

``run_chamber`` plays the whole sitting on Chamber's ASGI workers; ``run_floor`` plays the
agenda part against the bare ``websockets`` server (bench/floor.py) with the same clients.
Both return a plain dict (the JSON report's entry for the run). Everything started is stopped
in ``finally``; every wait is bounded by the run's deadline (bench/clock.py). The phases are
in bench/phases.py and bench/vote.py, what they measure in bench/measure.py.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench import database, procstat, speakers
from bench.clock import BudgetExceeded, Clock, watched
from bench.config import Config
from bench.console import Console
from bench.fleet import Fleet
from bench.measure import (
    ballot_checks,
    cpu_delta,
    cpu_snapshot,
    fanout,
    memory,
    per_delivered_frame,
    progress,
    projectors,
    sequence_checks,
)
from bench.phases import (
    COMMAND_TIMEOUT,
    COMMANDED_EVENTS,
    broadcast_steps,
    cleanup,
    connect,
    settle_check_ins,
    shutdown,
)
from bench.profile import Profiler
from bench.screen import Target
from bench.servers import Stack, start_floor, start_workers
from bench.source import source_state
from bench.stats import add_counts
from bench.vote import vote

__all__ = [
    "COMMAND_TIMEOUT",
    "COMMANDED_EVENTS",
    "BudgetExceeded",
    "Clock",
    "run_chamber",
    "run_floor",
]

monotonic = time.monotonic
FLOOR_MESSAGE_BYTES = 150


def run_chamber(cfg: Config) -> dict:
    return _run(cfg, _chamber)


def run_floor(cfg: Config) -> dict:
    return _run(cfg, _floor)


def _run(cfg: Config, body) -> dict:
    procstat.raise_open_files_limit()
    Path(cfg.run_dir).mkdir(parents=True, exist_ok=True)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(body(cfg))
    return uvloop.run(body(cfg))


async def _chamber(cfg: Config) -> dict:
    clock = Clock(cfg.timeout_s)
    out: dict = {"kind": "chamber", "label": cfg.label, "config": _config(cfg)}
    stack = Stack()
    fleet = console = None
    profiler = Profiler(cfg.run_dir, cfg.profile)
    triggers: dict[int, tuple[str, float]] = {}
    out["profiles"] = profiler.files
    started = monotonic()
    try:
        clock.phase = "quiet"
        waited = monotonic()
        out["machine_busy_before"] = await asyncio.to_thread(procstat.wait_quiet, cfg.quiet_wait_s)
        clock.deadline += monotonic() - waited  # the wait is not the run's time
        clock.phase = "seed"
        await asyncio.to_thread(database.ensure_template, cfg)
        fixture = await asyncio.to_thread(database.create_and_seed, cfg)
        out["seed_s"] = monotonic() - started
        clock.phase = "start servers"
        out["source"] = await asyncio.to_thread(source_state)
        workers = await asyncio.to_thread(start_workers, cfg, stack, clock.deadline)
        targets = _targets(cfg, fixture, workers)
        fleet = Fleet(targets, cfg.client_procs, {"compression": cfg.compression})
        await fleet.start()
        await fleet.call("ping", clock.limit(60))
        chair = workers[0]
        console = await Console.open(
            f"{chair.ws}/ws/chair/{fixture.session_id}/",
            chair.origin,
            f"{fixture.cookie_name}={fixture.chair_cookie}",
            clock.limit(30),
            cfg.compression,
        )
        worker_pids = {p.name: p.popen.pid for p in workers}
        await _sitting(
            cfg, clock, console, fleet, stack, profiler, worker_pids, fixture, triggers, out
        )
        await asyncio.to_thread(profiler.stop)
        clock.phase = "report"
        clock.allow_report()
        await fleet.call("wait_seq", clock.limit(30) + 10, seq=console.seq, timeout=clock.limit(20))
        out["ok"] = not out.get("missed_phases")
        if not out["ok"]:
            missed = out["missed_phases"][0]
            out["failed_phase"] = missed["phase"]
            out["error"] = f"{len(out['missed_phases'])} phase(s) missed; first: {missed['error']}"
    except Exception as exc:
        out["ok"] = False
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["failed_phase"] = clock.phase
        out["server_logs"] = {p.name: p.log_tail(1500) for p in stack.processes}
    try:
        # Whatever happened: what the screens saw and what the database holds.
        if fleet is not None and console is not None and "connect" in out:
            await _collect(cfg, console, fleet, triggers, out)
    except Exception as exc:
        out["ok"] = False
        out["collect_error"] = f"{type(exc).__name__}: {exc}"
    finally:
        clock.phase = "shutdown"
        await asyncio.to_thread(profiler.stop)
        await shutdown(console, fleet, stack)
        await asyncio.to_thread(cleanup, cfg)
        clock.phase = "end"
        out["phase_s"] = clock.phases
        out["wall_s"] = monotonic() - started
        out["run_dir"] = str(cfg.run_dir)
    return out


def _deadlines(cfg: Config) -> dict[str, float]:
    """Each phase's deadline (s): a phase past it is recorded as missed with what it saw, and
    the sitting goes on (bench/clock.py). Generous: they catch a hang, not a slow server."""
    storm = max(60.0, cfg.tablets / 25)
    return {
        "connect": max(180.0, cfg.tablets * 0.06) + 60,
        "check-in": 180.0,
        "agenda": cfg.agenda_steps * 60.0 + 60,
        "vote": 2 * storm + cfg.cast_spread_s + 240,
        "requests": storm + cfg.cast_spread_s + 120,
    }


async def _sitting(cfg, clock, console, fleet, stack, profiler, pids, fixture, triggers, out):
    """The sitting's phases in order, each within its deadline (``_deadlines``)."""
    deadline = _deadlines(cfg)

    async def phase(name: str, profile: str | None, body) -> None:
        if profile is not None:
            await asyncio.to_thread(profiler.start, profile, pids)
        await watched(clock, out, name, deadline[name], body)

    await phase("connect", "connect", lambda: connect(cfg, clock, fleet, stack, out))
    if not (out.get("connect") or {}).get("connected"):
        raise RuntimeError(f"no screen connected: {out['missed_phases'][-1]['error']}")
    await phase("check-in", None, lambda: settle_check_ins(cfg, clock, console, fleet, out))
    memory(stack, out)
    await phase(
        "agenda",
        "agenda",
        lambda: broadcast_steps(cfg, clock, console, fleet, stack, triggers, out),
    )
    await phase("vote", "vote", lambda: vote(cfg, clock, console, fleet, stack, triggers, out))
    await phase(
        "requests",
        "requests",
        lambda: speakers.request_storm(
            cfg,
            clock,
            console,
            fleet,
            stack,
            out,
            session_id=fixture.session_id,
            cpu_snapshot=cpu_snapshot,
            cpu_delta=cpu_delta,
        ),
    )


async def _collect(cfg: Config, console: Console, fleet: Fleet, triggers: dict, out: dict) -> None:
    reports = await fleet.call("report", 60, final_seq=console.seq)
    out["fanout"] = fanout(triggers, reports, out["connect"]["connected"])
    per_delivered_frame(out, _console_agenda_events(triggers))
    out["events"] = sequence_checks(reports, console)
    out["events"]["notices"] = add_counts(r["notices"] for r in reports)
    out["console_notices"] = dict(console.notices)
    out["client_cpu_s"] = sum(r["cpu_s"] for r in reports)
    ballots = out.get("ballots")
    if ballots is None:
        return
    progress(reports, out)
    projectors(reports, out)
    record = await asyncio.to_thread(database.ballots_on_record, cfg, ballots["poll_id"])
    ballot_checks(out, record)


def _console_agenda_events(triggers: dict) -> int:
    """Every timed event was read by the console first (that is how its seq is known)."""
    return sum(1 for kind, _ in triggers.values() if kind == "agenda.current")


def _config(cfg: Config) -> dict:
    return {
        "tablets": cfg.tablets,
        "workers": cfg.workers,
        "projectors": cfg.projectors,
        "server": cfg.server,
        "uvicorn_ws": cfg.uvicorn_ws if cfg.server == "uvicorn" else None,
        "uvicorn_deflate": cfg.uvicorn_deflate if cfg.server == "uvicorn" else None,
        "layer": cfg.layer,
        "client_procs": cfg.client_procs,
        "connect_concurrency": cfg.connect_concurrency,
        "compression_offered": cfg.compression,
        "agenda_steps": cfg.agenda_steps,
        "cast_spread_s": cfg.cast_spread_s,
    }


def _targets(cfg: Config, fixture: database.Fixture, workers) -> list[Target]:
    sid = fixture.session_id
    targets = []
    for i, (_delegate_id, cookie) in enumerate(fixture.tablets):
        worker = workers[i % len(workers)]
        targets.append(
            Target(
                index=i,
                role="tablet",
                url=f"{worker.ws}/ws/tablet/{sid}/",
                origin=worker.origin,
                cookie=f"{fixture.cookie_name}={cookie}",
            )
        )
    # The room's projectors are on before the delegates arrive: they connect first.
    for j in range(cfg.projectors):
        worker = workers[j % len(workers)]
        targets.insert(
            j,
            Target(
                index=len(fixture.tablets) + j,
                role="projector",
                url=f"{worker.ws}/ws/projector/{sid}/?key={fixture.projector_key}",
                origin=worker.origin,
            ),
        )
    return targets


async def _floor(cfg: Config) -> dict:
    clock = Clock(cfg.timeout_s)
    out: dict = {"kind": "floor", "label": f"floor (websockets) N={cfg.tablets}"}
    out["config"] = _config(cfg) | {"server": "websockets", "workers": 1, "layer": None}
    stack = Stack()
    fleet = console = None
    started = monotonic()
    try:
        clock.phase = "quiet"
        waited = monotonic()
        out["machine_busy_before"] = await asyncio.to_thread(procstat.wait_quiet, cfg.quiet_wait_s)
        clock.deadline += monotonic() - waited  # the wait is not the run's time
        clock.phase = "start floor"
        floor = await asyncio.to_thread(
            start_floor, cfg, stack, clock.deadline, FLOOR_MESSAGE_BYTES
        )
        screens = cfg.tablets + cfg.projectors
        targets = [
            Target(
                index=i,
                role="tablet" if i < cfg.tablets else "projector",
                url=f"{floor.ws}/",
                origin=floor.origin,
            )
            for i in range(screens)
        ]
        fleet = Fleet(targets, cfg.client_procs, {"compression": cfg.compression})
        await fleet.start()
        await fleet.call("ping", clock.limit(60))
        console = await Console.open(
            f"{floor.ws}/control", floor.origin, None, clock.limit(30), cfg.compression
        )
        await connect(cfg, clock, fleet, stack, out)
        memory(stack, out)
        triggers: dict[int, tuple[str, float]] = {}
        await broadcast_steps(cfg, clock, console, fleet, stack, triggers, out)
        clock.phase = "report"
        reports = await fleet.call("report", clock.limit(60), final_seq=console.seq)
        out["fanout"] = fanout(triggers, reports, out["connect"]["connected"])
        per_delivered_frame(out, _console_agenda_events(triggers))
        out["events"] = sequence_checks(reports, console)
        out["message_bytes"] = FLOOR_MESSAGE_BYTES
        out["ok"] = True
    except Exception as exc:
        out["ok"] = False
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["failed_phase"] = clock.phase
        out["server_logs"] = {p.name: p.log_tail(1500) for p in stack.processes}
    finally:
        await shutdown(console, fleet, stack)
        out["wall_s"] = monotonic() - started
    return out
