"""One run: start the stack, connect the screens, play the sitting, measure, stop everything.

``run_chamber`` plays the whole sitting on Chamber's ASGI workers; ``run_floor`` plays the
agenda part against the bare ``websockets`` server (bench/floor.py) with the same clients.
Both return a plain dict (the JSON report's entry for the run). Everything started is stopped
in ``finally``; every wait is bounded by the run's deadline.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

from bench import database, procstat, speakers
from bench.clients import Fleet, Target, choice_for
from bench.config import Config
from bench.console import Console
from bench.profile import Profiler
from bench.servers import Stack, start_floor, start_workers
from bench.source import source_state
from bench.stats import add_counts, merge_lists, summary

monotonic = time.monotonic
FLOOR_MESSAGE_BYTES = 150
COMMAND_TIMEOUT = 60.0
FANOUT_TIMEOUT = 60.0
STEP_PAUSE = 0.1  # after every client has an event, before the chair's next command
# Events the console's commands cause; each is timed from the command's send.
COMMANDED_EVENTS = ("agenda.current", "poll.opened", "poll.closed", "poll.published")


class BudgetExceeded(RuntimeError):
    pass


class Clock:
    """The run's deadline: every wait takes the smaller of its own limit and what is left."""

    def __init__(self, seconds: float) -> None:
        self.deadline = monotonic() + seconds
        self._phase = "start"
        self._since = monotonic()
        self.phases: dict[str, float] = {}  # wall seconds per phase

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, name: str) -> None:
        now = monotonic()
        self.phases[self._phase] = self.phases.get(self._phase, 0.0) + now - self._since
        self._phase, self._since = name, now

    def limit(self, seconds: float) -> float:
        left = self.deadline - monotonic()
        if left <= 0:
            raise BudgetExceeded(f"time budget of the run exhausted during {self.phase!r}")
        return min(seconds, left)


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


# -- the pieces both runs share ---------------------------------------------------------------


