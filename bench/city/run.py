"""One city's morning: seed, start the workers, arrive, re-arrive at once, agenda, votes.

Every sitting has its console (played by the main process, as in the one-chamber run), its
projector and its tablets (the client processes). Each console's own list of events is the
truth its sitting's screens are checked against (bench/city/measure.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path

from bench import database, hosts, procstat
from bench.city import measure
from bench.city.screens import CityFleet
from bench.clock import Clock, watched
from bench.config import Config
from bench.console import Console
from bench.measure import cpu_delta, cpu_snapshot, per_delivered_frame
from bench.phases import COMMAND_TIMEOUT, cleanup, shutdown
from bench.screen import Target
from bench.servers import Stack, start_workers
from bench.source import source_state

monotonic = time.monotonic
AGENDA_STEPS = 3
VOTE_TITLE = "Thông qua nghị quyết về dự toán ngân sách năm 2027"


@dataclass
class CityConfig(Config):
    communes: int = 168
    commune_seats: int = 30
    city_seats: int = 95
    arrive_spread_s: float = 60.0  # the morning's arrivals; 0 = all at once only
    voting_together: int = 20  # sittings that vote at the same moment first
    hosts: int = 0  # >0: workers spread over that many hosts behind nginx (bench/hosts.py)
    agenda_items: int = 6
    agenda_steps: int = AGENDA_STEPS

    def __post_init__(self) -> None:
        self.tablets = self.city_seats + self.communes * self.commune_seats
        super().__post_init__()

    @property
    def sittings(self) -> int:
        return self.communes + 1

    @property
    def label(self) -> str:
        where = f", {self.hosts} hosts behind nginx" if self.hosts else ""
        return f"city {self.sittings} sittings, {self.tablets} tablets, {super().label}{where}"


def run_city(cfg: CityConfig) -> dict:
    procstat.raise_open_files_limit()
    Path(cfg.run_dir).mkdir(parents=True, exist_ok=True)
    return asyncio.run(_city(cfg))


def _seed(cfg: CityConfig) -> list[dict]:
    database.ensure_template(cfg)
    database._recreate(cfg, cfg.db_name, template=database.template_name(cfg))
    out = Path(cfg.run_dir) / "city.json"
    spec = f"{cfg.communes},{cfg.commune_seats},{cfg.city_seats}"
    args = ["-m", "bench.seed", "--city", spec, "--items", str(cfg.agenda_items)]
    database._run(cfg, [*args, "--out", str(out)], cfg.db_name, timeout=600)
    return json.loads(out.read_text())["sittings"]


def _targets(sittings: list[dict], workers) -> list[Target]:
    """Projectors first in each hall, then its tablets; spread over the workers in turn."""
    targets: list[Target] = []
    for sitting in sittings:
        sid = sitting["session_id"]
        screens = [(f"/ws/projector/{sid}/?key={sitting['projector_key']}", "projector", None)]
        cookie_name = sitting["cookie_name"]
        screens += [
            (f"/ws/tablet/{sid}/", "tablet", f"{cookie_name}={cookie}")
            for _pk, cookie in sitting["tablets"]
        ]
        for path, role, cookie in screens:
            worker = workers[len(targets) % len(workers)]
            targets.append(
                Target(
                    index=len(targets),
                    role=role,
                    url=f"{worker.ws}{path}",
                    origin=worker.origin,
                    cookie=cookie,
                    sitting=sid,
                )
            )
    return targets


async def _open_consoles(cfg, clock, sittings, workers) -> dict[int, Console]:
    gate = asyncio.Semaphore(20)

    async def open_one(n: int, sitting: dict) -> tuple[int, Console]:
        worker = workers[n % len(workers)]
        cookie = f"{sitting['cookie_name']}={sitting['chair_cookie']}"
        async with gate:
            url = f"{worker.ws}/ws/chair/{sitting['session_id']}/"
            console = await Console.open(url, worker.origin, cookie, clock.limit(60))
        return sitting["session_id"], console

    pairs = await asyncio.gather(*(open_one(n, s) for n, s in enumerate(sittings)))
    return dict(pairs)


async def _arrive(cfg, clock, fleet, out: dict, name: str, spread: float, concurrency: int):
    clock.phase = name
    started = monotonic()
    timeout = clock.limit(spread + 180)
    answers = await fleet.call(
        "connect",
        timeout + 10,
        timeout=timeout,
        concurrency=max(1, concurrency // len(fleet.pipes)),
        start_at=started + 0.5,
        spread=spread,
    )
    out[name] = measure.arrivals(answers, started, spread)


async def _settle(clock, consoles: dict[int, Console], seats: dict[int, int], out: dict, name):
    """Until every console sees its whole council present (bounded): the check-in storm."""
    started = monotonic()

    async def one(sid: int, console: Console) -> bool:
        def everyone(f):
            return f["type"] == "attendance.summary" and f["data"]["present"] >= seats[sid]

        try:
            await console.wait_event(everyone, clock.limit(90))
            return True
        except TimeoutError:
            return False

    done = await asyncio.gather(*(one(sid, c) for sid, c in consoles.items()))
    out[name] = {"sittings_all_present": sum(done), "settled_s": monotonic() - started}


async def _sync(clock, fleet, consoles: dict[int, Console], sids) -> int:
    """Until every screen of these sittings has its console's last event; screens missing."""
    seqs = {sid: consoles[sid].seq for sid in sids}
    limit = clock.limit(60)
    done = await fleet.call("wait_sittings", limit + 10, seqs=seqs, timeout=limit)
    return sum(d["missing"] for d in done)


