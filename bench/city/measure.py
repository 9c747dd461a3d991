"""The city's figures and checks, from what the screens, the consoles and the database hold."""

from __future__ import annotations

from bench.screen import choice_for
from bench.stats import add_counts, summary


def config(cfg) -> dict:
    return {
        "sittings": cfg.sittings,
        "communes": cfg.communes,
        "commune_seats": cfg.commune_seats,
        "city_seats": cfg.city_seats,
        "tablets": cfg.tablets,
        "screens": cfg.tablets + 2 * cfg.sittings,  # and a projector and a console each
        "workers": cfg.workers,
        "hosts": cfg.hosts,
        "server": cfg.server,
        "layer": cfg.layer,
        "client_procs": cfg.client_procs,
        "arrive_spread_s": cfg.arrive_spread_s,
        "voting_together": cfg.voting_together,
        "cast_spread_s": cfg.cast_spread_s,
    }


def arrivals(answers: list[dict], started: float, spread: float) -> dict:
    screens = sum(a["connected"] for a in answers) + sum(
        sum(a["failures"].values()) for a in answers
    )
    connected = sum(a["connected"] for a in answers)
    last = max((a["last_snapshot"] for a in answers if a["last_snapshot"]), default=None)
    return {
        "screens": screens,
        "connected": connected,
        "failures": add_counts(a["failures"] for a in answers),
        "attempts_failed": add_counts(a["attempts_failed"] for a in answers),
        "spread_s": spread,
        "all_connected_s": (last - started) if last and connected == screens else None,
        "per_connection_s": summary(x for a in answers for x in a["latencies"]),
    }


def votes(casts: list[dict], start_at: float, polls: dict, records: dict, cpu: dict) -> dict:
    """Per sitting: all acknowledged how long after the first cast; lost and duplicated."""
    acks = [a for c in casts for a in c["acks"]]
    by_sitting: dict[int, list] = {}
    for ack in acks:
        by_sitting.setdefault(ack[4], []).append(ack)
    all_acked = []
    lost = duplicated = unacknowledged = wrong_counts = 0
    for sid in polls:
        mine = by_sitting.get(sid, [])
        if mine:
            all_acked.append(max(a[2] for a in mine) - min(a[1] for a in mine))
        receipts = {a[3] for a in mine}
        record = records[sid]
        on_record = set(record["receipts"])
        lost += len(receipts - on_record)
        unacknowledged += len(on_record - receipts)
        duplicated += max(0, len(record["receipts"]) - len(on_record)) + max(
            0, record["participations"] - record["participating_delegates"]
        )
        expected = {"yes": 0, "no": 0, "abstain": 0}
        for ack in mine:
            expected[choice_for(ack[0])] += 1
        if record["result_counts"] != expected or record["result_ballots"] != len(mine):
            wrong_counts += 1
    return {
        "acked": len(acks),
        "errors": add_counts(c["errors"] for c in casts),
        "ack_latency_s": summary(a[2] - a[1] for a in acks),
        "sitting_all_acked_after_first_cast_s": summary(all_acked),
        "lost": lost,
        "duplicated": duplicated,
        "unacknowledged_on_record": unacknowledged,
        "sittings_with_wrong_result": wrong_counts,
        "server_cpu_per_ballot_ms": cpu["server"] / max(1, len(acks)) * 1000,
        "cpu": cpu,
    }


def fanout(triggers: dict, reports: list[dict]) -> dict:
    """Console send → each screen's receipt, by event type; p99 per sitting and overall."""
    receipts: dict[tuple[int, int], list[float]] = {}
    screens: dict[int, int] = {}
    for report in reports:
        for sitting in report["sitting"].values():
            screens[sitting] = screens.get(sitting, 0) + 1
    for report in reports:
        for index, events in report["seen"].items():
            sitting = report["sitting"][index]
            for seq, _kind, _key, at in events:
                if (sitting, seq) in triggers:
                    receipts.setdefault((sitting, seq), []).append(at)
    out = {}
    for kind in sorted({k for k, _ in triggers.values()}):
        latencies: list[float] = []
        per_sitting: dict[int, list[float]] = {}
        undelivered = 0
        for (sitting, seq), (k, sent) in triggers.items():
            if k != kind:
                continue
            values = [t - sent for t in receipts.get((sitting, seq), [])]
            undelivered += screens.get(sitting, 0) - len(values)
            latencies.extend(values)
            per_sitting.setdefault(sitting, []).extend(values)
        p99s = [summary(v)["p99"] for v in per_sitting.values() if v]
        out[kind] = {
            **summary(latencies),
            "events": sum(1 for k, _ in triggers.values() if k == kind),
            "worst_sitting_p99": max(p99s, default=None),
            "undelivered": undelivered,
        }
    return out


def sequences(reports: list[dict], consoles: dict) -> dict:
    """Each screen saw its console's events after its snapshot, in order, and nothing else."""
    truth = {
        sid: {frame["seq"]: (frame["type"], _owned(frame)) for _, frame in console.events}
        for sid, console in consoles.items()
    }
    owners = {key: sid for sid, events in truth.items() for _, key in events.values() if key}
    foreign = wrong = behind = 0
    for report in reports:
        for index, events in report["seen"].items():
            sitting = report["sitting"][index]
            mine = truth.get(sitting, {})
            for seq, kind, key, _at in events:
                if key is not None and owners.get(key, sitting) != sitting:
                    foreign += 1
                elif mine.get(seq, (kind, key)) != (kind, key):
                    wrong += 1
        for index, seq in report["final_seq"].items():
            console = consoles.get(report["sitting"][index])
            if seq is not None and console is not None and seq != console.seq:
                behind += 1
    return {
        "screens": sum(len(r["final_seq"]) for r in reports),
        "events_of_another_sitting": foreign,
        "events_unlike_the_console": wrong,
        "gaps": sum(r["gaps"] for r in reports) + sum(c.gaps for c in consoles.values()),
        "duplicates_or_out_of_order": sum(r["repeats"] for r in reports),
        "events_before_snapshot": sum(r["early"] for r in reports),
        "screens_not_at_final_seq": behind,
        "dropped_connections": add_counts(r["dropped"] for r in reports),
        "unexpected_frames": add_counts(r["unexpected"] for r in reports),
        "client_cpu_s": sum(r["cpu_s"] for r in reports),
    }


def _owned(frame: dict) -> str | None:
    from bench.city.screens import owned

    return owned(frame.get("data") or {})
