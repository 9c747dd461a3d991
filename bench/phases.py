"""The phases the one-chamber run and the floor share: connect every screen, let the check-in
storm settle, advance the agenda; and stopping and cleaning up after a run."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

from bench import database
from bench.clock import Clock
from bench.config import Config
from bench.console import Console
from bench.fleet import Fleet
from bench.measure import cpu_delta, cpu_snapshot
from bench.servers import Stack
from bench.stats import add_counts, summary

monotonic = time.monotonic
COMMAND_TIMEOUT = 60.0
FANOUT_TIMEOUT = 60.0
STEP_PAUSE = 0.1  # after every client has an event, before the chair's next command
# Events the console's commands cause; each is timed from the command's send.
COMMANDED_EVENTS = ("agenda.current", "poll.opened", "poll.closed", "poll.published")
EVENT_WAIT = 20.0  # after the command's ack: an event not there by then is taken as lost


async def connect(cfg: Config, clock: Clock, fleet: Fleet, stack: Stack, out: dict) -> None:
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


async def settle_check_ins(
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


async def broadcast_steps(
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
    cpu_before = cpu_snapshot(stack, fleet)
    lost = 0
    for _ in range(cfg.agenda_steps):
        since = len(console.events)
        sent, answered, ack = await console.command("agenda.next", clock.limit(COMMAND_TIMEOUT))
        acks.append(answered - sent)
        item = ack["data"].get("current_item_id")
        event = await event_or_none(
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
    cpu = cpu_delta(cpu_before, cpu_snapshot(stack, fleet))
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


async def event_or_none(console: Console, predicate, clock: Clock, since: int):
    """The console's copy of the event a command caused, or None if it never came (an event
    lost on the way is a finding of the run, not a reason to stop it)."""
    try:
        _, frame = await console.wait_event(predicate, clock.limit(EVENT_WAIT), since)
    except TimeoutError:
        return None
    return frame


async def shutdown(console: Console | None, fleet: Fleet | None, stack: Stack) -> None:
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


def cleanup(cfg: Config) -> None:
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