async def _agenda(cfg, clock, fleet, stack, consoles, triggers: dict, out: dict) -> None:
    """Every sitting's chair moves to the next item, all of them within the same moment.

    ``out["agenda"]`` holds the figures so far after every step: a phase stopped by its
    deadline still says how far it got. An event that never reaches its console is counted."""
    clock.phase = "agenda"
    agenda = out["agenda"] = {"steps": AGENDA_STEPS, "steps_done": 0, "events_lost": 0}
    agenda["screens_missing_an_event"] = 0
    cpu_before = cpu_snapshot(stack, fleet)
    for _ in range(AGENDA_STEPS):

        async def step(sid: int, console: Console) -> None:
            sent, _, ack = await console.command("agenda.next", clock.limit(COMMAND_TIMEOUT))
            item = ack["data"]["current_item_id"]
            try:
                _, frame = await console.wait_event(
                    lambda f, item=item: (
                        f["type"] == "agenda.current" and f["data"]["current_item_id"] == item
                    ),
                    clock.limit(30),
                )
            except TimeoutError:
                agenda["events_lost"] += 1
                return
            triggers[(sid, frame["seq"])] = ("agenda.current", sent)

        await asyncio.gather(*(step(sid, c) for sid, c in consoles.items()))
        agenda["screens_missing_an_event"] += await _sync(clock, fleet, consoles, consoles)
        agenda["steps_done"] += 1
        agenda["cpu"] = cpu_delta(cpu_before, cpu_snapshot(stack, fleet))
    frames = AGENDA_STEPS * (cfg.tablets + 2 * cfg.sittings)
    # Replaced by the frames the screens and consoles counted, once the report is in.
    out["cpu_per_delivered_frame_us"] = agenda["cpu"]["server"] / frames * 1e6


