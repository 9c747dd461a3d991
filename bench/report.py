"""Targets (PASS / MISS and by how much), the printed tables and the JSON report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from bench.config import REPORTS
from bench.targets import _get, evaluate

# -- printing ---------------------------------------------------------------------------------


def _ms(value) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def _s(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _num(value, fmt: str = "{:.1f}") -> str:
    return "-" if value is None else fmt.format(value)


def _lat(run: dict, kind: str) -> str:
    f = _get(run, "fanout", kind)
    if not f:
        return "-"
    return f"{_ms(f['p50'])}/{_ms(f['p95'])}/{_ms(f['p99'])}/{_ms(f['max'])}"


def _pair(run: dict, *path) -> str:
    figures = _get(run, *path)
    return "-" if not figures else f"{_ms(figures['p50'])}/{_ms(figures['p99'])}"


def _counts(run: dict, section: str, *keys: str) -> str:
    if not run.get(section):
        return "-"
    return "/".join(str(_get(run, section, key)) for key in keys)


ROWS: list[tuple[str, Callable[[dict], str]]] = [
    ("connected / screens", lambda r: _counts(r, "connect", "connected", "screens")),
    ("all connected + snapshot (s)", lambda r: _s(_get(r, "connect", "all_connected_s"))),
    ("per-connection p50/p99 (ms)", lambda r: _pair(r, "connect", "per_connection_s")),
    ("agenda.current p50/p95/p99/max (ms)", lambda r: _lat(r, "agenda.current")),
    ("poll.opened p50/p95/p99/max (ms)", lambda r: _lat(r, "poll.opened")),
    ("poll.progress age p50/p95/p99/max (ms)", lambda r: _lat(r, "poll.progress")),
    ("poll.closed p50/p95/p99/max (ms)", lambda r: _lat(r, "poll.closed")),
    ("poll.published p50/p95/p99/max (ms)", lambda r: _lat(r, "poll.published")),
    ("ballot ack p50/p99 (ms)", lambda r: _pair(r, "ballots", "ack_latency_s")),
    (
        "all ballots acked after 1st cast (s)",
        lambda r: _s(_get(r, "ballots", "all_acked_after_first_cast_s")),
    ),
    ("ballots per second", lambda r: _num(_get(r, "ballots", "ballots_per_s"), "{:.0f}")),
    # The request storm (bench/speakers.py), beside the vote storm.
    ("floor request ack p50/p99 (ms)", lambda r: _pair(r, "requests", "ack_latency_s")),
    (
        "all requests acked after 1st (s)",
        lambda r: _s(_get(r, "requests", "all_acked_after_first_request_s")),
    ),
    ("requests per second", lambda r: _num(_get(r, "requests", "requests_per_s"), "{:.0f}")),
    (
        "console had the whole line after 1st (s)",
        lambda r: _s(_get(r, "requests", "console_saw_whole_line_after_first_request_s")),
    ),
    (
        "request places distinct, in commit order",
        lambda r: str(_get(r, "request_checks", "ok", default="–")),
    ),
    (
        "server CPU per request (ms)",
        lambda r: _num(_get(r, "requests", "server_cpu_per_request_ms")),
    ),
    (
        "close -> result on projectors max (s)",
        lambda r: _s(_get(r, "result_on_projectors", "close_to_result_s", "max")),
    ),
    ("ballots lost / duplicated", lambda r: _counts(r, "ballot_checks", "lost", "duplicated")),
    (
        "event gaps / repeats / behind",
        lambda r: _counts(
            r, "events", "gaps", "duplicates_or_out_of_order", "screens_not_at_final_seq"
        ),
    ),
    ("server memory per connection (kB)", lambda r: _num(_get(r, "memory", "per_connection_kb"))),
    (
        "server CPU per agenda event (ms)",
        lambda r: _num(_get(r, "agenda", "server_cpu_per_event_ms")),
    ),
    (
        "server CPU per delivered frame (us)",
        lambda r: _num(_get(r, "agenda", "server_cpu_per_delivered_frame_us")),
    ),
    ("server CPU per ballot (ms)", lambda r: _num(_get(r, "ballots", "server_cpu_per_ballot_ms"))),
    (
        "machine busy / others' CPU, agenda",
        lambda r: (
            f"{_num(_get(r, 'agenda', 'cpu', 'machine_busy_fraction'), '{:.0%}')}"
            f" / {_num(_get(r, 'agenda', 'cpu', 'others_s'))}s"
        ),
    ),
]


def table(runs: list[dict]) -> str:
    headers = ["", *(_short(r) + ("" if r.get("ok") else " (FAILED)") for r in runs)]
    rows = [headers]
    for name, getter in ROWS:
        cells = [name]
        for run in runs:
            try:
                cells.append(getter(run))
            except Exception:  # noqa: BLE001 - a missing figure prints as "-"
                cells.append("-")
        rows.append(cells)
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def _short(run: dict) -> str:
    c = run.get("config", {})
    if run.get("kind") == "floor":
        return "floor"
    server = c.get("server", "?")
    if server == "uvicorn" and c.get("uvicorn_ws") not in (None, "websockets"):
        server = f"uvicorn/{c['uvicorn_ws']}"
    if server.startswith("uvicorn") and c.get("uvicorn_deflate") is False:
        server += "/no-deflate"
    return f"{server}+{c.get('layer')} K={c.get('workers')}"


def targets_text(targets: list[dict]) -> str:
    lines = []
    for t in targets:
        if "limit" not in t:  # a line without a figure: the run itself
            lines.append(f"  {t['verdict']:<4}  {t['target']}: {t.get('note') or ''}".rstrip())
            continue
        value = t.get("value")
        shown = "-" if value is None else (f"{value:.3g}" if isinstance(value, float) else value)
        unit = t.get("unit", "")
        floor = t.get("floor")
        floor_unit = "" if unit == "×" else unit
        beside = "" if floor is None else f"; floor {_short_number(floor)}{floor_unit}"
        line = (
            f"  {t['verdict']:<4}  {t['target']}: {shown}{unit} "
            f"(limit {t.get('limit')}{unit}; {t.get('by', '')}{beside}) {t.get('note') or ''}"
        )
        lines.append(line.rstrip())
        if t.get("next"):
            lines.append(f"        profile, most samples of their own: {'; '.join(t['next'])}")
    return "\n".join(lines)


def _short_number(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def write(report: dict, directory: Path = REPORTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}.json"
    text = json.dumps(report, indent=1, default=str)
    tmp = directory / f"{stamp}.json.tmp"
    tmp.write_text(text)
    tmp.replace(path)
    latest_tmp = directory / "latest.json.tmp"
    latest_tmp.write_text(text)
    latest_tmp.replace(directory / "latest.json")
    return path


def show(path: Path) -> str:
    """The tables of a saved report (``python -m bench.report bench/reports/latest.json``)."""
    report = json.loads(Path(path).read_text())
    runs = [r for r in [report.get("floor"), *report["runs"]] if r]
    parts = [f"{report['command']}  ({report['started']})", "", table(runs)]
    for run in report["runs"]:
        targets = evaluate(run, report.get("floor"))
        parts += ["", f"targets, {run['label']}:", targets_text(targets)]
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    print(show(Path(sys.argv[1] if len(sys.argv) > 1 else REPORTS / "latest.json")))