async def _connect(cfg: Config, clock: Clock, fleet: Fleet, stack: Stack, out: dict) -> None:
    clock.phase = "connect"
    before = stack.sample()
    started = monotonic()
    timeout = clock.limit(max(180.0, cfg.tablets * 0.06))
    answers = await fleet.call(
        "connect",
        timeout + 10,
        timeout=timeout,
        concurrency=max(1, cfg.connect_concurrency // len(fleet.pipes)),
    )
    screens = sum(len(share) for share in fleet.shares)
    connected = sum(a["connected"] for a in answers)
    last = max((a["last_snapshot"] for a in answers if a["last_snapshot"]), default=None)
    out["connect"] = {
        "screens": screens,
        "connected": connected,
        "failures": add_counts(a["failures"] for a in answers),
        "attempts_failed": add_counts(a["attempts_failed"] for a in answers),
        "all_connected_s": (last - started) if last and connected == screens else None,
        "last_snapshot_s": (last - started) if last else None,
        "per_connection_s": summary(x for a in answers for x in a["latencies"]),
        "extensions": add_counts(a["extensions"] for a in answers),
    }
    out["_rss_before"] = before.rss
    if connected == 0:
        raise RuntimeError(f"no screen connected: {out['connect']['failures']}")


def _memory(stack: Stack, out: dict) -> None:
    after = stack.sample().rss
    connected = out["connect"]["connected"]
    before = out.pop("_rss_before")
    out["memory"] = {
        "server_rss_before_mb": before / 2**20,
        "server_rss_after_mb": after / 2**20,
        "per_connection_kb": (after - before) / max(1, connected) / 1024,
        "connections": connected,
    }


def _cpu_snapshot(stack: Stack, fleet: Fleet) -> dict:
    busy, total = procstat.system_cpu_busy()
    return {
        "server": stack.sample().cpu,
        "clients": sum(procstat.cpu_seconds(pid) for pid in fleet.pids),
        "main": procstat.cpu_seconds(os.getpid()),
        **procstat.services_cpu(),
        "_busy": busy,
        "_total": total,
        "_at": monotonic(),
    }


def _cpu_delta(before: dict, after: dict) -> dict:
    wall = after["_at"] - before["_at"]
    delta = {k: after[k] - before[k] for k in before if not k.startswith("_")}
    delta["wall_s"] = wall
    total = after["_total"] - before["_total"]
    busy = after["_busy"] - before["_busy"]
    delta["machine_busy_fraction"] = busy / total if total else None
    # Whatever else ran on the machine meanwhile (other people's tests share these cores).
    delta["others_s"] = max(0.0, busy - sum(delta[k] for k in before if not k.startswith("_")))
    return delta


async def _broadcast_steps(
    cfg: Config,
    clock: Clock,
    console: Console,
    fleet: Fleet,
    stack: Stack,
    triggers: dict,
    out: dict,
) -> None:
    """The chair advances the agenda ``cfg.agenda_steps`` times; each step waits until every
    screen has the event (bounded), so that latencies of one step do not queue behind the
    previous one."""
    clock.phase = "agenda"
    acks = []
    waits = []
    missing = 0
    cpu_before = _cpu_snapshot(stack, fleet)
    lost = 0
    for _ in range(cfg.agenda_steps):
        since = len(console.events)
        sent, answered, ack = await console.command("agenda.next", clock.limit(COMMAND_TIMEOUT))
        acks.append(answered - sent)
        item = ack["data"].get("current_item_id")
        event = await _event_or_none(
            console,
            lambda f, item=item: (
                f["type"] == "agenda.current" and f["data"].get("current_item_id", item) == item
            ),
            clock,
            since,
        )
        if event is None:  # never reached even the console: counted, and the sitting goes on
            lost += 1
            continue
        triggers[event["seq"]] = ("agenda.current", sent)
        done = await fleet.call(
            "wait_seq",
            clock.limit(FANOUT_TIMEOUT) + 10,
            seq=event["seq"],
            timeout=clock.limit(FANOUT_TIMEOUT),
        )
        missing += sum(d["missing"] for d in done)
        waits.append(max(d["waited"] for d in done))
        await asyncio.sleep(STEP_PAUSE)
    cpu = _cpu_delta(cpu_before, _cpu_snapshot(stack, fleet))
    connected = out["connect"]["connected"] + 1  # and the console
    events = cfg.agenda_steps
    out["agenda"] = {
        "events": events,
        "events_lost_before_the_console": lost,
        "command_ack_s": summary(acks),
        "screens_missing_an_event": missing,
        "cpu": cpu,
        "server_cpu_per_event_ms": cpu["server"] / events * 1000,
        "server_cpu_per_delivered_frame_us": cpu["server"] / (events * connected) * 1e6,
    }


EVENT_WAIT = 20.0  # after the command's ack: an event not there by then is taken as lost


async def _event_or_none(console: Console, predicate, clock: Clock, since: int):
    """The console's copy of the event a command caused, or None if it never came (an event
    lost on the way is a finding of the run, not a reason to stop it)."""
    try:
        _, frame = await console.wait_event(predicate, clock.limit(EVENT_WAIT), since)
    except TimeoutError:
        return None
    return frame


def _fanout(triggers: dict, reports: list[dict], expected: int) -> dict:
    """Latency from the console's send to each screen's receipt, by event type."""
    receipts = merge_lists(r["receipts"] for r in reports)
    by_type: dict[str, list[float]] = {}
    complete: dict[str, list[float]] = {}
    undelivered: dict[str, int] = {}
    for seq, (kind, sent) in triggers.items():
        times = receipts.get(seq, [])
        by_type.setdefault(kind, []).extend(t - sent for t in times)
        if times:
            complete.setdefault(kind, []).append(max(times) - sent)
        undelivered[kind] = undelivered.get(kind, 0) + max(0, expected - len(times))
    return {
        kind: {
            **summary(values),
            "events": sum(1 for k, _ in triggers.values() if k == kind),
            "slowest_event_complete_s": max(complete.get(kind, [0.0])),
            "undelivered": undelivered[kind],
        }
        for kind, values in by_type.items()
    }


def _sequence_checks(reports: list[dict], console: Console) -> dict:
    missed = add_counts(r["missed"] for r in reports)
    received = {frame["seq"]: (t, frame["type"]) for t, frame in console.events}
    around = {}
    for seq in sorted(missed)[:20]:
        before, after = received.get(seq - 1), received.get(seq + 1)
        around[seq] = {
            "screens": missed[seq],
            "console_got_it": seq in received,
            "type": received.get(seq, (None, None))[1],
            "previous_type": before and before[1],
            "next_type": after and after[1],
        }
    return {
        "missed_events": around,
        "screens": sum(r["screens"] for r in reports),
        "gaps": sum(r["gaps"] for r in reports) + console.gaps,
        "screens_with_gaps": sum(r["screens_with_gaps"] for r in reports),
        "duplicates_or_out_of_order": sum(r["repeats"] for r in reports) + console.repeats,
        "events_before_snapshot": sum(r["early"] for r in reports),
        "screens_not_at_final_seq": sum(r["behind_at_end"] for r in reports),
        "type_conflicts": sum(r["type_conflicts"] for r in reports),
        "dropped_connections": add_counts(r["dropped"] for r in reports),
        "unexpected_frames": add_counts(r["unexpected"] for r in reports),
        "final_seq": console.seq,
    }


async def _shutdown(console: Console | None, fleet: Fleet | None, stack: Stack) -> None:
    """Servers first (their clients' disconnects would only keep them busy), then clients."""
    try:
        await asyncio.to_thread(stack.stop)
    finally:
        try:
            if fleet is not None:
                await fleet.stop()
        finally:
            if console is not None:
                await console.close()


# -- Chamber ----------------------------------------------------------------------------------


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
        await asyncio.to_thread(profiler.start, "connect", worker_pids)
        await _connect(cfg, clock, fleet, stack, out)
        await _settle_check_ins(cfg, clock, console, fleet, out)
        _memory(stack, out)
        await asyncio.to_thread(profiler.start, "agenda", worker_pids)
        await _broadcast_steps(cfg, clock, console, fleet, stack, triggers, out)
        await asyncio.to_thread(profiler.start, "vote", worker_pids)
        await _vote(cfg, clock, console, fleet, stack, triggers, out)
        await asyncio.to_thread(profiler.start, "requests", worker_pids)
        await speakers.request_storm(
            cfg,
            clock,
            console,
            fleet,
            stack,
            out,
            session_id=fixture.session_id,
            cpu_snapshot=_cpu_snapshot,
            cpu_delta=_cpu_delta,
        )
        await asyncio.to_thread(profiler.stop)
        clock.phase = "report"
        await fleet.call("wait_seq", clock.limit(30) + 10, seq=console.seq, timeout=clock.limit(20))
        out["ok"] = True
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
        await _shutdown(console, fleet, stack)
        await asyncio.to_thread(_cleanup, cfg)
        clock.phase = "end"
        out["phase_s"] = clock.phases
        out["wall_s"] = monotonic() - started
        out["run_dir"] = str(cfg.run_dir)
    return out


async def _collect(cfg: Config, console: Console, fleet: Fleet, triggers: dict, out: dict) -> None:
    reports = await fleet.call("report", 60, final_seq=console.seq)
    out["fanout"] = _fanout(triggers, reports, out["connect"]["connected"])
    out["events"] = _sequence_checks(reports, console)
    out["events"]["notices"] = add_counts(r["notices"] for r in reports)
    out["console_notices"] = dict(console.notices)
    out["client_cpu_s"] = sum(r["cpu_s"] for r in reports)
    ballots = out.get("ballots")
    if ballots is None:
        return
    _progress(reports, out)
    _projectors(reports, out)
    record = await asyncio.to_thread(database.ballots_on_record, cfg, ballots["poll_id"])
    _ballot_checks(out, record)


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


async def _settle_check_ins(
    cfg: Config, clock: Clock, console: Console, fleet: Fleet, out: dict
) -> None:
    """Until the console sees every connected tablet present, and every screen the last
    (coalesced) attendance summary."""
    clock.phase = "check-in"
    tablets = min(cfg.tablets, out["connect"]["connected"])
    started = monotonic()
    try:
        await console.wait_event(
            lambda f: f["type"] == "attendance.summary" and f["data"]["present"] >= tablets,
            clock.limit(60),
        )
    except TimeoutError:
        last = console.last("attendance.summary")
        out.setdefault("problems", []).append(
            f"check-in: the console saw {last and last['data']['present']} present, not {tablets}"
        )
    # Until the check-in storm is over: no summary for 1.5 s (bounded). Connections given up
    # at the deadline may still be checked in by a server working through its backlog.
    quiet_until = monotonic() + clock.limit(60)
    while monotonic() < quiet_until:
        count = len(console.events)
        await asyncio.sleep(1.5)
        if len(console.events) == count:
            break
    done = await fleet.call(
        "wait_seq", clock.limit(40) + 10, seq=console.seq, timeout=clock.limit(30)
    )
    out["check_in"] = {
        "present_seen_by_console": (console.last("attendance.summary") or {}).get("data"),
        "settled_after_connect_s": monotonic() - started,
        "screens_missing_summary": sum(d["missing"] for d in done),
    }


async def _vote(cfg, clock, console, fleet, stack, triggers, out) -> int:
    clock.phase = "poll"
    current = console.last("agenda.current")
    _, _, created = await console.command(
        "poll.create",
        clock.limit(COMMAND_TIMEOUT),
        title="Thông qua nghị quyết về kế hoạch đầu tư công năm 2027",
        agenda_item_id=current["data"]["current_item_id"] if current else None,
    )
    poll_id = created["data"]["poll_id"]
    since = len(console.events)
    sent, _, _ = await console.command("poll.open", clock.limit(COMMAND_TIMEOUT), poll_id=poll_id)
    opened = await _event_or_none(console, lambda f: f["type"] == "poll.opened", clock, since)
    if opened is None:
        out.setdefault("problems", []).append("poll.opened never reached the console")
    else:
        triggers[opened["seq"]] = ("poll.opened", sent)
    await fleet.call(
        "wait_seq",
        clock.limit(FANOUT_TIMEOUT) + 10,
        seq=opened["seq"] if opened else console.seq,
        timeout=clock.limit(FANOUT_TIMEOUT),
    )

    clock.phase = "ballots"
    cpu_before = _cpu_snapshot(stack, fleet)
    start_at = monotonic() + 0.3
    # Bounded, but long enough for a slow server to answer a whole chamber.
    cast_timeout = clock.limit(max(60.0, cfg.tablets / 25))
    casts = await fleet.call(
        "cast",
        cast_timeout + cfg.cast_spread_s + 15,
        poll_id=poll_id,
        start_at=start_at,
        spread=cfg.cast_spread_s,
        total=cfg.tablets,
        timeout=cast_timeout,
    )
    acks = [a for c in casts for a in c["acks"]]
    errors = add_counts(c["errors"] for c in casts)
    sent_times = [a[1] for a in acks]
    ack_times = sorted(a[2] for a in acks)
    out["ballots"] = ballots = {
        "poll_id": poll_id,
        "tablets": cfg.tablets,
        "acked": len(acks),
        "errors": errors,
        "ack_latency_s": summary(a[2] - a[1] for a in acks),
        "all_acked_after_first_cast_s": (ack_times[-1] - start_at) if ack_times else None,
        "casting_window_s": (max(sent_times) - min(sent_times)) if sent_times else None,
        "ballots_per_s": (
            len(acks) / (ack_times[-1] - min(sent_times)) if len(ack_times) > 1 else None
        ),
        "_acks": acks,
        "_ack_times": ack_times,
    }
    # The chair closes when the room shows everyone has voted (bounded).
    try:
        await console.wait_event(
            lambda f: f["type"] == "poll.progress" and f["data"]["voted"] >= len(acks),
            clock.limit(15),
        )
        ballots["progress_reached_all"] = True
    except TimeoutError:
        ballots["progress_reached_all"] = False
    ballots["cpu"] = cpu_votes = _cpu_delta(cpu_before, _cpu_snapshot(stack, fleet))
    ballots["server_cpu_per_ballot_ms"] = cpu_votes["server"] / max(1, len(acks)) * 1000

    clock.phase = "close"
    since = len(console.events)
    # Closing waits for the ballots in flight: allow as long as casting was allowed.
    close_timeout = max(COMMAND_TIMEOUT, cfg.tablets / 25)
    ballots["_close_sent"] = close_sent = monotonic()
    close_sent, close_acked, _ = await console.command(
        "poll.close", clock.limit(close_timeout), poll_id=poll_id
    )
    ballots["_close_sent"] = close_sent
    ballots["close_ack_s"] = close_acked - close_sent
    publish_sent, publish_acked, _ = await console.command(
        "poll.publish", clock.limit(close_timeout), poll_id=poll_id
    )
    ballots["publish_ack_s"] = publish_acked - publish_sent
    closed = await _event_or_none(console, lambda f: f["type"] == "poll.closed", clock, since)
    published = await _event_or_none(console, lambda f: f["type"] == "poll.published", clock, since)
    if closed is not None:
        triggers[closed["seq"]] = ("poll.closed", close_sent)
    if published is not None:
        triggers[published["seq"]] = ("poll.published", publish_sent)
        ballots["_published_seq"] = published["seq"]
    for kind, frame in (("poll.closed", closed), ("poll.published", published)):
        if frame is None:
            out.setdefault("problems", []).append(f"{kind} never reached the console")
    await fleet.call(
        "wait_seq",
        clock.limit(FANOUT_TIMEOUT) + 10,
        seq=console.seq,
        timeout=clock.limit(FANOUT_TIMEOUT),
    )
    return poll_id


def _progress(reports: list[dict], out: dict) -> None:
    """poll.progress has no console command: measure how old it is when it arrives (after the
    ballot it counts last was acknowledged), for the room's screens and for the tablets."""
    ack_times = out["ballots"].pop("_ack_times")
    by_role: dict[str, list[tuple[int, float]]] = {}
    for report in reports:
        for role, seen in report["progress"].items():
            by_role.setdefault(role, []).extend(seen)

    def age(seen) -> list[float]:
        return [at - ack_times[voted - 1] for voted, at in seen if 0 < voted <= len(ack_times)]

    everyone = [item for seen in by_role.values() for item in seen]
    out["fanout"]["poll.progress"] = {
        **summary(age(everyone)),
        "events": len({voted for voted, _ in everyone}),
        "measure": "receipt minus the acknowledgement of the last ballot the notice counts",
        "by_role": {
            role: {**summary(age(seen)), "notices": len(seen)} for role, seen in by_role.items()
        },
        "went_backwards": sum(r["progress_backwards"] for r in reports),
    }


def _projectors(reports: list[dict], out: dict) -> None:
    seq = out["ballots"].pop("_published_seq", None)
    close_sent = out["ballots"].pop("_close_sent", None)
    if seq is None or close_sent is None:
        out["result_on_projectors"] = {
            "projectors": out["config"]["projectors"],
            "received": 0,
            "close_to_result_s": summary([]),
            "note": "the result was never published in this run",
        }
        return
    times = merge_lists(r["projector_receipts"] for r in reports).get(seq, [])
    out["result_on_projectors"] = {
        "projectors": out["config"]["projectors"],
        "received": len(times),
        "close_to_result_s": summary(t - close_sent for t in times),
    }


def _ballot_checks(out: dict, record: dict) -> None:
    acks = out["ballots"].pop("_acks")
    acked = {a[3] for a in acks}
    on_record = set(record["receipts"])
    expected = {a[0] for a in acks}
    out["ballot_checks"] = {
        "acked": len(acks),
        "acked_distinct_receipts": len(acked),
        "ballot_rows": len(record["receipts"]),
        "participation_rows": record["participations"],
        "participating_delegates": record["participating_delegates"],
        "result_ballots": record["result_ballots"],
        "result_counts": record["result_counts"],
        "expected_counts": _expected_counts(expected),
        "present": record["present"],
        "lost": len(acked - on_record),
        "unacknowledged_on_record": len(on_record - acked),
        "duplicated": max(0, len(record["receipts"]) - len(on_record))
        + max(0, record["participations"] - record["participating_delegates"])
        + max(0, (record["result_ballots"] or 0) - len(acked)),
    }
    checks = out["ballot_checks"]
    checks["consistent"] = (
        checks["lost"] == 0
        and checks["duplicated"] == 0
        and checks["unacknowledged_on_record"] == 0
        and checks["ballot_rows"] == checks["participation_rows"] == len(acked)
        and checks["result_ballots"] == len(acked)
        and checks["result_counts"] == checks["expected_counts"]
    )


def _expected_counts(indices: set[int]) -> dict:
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for index in indices:
        counts[choice_for(index)] += 1
    return counts


def _cleanup(cfg: Config) -> None:
    """Remove the run's Redis keys (its channel prefix); the database stays for a look until
    the next run recreates it (``keep_db=False`` drops it)."""
    try:
        import redis

        client = redis.Redis.from_url(cfg.redis_url, socket_timeout=5)
        for pattern in (f"{cfg.channel_prefix}*", f"asgi{cfg.channel_prefix}*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
        client.close()
    except Exception:  # noqa: BLE001 - cleanup only: keys expire by themselves
        pass
    if not cfg.keep_db:
        try:
            database.drop(cfg)
        except Exception:  # noqa: BLE001
            pass
    shutil.rmtree(Path(cfg.run_dir) / "var", ignore_errors=True)


# -- the floor --------------------------------------------------------------------------------


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
        await _connect(cfg, clock, fleet, stack, out)
        _memory(stack, out)
        triggers: dict[int, tuple[str, float]] = {}
        await _broadcast_steps(cfg, clock, console, fleet, stack, triggers, out)
        clock.phase = "report"
        reports = await fleet.call("report", clock.limit(60), final_seq=console.seq)
        out["fanout"] = _fanout(triggers, reports, out["connect"]["connected"])
        out["events"] = _sequence_checks(reports, console)
        out["message_bytes"] = FLOOR_MESSAGE_BYTES
        out["ok"] = True
    except Exception as exc:
        out["ok"] = False
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["failed_phase"] = clock.phase
        out["server_logs"] = {p.name: p.log_tail(1500) for p in stack.processes}
    finally:
        await _shutdown(console, fleet, stack)
        out["wall_s"] = monotonic() - started
    return out
