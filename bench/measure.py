"""What one run measured, from what the screens, the console, the processes and the database
hold: CPU over a phase, memory per connection, fan-out latency, sequence and ballot checks."""

from __future__ import annotations

import os
import time

from bench import procstat
from bench.console import Console
from bench.fleet import Fleet
from bench.screen import choice_for
from bench.servers import Stack
from bench.stats import add_counts, merge_lists, summary

monotonic = time.monotonic


def memory(stack: Stack, out: dict) -> None:
    after = stack.sample().rss
    connected = out["connect"]["connected"]
    before = out.pop("_rss_before")
    out["memory"] = {
        "server_rss_before_mb": before / 2**20,
        "server_rss_after_mb": after / 2**20,
        "per_connection_kb": (after - before) / max(1, connected) / 1024,
        "connections": connected,
    }


def cpu_snapshot(stack: Stack, fleet: Fleet) -> dict:
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


def cpu_delta(before: dict, after: dict) -> dict:
    wall = after["_at"] - before["_at"]
    delta = {k: after[k] - before[k] for k in before if not k.startswith("_")}
    delta["wall_s"] = wall
    total = after["_total"] - before["_total"]
    busy = after["_busy"] - before["_busy"]
    delta["machine_busy_fraction"] = busy / total if total else None
    # Whatever else ran on the machine meanwhile (other people's tests share these cores).
    delta["others_s"] = max(0.0, busy - sum(delta[k] for k in before if not k.startswith("_")))
    return delta


def fanout(triggers: dict, reports: list[dict], expected: int) -> dict:
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


def sequence_checks(reports: list[dict], console: Console) -> dict:
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


def progress(reports: list[dict], out: dict) -> None:
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


def projectors(reports: list[dict], out: dict) -> None:
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


def ballot_checks(out: dict, record: dict) -> None:
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
        "expected_counts": expected_counts(expected),
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


def expected_counts(indices: set[int]) -> dict:
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for index in indices:
        counts[choice_for(index)] += 1
    return counts


def per_delivered_frame(out: dict, console_events: int) -> None:
    """Server CPU of the agenda phase divided by the frames delivered: the agenda events each
    screen read (the fan-out's count) and those the console(s) read. The figure the floor is
    held to (≤ 1.5× the floor's); until the screens report, it assumed every frame arrived."""
    agenda = out.get("agenda") or {}
    cpu = (agenda.get("cpu") or {}).get("server")
    delivered = ((out.get("fanout") or {}).get("agenda.current") or {}).get("n", 0)
    delivered += console_events
    if cpu is None or not delivered:
        return
    agenda["frames_delivered"] = delivered
    agenda["server_cpu_per_delivered_frame_us"] = cpu / delivered * 1e6