async def _vote(cfg, clock, fleet, stack, consoles, sids: list[int], triggers, name, out) -> None:
    """These sittings open a poll at the same moment; every tablet votes within a second."""
    clock.phase = name
    polls: dict[int, int] = {}
    # What a phase stopped by its deadline had got to (replaced by the figures at the end).
    seen = out[name] = {"sittings": len(sids), "polls_open": polls, "step": "opening the polls"}

    async def open_poll(sid: int) -> None:
        console = consoles[sid]
        item = (console.last("agenda.current") or {}).get("data", {}).get("current_item_id")
        _, _, created = await console.command(
            "poll.create", clock.limit(COMMAND_TIMEOUT), title=VOTE_TITLE, agenda_item_id=item
        )
        poll_id = created["data"]["poll_id"]
        sent, _, _ = await console.command(
            "poll.open", clock.limit(COMMAND_TIMEOUT), poll_id=poll_id
        )
        _, frame = await console.wait_event(
            lambda f: f["type"] == "poll.opened" and f["data"]["poll"]["id"] == poll_id,
            clock.limit(30),
        )
        triggers[(sid, frame["seq"])] = ("poll.opened", sent)
        polls[sid] = poll_id

    await asyncio.gather(*(open_poll(sid) for sid in sids))
    missing = await _sync(clock, fleet, consoles, sids)
    cpu_before = cpu_snapshot(stack, fleet)
    start_at = monotonic() + 0.3
    cast_timeout = clock.limit(120)
    seen["step"] = "casting"
    casts = await fleet.call(
        "cast",
        cast_timeout + cfg.cast_spread_s + 15,
        polls=polls,
        start_at=start_at,
        spread=cfg.cast_spread_s,
        total=cfg.tablets + cfg.sittings,
        timeout=cast_timeout,
    )
    cpu = cpu_delta(cpu_before, cpu_snapshot(stack, fleet))
    seen["step"] = "closing and publishing"
    seen["acked"] = sum(len(c["acks"]) for c in casts)

    async def close(sid: int) -> None:
        console = consoles[sid]
        poll_id = polls[sid]
        sent, _, _ = await console.command("poll.close", clock.limit(120), poll_id=poll_id)
        await console.command("poll.publish", clock.limit(120), poll_id=poll_id)
        _, frame = await console.wait_event(
            lambda f: f["type"] == "poll.published" and f["data"]["poll"]["id"] == poll_id,
            clock.limit(30),
        )
        triggers[(sid, frame["seq"])] = ("poll.published", sent)

    await asyncio.gather(*(close(sid) for sid in sids))
    missing += await _sync(clock, fleet, consoles, sids)
    records = await asyncio.to_thread(
        lambda: {sid: database.ballots_on_record(cfg, pid) for sid, pid in polls.items()}
    )
    out[name] = measure.votes(casts, start_at, polls, records, cpu) | {
        "sittings": len(sids),
        "screens_missing_an_event": missing,
    }


async def _morning(cfg, clock, fleet, stack, consoles, sittings, triggers, out) -> None:
    """The phases in order, each within its deadline; a missed one does not stop the next."""
    seats = {s["session_id"]: s["seats"] for s in sittings}
    sids = list(consoles)
    deadline = PHASE_DEADLINES

    async def power_cut() -> None:
        await fleet.call("disconnect", clock.limit(60))

    async def arrived() -> None:
        out["screens_missing_after_arrival"] = await _sync(clock, fleet, consoles, consoles)

    spread, together = cfg.arrive_spread_s, sids[: cfg.voting_together]
    phases = []
    if spread > 0:
        phases += [
            (
                "arrive_spread",
                deadline["arrive_spread"] + spread,
                lambda: _arrive(cfg, clock, fleet, out, "arrive_spread", spread, 200),
            ),
            (
                "check_in",
                deadline["check_in"],
                lambda: _settle(clock, consoles, seats, out, "check_in"),
            ),
            ("power cut", deadline["power cut"], power_cut),
        ]
    phases += [
        (
            "arrive_at_once",
            deadline["arrive_at_once"],
            lambda: _arrive(cfg, clock, fleet, out, "arrive_at_once", 0.0, cfg.connect_concurrency),
        ),
        (
            "check_in_again",
            deadline["check_in_again"],
            lambda: _settle(clock, consoles, seats, out, "check_in_again"),
        ),
        ("sync", deadline["sync"], arrived),
        (
            "agenda",
            deadline["agenda"],
            lambda: _agenda(cfg, clock, fleet, stack, consoles, triggers, out),
        ),
        (
            "vote_some",
            deadline["vote_some"],
            lambda: _vote(cfg, clock, fleet, stack, consoles, together, triggers, "vote_some", out),
        ),
        (
            "vote_all",
            deadline["vote_all"],
            lambda: _vote(cfg, clock, fleet, stack, consoles, sids, triggers, "vote_all", out),
        ),
    ]
    for name, seconds, body in phases:
        await watched(clock, out, name, seconds, body)


