"""Resolutions benchmark: a city's year — 169 councils, their resolutions, tasks, supervision
recommendations and consultations — and the pages people open: the overviews of the city and
of a commune (charts, drill-down, CSV/XLSX), the resolutions list (filtered, searched), the
tasks lists.

``python -m bench.resolutions [--per-council 30] [--requests 30] [--engine both|postgresql|
sqlite]`` (``make bench-resolutions``) seeds the rows in bulk (bench.resolutions_seed), then
times each page through Django's test client — the view, its queries and the template, no
network — as the city's Standing Committee, a commune's clerk and an agency's officer. Per
page: p50 / p95 / max of the wall time, and what one request costs in CPU (this process's:
the view, the template, SQLite's work; the PostgreSQL backend's) and statements — figures that
the other helpers' load on this machine moves much less than the wall time — with the
1-minute load average at the page's start and end. The shape is bench.engines': a process
per engine, each on its own database (PostgreSQL ``chamber_bench_resolutions``, dropped after
unless ``--keep-db``; SQLite in a temporary folder); a report goes to
bench/reports/resolutions-<time>.json.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable

from bench import engines
from bench.engines import timed

QUERIES = [
    "ngân sách",
    "ngan sach",
    "chống ngập",
    "chong ngap",
    "giao thông",
    "truong hoc",
    "quy hoạch sử dụng",
    "chuyen doi so",
    "NQ-HĐND",
    "15/NQ",
    "phí trông",
    "moi truong",
]
OVERVIEW = "/resolutions/overview/"


def _seed(args: argparse.Namespace):
    from bench.resolutions_seed import seed

    return seed(per_council=args.per_council, commune_count=args.communes)


def _facts(seeded, _args: argparse.Namespace) -> dict:
    from bench.source import source_state

    return {**seeded.counts, "commit": source_state()["commit"]}


def with_load(measure: Callable[[], dict]) -> Callable[[], dict]:
    """The measure, and the 1-minute load average when it started and ended."""

    def run() -> dict:
        start = os.getloadavg()[0]
        figures = measure()
        return {**figures, "load": [round(start, 2), round(os.getloadavg()[0], 2)]}

    return run


def _scenarios(seeded, args: argparse.Namespace) -> list:
    from django.test import Client

    from meeting.models import Agency

    city, clerk, officer = Client(), Client(), Client()
    city.force_login(seeded.standing)
    clerk.force_login(seeded.clerk)
    officer.force_login(seeded.officer)
    rng = random.Random(7)
    communes = [c.pk for c in seeded.communes]
    agencies = list(Agency.objects.filter(council=seeded.commune).values_list("pk", flat=True))
    city_pk = seeded.city.pk
    runs = [str(n) for n in range(args.requests)]
    few = runs[: max(3, args.requests // 6)]

    def get(client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)

    def page(client, url: Callable[[str], str] | str, queries: list[str] = runs):
        def one(n: str) -> None:
            get(client, url(n) if callable(url) else url)

        return with_load(lambda: timed(one, queries, warmup=3))

    def search(q: str) -> str:
        return f"/resolutions/?q={QUERIES[int(q) % len(QUERIES)]}"

    return [
        ("city overview (169 councils)", page(city, OVERVIEW)),
        (
            "city overview, one commune (drill-down)",
            page(city, lambda _n: f"{OVERVIEW}?council={rng.choice(communes)}"),
        ),
        ("commune overview (clerk)", page(clerk, OVERVIEW)),
        ("city tasks list, late", page(city, f"{OVERVIEW}?council={city_pk}&state=late")),
        (
            "city tasks list, late, page 10",
            page(city, f"{OVERVIEW}?council={city_pk}&state=late&page=10"),
        ),
        (
            "city recommendations, late",
            page(city, f"{OVERVIEW}?council={city_pk}&kind=recommendation&state=late"),
        ),
        (
            "commune tasks of one agency",
            page(clerk, lambda n: f"{OVERVIEW}?agency={agencies[int(n) % len(agencies)]}"),
        ),
        ("officer's tasks list", page(officer, "/resolutions/tasks/")),
        ("city resolutions list", page(city, "/resolutions/")),
        ("city resolutions list, page 50", page(city, "/resolutions/?page=50")),
        ("city resolutions list, amended", page(city, "/resolutions/?status=amended")),
        ("commune resolutions list (clerk)", page(clerk, "/resolutions/")),
        ("city search", page(city, search)),
        ("commune search", page(clerk, search)),
        (
            "city CSV, tasks by council",
            page(city, f"{OVERVIEW}?export=tasks-by-council&format=csv"),
        ),
        (
            "city XLSX, tasks by agency (all)",
            page(city, f"{OVERVIEW}?export=tasks-by-agency&format=xlsx"),
        ),
        ("commune CSV, tasks list", page(clerk, f"{OVERVIEW}?export=tasks&format=csv")),
        ("commune XLSX, tasks list", page(clerk, f"{OVERVIEW}?export=tasks&format=xlsx")),
        ("city CSV, every task", page(city, f"{OVERVIEW}?export=tasks&format=csv", few)),
        ("city XLSX, every task", page(city, f"{OVERVIEW}?export=tasks&format=xlsx", few)),
    ]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-council", type=int, default=30, help="resolutions a year")
    parser.add_argument("--communes", type=int, default=168, help="councils under the city")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")


def main(argv: list[str] | None = None) -> None:
    engines.main(
        name="resolutions",
        doc=__doc__,
        seed=_seed,
        scenarios=_scenarios,
        facts=_facts,
        arguments=_arguments,
        argv=argv,
        env=engines.PAGES_ENV,
        timeout=1800.0,
    )


if __name__ == "__main__":
    main()
