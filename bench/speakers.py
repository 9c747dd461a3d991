"""The request storm: the first ``--requesters`` tablets (200 by default; 0: every tablet) ask
for the floor within one second (issue 12).

Measured like the vote storm beside it: each request's acknowledgement, the time until the
last was acknowledged, requests per second, the server's CPU per request, and how long the
console took to hear the whole line (one ``floor.changed`` per request, each carrying the line).
Checked against the database: one waiting request per acknowledgement, each place given once,
the places in the order the requests committed.
"""

from __future__ import annotations

import asyncio
from time import monotonic

import psycopg

from bench.stats import summary


def _line(changes: list[dict]) -> list[int]:
    """The line as the console has it: each event's requests put in place or taken out."""
    waiting: dict[int, dict] = {}
    for frame in changes:
        for request in frame["data"]["list"]["requests"]:
            waiting.pop(request["id"], None)
            if request["status"] == "waiting":
                waiting[request["id"]] = request
    return [r["id"] for r in sorted(waiting.values(), key=lambda r: (r["rank"], r["position"]))]


def requests_on_record(cfg, session_id: int) -> dict:
    with psycopg.connect(cfg.database_url(), connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT r.id, r.position FROM floor_request r JOIN floor_speakerlist l "
            "ON l.id = r.speaker_list_id WHERE l.session_id = %s AND r.status = 'waiting' "
            "ORDER BY r.rank, r.position",
            [session_id],
        ).fetchall()
    return {"ids": [row[0] for row in rows], "positions": [row[1] for row in rows]}


async def request_storm(
    cfg, clock, console, fleet, stack, out, *, session_id: int, cpu_snapshot, cpu_delta
) -> None:
    clock.phase = "requests"
    cpu_before = cpu_snapshot(stack, fleet)
    since = len(console.events)
    start_at = monotonic() + 0.3
    requesters = cfg.storm_requesters
    timeout = clock.limit(max(60.0, requesters / 25))
    asks = await fleet.call(
        "request",
        timeout + cfg.cast_spread_s + 15,
        start_at=start_at,
        spread=cfg.cast_spread_s,
        total=requesters,
        timeout=timeout,
    )
    acks = [a for c in asks for a in c["acks"]]
    errors: dict[str, int] = {}
    for c in asks:
        for code, count in c["errors"].items():
            errors[code] = errors.get(code, 0) + count
    sent_times = [a[1] for a in acks]
    ack_times = sorted(a[2] for a in acks)
    storm = out["requests"] = {
        "tablets": requesters,
        "acked": len(acks),
        "errors": errors,
        "ack_latency_s": summary(a[2] - a[1] for a in acks),
        "all_acked_after_first_request_s": (ack_times[-1] - start_at) if ack_times else None,
        "requests_per_s": (
            len(acks) / (ack_times[-1] - min(sent_times)) if len(ack_times) > 1 else None
        ),
    }
    try:
        received, _ = await console.wait_event(
            lambda f: (
                f["type"] == "floor.changed"
                and f["data"]["list"] is not None
                and f["data"]["list"]["waiting_count"] >= len(acks)
            ),
            clock.limit(30),
            since,
        )
        storm["console_saw_whole_line_after_first_request_s"] = received - start_at
        changes = [f for _, f in console.events[since:] if f["type"] == "floor.changed"]
        storm["floor_events"] = len(changes)
        line = _line(changes)
    except TimeoutError:
        storm["console_saw_whole_line_after_first_request_s"] = None
        line = []
    storm["cpu"] = cpu = cpu_delta(cpu_before, cpu_snapshot(stack, fleet))
    storm["server_cpu_per_request_ms"] = cpu["server"] / max(1, len(acks)) * 1000
    await fleet.call("wait_seq", clock.limit(30) + 10, seq=console.seq, timeout=clock.limit(20))
    record = await asyncio.to_thread(requests_on_record, cfg, session_id)
    places = sorted(a[4] for a in acks)
    by_place = [a[3] for a in sorted(acks, key=lambda a: a[4])]
    out["request_checks"] = checks = {
        "on_record": len(record["ids"]),
        "places_distinct": len(set(places)) == len(places),
        "places_are_1_to_n": places == list(range(1, len(places) + 1)),
        "order_matches_database": by_place == record["ids"],
        "console_line_matches_database": line == record["ids"],
        "positions_unique": len(set(record["positions"])) == len(record["positions"]),
    }
    checks["ok"] = checks["on_record"] == len(acks) == requesters and all(
        v for k, v in checks.items() if k not in ("on_record", "ok")
    )
    if not checks["ok"]:
        out.setdefault("problems", []).append(f"request storm: {checks}")