def _start(cfg: CityConfig, stack: Stack, machines: list, deadline: float) -> list:
    """The servers the screens connect to: the workers, or nginx in front of the hosts'."""
    if not machines:
        return start_workers(cfg, stack, deadline)
    for machine in machines:
        hosts.relay(stack, cfg, machine)
    workers = hosts.start_host_workers(cfg, stack, machines, deadline)
    return [hosts.start_nginx(cfg, stack, workers, deadline)]


# Each phase's deadline (s) at the scale; a phase past it is recorded as missed with
# what it saw, and the morning goes on (bench/clock.py).
PHASE_DEADLINES = {
    "arrive_spread": 240.0,  # plus the spread itself
    "check_in": 120.0,
    "power cut": 60.0,
    "arrive_at_once": 240.0,
    "check_in_again": 120.0,
    "sync": 90.0,
    "agenda": 240.0,
    "vote_some": 240.0,
    "vote_all": 360.0,
}


async def _city(cfg: CityConfig) -> dict:
    clock = Clock(cfg.timeout_s)
    out: dict = {"kind": "city", "label": cfg.label, "config": measure.config(cfg)}
    stack = Stack()
    fleet = None
    consoles: dict[int, Console] = {}
    triggers: dict[tuple[int, int], tuple[str, float]] = {}
    machines: list[hosts.Host] = []
    started = monotonic()
    try:
        if cfg.hosts:
            machines = await asyncio.to_thread(hosts.hosts_up, cfg.hosts)
        clock.phase = "quiet"
        waited = monotonic()
        out["machine_busy_before"] = await asyncio.to_thread(procstat.wait_quiet, cfg.quiet_wait_s)
        clock.deadline += monotonic() - waited
        clock.phase = "seed"
        sittings = await asyncio.to_thread(_seed, cfg)
        out["seed_s"] = monotonic() - started
        clock.phase = "start servers"
        out["source"] = await asyncio.to_thread(source_state)
        workers = await asyncio.to_thread(_start, cfg, stack, machines, clock.deadline)
        fleet = CityFleet(_targets(sittings, workers), cfg.client_procs, {"compression": True})
        await fleet.start()
        await fleet.call("ping", clock.limit(60))
        consoles = await _open_consoles(cfg, clock, sittings, workers)
        await _morning(cfg, clock, fleet, stack, consoles, sittings, triggers, out)
        clock.phase = "report"
        clock.allow_report()
        reports = await fleet.call("city_report", clock.limit(120) + 10)
        out["fanout"] = measure.fanout(triggers, reports)
        console_events = sum(1 for kind, _ in triggers.values() if kind == "agenda.current")
        per_delivered_frame(out, console_events)
        if "server_cpu_per_delivered_frame_us" in out.get("agenda", {}):
            out["cpu_per_delivered_frame_us"] = out["agenda"]["server_cpu_per_delivered_frame_us"]
        out["events"] = measure.sequences(reports, consoles)
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
    finally:
        clock.phase = "shutdown"
        await shutdown(None, fleet, stack)
        await asyncio.to_thread(hosts.hosts_down, machines)
        await asyncio.gather(*(c.close() for c in consoles.values()), return_exceptions=True)
        await asyncio.to_thread(cleanup, cfg)
        clock.phase = "end"
        out["phase_s"] = clock.phases
        out["wall_s"] = monotonic() - started
        out["run_dir"] = str(cfg.run_dir)
    return out
