"""The issue's targets for the one-chamber run: PASS or MISS, by how much, beside the floor's
figure from the same invocation (the city's are in bench/city/main.py)."""

from __future__ import annotations

from bench.config import TARGETS
from bench.phases import COMMANDED_EVENTS as COMMANDED
from bench.profile import top_self
from bench.stats import ratio


def _get(d: dict | None, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _target(
    name: str, value, limit, *, unit: str = "", note: str = "", floor=None, phase: str = ""
) -> dict:
    """One target: PASS or MISS, by how much (× the limit, and the seconds over or under for
    a time), the floor's figure from the same invocation where there is one. A figure never
    measured is a MISS (the phase that should have measured it did not get there), unless
    it needs a floor that this invocation did not run."""
    row = {"target": name, "limit": limit, "value": value, "unit": unit, "floor": floor}
    row["note"], row["phase"] = note, phase
    if value is None:
        no_floor = "no floor" in note
        row["verdict"] = "n/a" if no_floor else "MISS"
        row["by"] = "not measured"
        return row
    row["verdict"] = "PASS" if value <= limit else "MISS"
    if value == float("inf"):
        row["by"] = "never reached"
    elif limit:
        row["by"] = f"{value / limit:.2f}× the limit"
        if unit.strip() == "s":
            row["by"] += f", {value - limit:+.2f} s"
    else:
        row["by"] = f"{value} over" if value else "exact"
    return row


def _vs(value, floor, unit: str) -> str:
    shown = "-" if value is None else f"{value:.1f}{unit}"
    return f"{shown} vs the floor's {floor:.1f}{unit}" if floor is not None else shown


def evaluate(run: dict, floor: dict | None) -> list[dict]:
    """The issue's targets for one Chamber run (meant for N = 5,000). A run that failed
    half-way is judged on what it measured; what it never reached is a MISS."""
    worst_type, worst = None, None
    for kind in COMMANDED:
        p99 = _get(run, "fanout", kind, "p99")
        if p99 is not None and (worst is None or p99 > worst):
            worst_type, worst = kind, p99
    missing_kinds = [k for k in COMMANDED if _get(run, "fanout", k, "p99") is None]
    if missing_kinds:
        worst = float("inf")
        worst_type = f"never measured: {', '.join(missing_kinds)}"
    ballots = run.get("ballots") or {}
    all_acked = ballots.get("all_acked_after_first_cast_s")
    if ballots.get("acked", 0) < ballots.get("tablets", 1):
        all_acked = float("inf")
    checks = run.get("ballot_checks") or {}
    events = run.get("events") or {}
    lost_dup = None
    if checks and events:
        lost_dup = (
            checks["lost"]
            + checks["duplicated"]
            + events["gaps"]
            + events["duplicates_or_out_of_order"]
            + events["screens_not_at_final_seq"]
        )
    projectors = run.get("result_on_projectors") or {}
    to_result = _get(projectors, "close_to_result_s", "max")
    if projectors.get("received", 0) < projectors.get("projectors", 1):
        to_result = float("inf")
    floor_p50 = _get(floor, "fanout", "agenda.current", "p50")
    frame = _get(run, "agenda", "server_cpu_per_delivered_frame_us")
    floor_frame = _get(floor, "agenda", "server_cpu_per_delivered_frame_us")
    no_floor = "no floor in this run" if floor is None or not floor.get("ok") else ""
    connect = run.get("connect") or {}
    all_connected = connect.get("all_connected_s")
    if connect.get("connected", 0) < connect.get("screens", 1):
        all_connected = float("inf")
    targets = [
        _target(
            "all connected + snapshot",
            all_connected,
            TARGETS["all_connected_s"],
            unit=" s",
            note=f"{connect.get('connected', 0)}/{connect.get('screens', 0)} screens",
            floor=_get(floor, "connect", "all_connected_s"),
            phase="connect",
        ),
        _target(
            "live progress age p99",
            _get(run, "fanout", "poll.progress", "p99"),
            TARGETS["progress_age_p99_s"],
            unit=" s",
            note="receipt minus the acknowledgement of the last ballot it counts",
            phase="vote",
        ),
        _target(
            "fan-out p99 (worst event type)",
            worst,
            TARGETS["fanout_p99_s"],
            unit=" s",
            note=f"worst: {worst_type}",
            floor=_get(floor, "fanout", "agenda.current", "p99"),
            phase="agenda",
        ),
        _target(
            "all ballots acknowledged (after the first cast)",
            all_acked,
            TARGETS["all_ballots_acked_s"],
            unit=" s",
            note=f"{ballots.get('acked', 0)}/{run['config']['tablets']} acked",
            phase="vote",
        ),
        _target(
            "lost or duplicated (ballots and events)",
            lost_dup,
            TARGETS["lost_or_duplicated"],
            note=(
                f"ballots lost {checks.get('lost')}, duplicated {checks.get('duplicated')}; "
                f"events missed {events.get('gaps')}, repeated "
                f"{events.get('duplicates_or_out_of_order')}; "
                f"({checks.get('unacknowledged_on_record')} ballots counted but not "
                "acknowledged in time)"
            ),
            floor=_get(floor, "events", "gaps"),
        ),
        _target(
            "result on every projector after close",
            to_result,
            TARGETS["close_to_result_on_projectors_s"],
            unit=" s",
            note=f"{projectors.get('received', 0)}/{run['config']['projectors']} projectors",
            phase="vote",
        ),
        _target(
            "server memory per connection",
            _get(run, "memory", "per_connection_kb"),
            TARGETS["server_memory_per_connection_kb"],
            unit=" kB",
            floor=_get(floor, "memory", "per_connection_kb"),
            phase="connect",
        ),
        _target(
            "fan-out p50 vs the floor (agenda.current)",
            ratio(_get(run, "fanout", "agenda.current", "p50"), floor_p50),
            TARGETS["fanout_p50_vs_floor"],
            unit="×",
            note=no_floor,
            floor=floor_p50,
            phase="agenda",
        ),
        _target(
            "server CPU per delivered frame vs the floor (agenda)",
            ratio(frame, floor_frame),
            TARGETS["cpu_per_frame_vs_floor"],
            unit="×",
            note=no_floor or _vs(frame, floor_frame, " µs"),
            floor=floor_frame,
            phase="agenda",
        ),
    ]
    profiles = run.get("profiles") or []
    for row in targets:
        phase_files = [f for f in profiles if f"profile-{row['phase']}-" in f]
        if row["verdict"] == "MISS" and phase_files:
            row["next"] = top_self(phase_files)
    if not run.get("ok"):
        targets.insert(
            0,
            {
                "target": "run completed",
                "verdict": "MISS",
                "note": f"{run.get('failed_phase')}: {run.get('error')}",
            },
        )
    return targets
