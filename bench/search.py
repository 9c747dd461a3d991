"""Search benchmark: a city's year of petitions and answers in the search index, queried the
way a clerk types, on PostgreSQL and on SQLite.

``python -m bench.search [--petitions 60000] [--answers 20000] [--queries 200]
[--engine both|postgresql|sqlite] [--compare-like]`` seeds 169 councils' petitions (Vietnamese-
like text, deterministic), then times ``search_find`` (limit 50, city-wide and one commune, with
and without a period) and ``search_ids`` counted, reporting p50 / p95 / max per scenario; with
``--compare-like`` also the scan it replaces (``LIKE '%word%'`` on the folded text, per word).
Each engine runs in a process of its own (Django is configured once per process), on its own
database (PostgreSQL ``chamber_bench_search``, dropped after; SQLite in a temporary folder).
A report goes to bench/reports/search-<time>.json.

For other benchmarks (petitions' lists), the pieces are functions: ``petition_texts``,
``sample_queries``, ``timed`` (p50 / p95 / max of a callable over queries) and
``seed_index``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.engines import run_child

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "bench" / "reports"
DB_NAME = "chamber_bench_search"
COUNCILS = 169  # the city and its 168 communes
PETITION, ANSWER = "bench.petition", "bench.answer"

# Words of voters' petitions, as people write them (with diacritics).
OPENINGS = ["Cử tri phản ánh", "Đề nghị", "Kiến nghị", "Cử tri đề nghị", "Người dân phản ánh"]
SUBJECTS = [
    "tình trạng ngập nước",
    "ô nhiễm môi trường",
    "sạt lở bờ sông",
    "đường xuống cấp",
    "chậm cấp giấy chứng nhận quyền sử dụng đất",
    "thiếu trường mầm non",
    "điện chiếu sáng",
    "rác thải sinh hoạt",
    "bồi thường giải phóng mặt bằng",
    "an ninh trật tự",
    "an toàn giao thông",
    "nước sạch",
    "bảo hiểm y tế",
    "trợ cấp xã hội",
    "xây dựng trái phép",
    "lấn chiếm vỉa hè",
    "tiếng ồn karaoke",
    "quy hoạch treo",
    "cấp phép xây dựng",
    "kênh rạch bồi lắng",
    "cây xanh đổ ngã",
    "chợ tạm",
    "học phí",
    "khám chữa bệnh",
]
PLACES = [
    "ấp Bình An",
    "khu phố 3",
    "tổ dân phố 12",
    "đường Nguyễn Văn Linh",
    "hẻm 45",
    "xã Tân Thạnh Đông",
    "phường Hiệp Bình",
    "ấp Đông Lân",
    "kênh Tham Lương",
    "chợ Bà Điểm",
    "đường Lê Văn Lương",
    "khu tái định cư Thủ Thiêm",
    "ấp 7",
    "cầu Rạch Đỉa",
]
REQUESTS = [
    "sớm khắc phục",
    "kiểm tra, xử lý dứt điểm",
    "bố trí kinh phí sửa chữa",
    "có phương án giải quyết",
    "trả lời cho cử tri",
    "tăng cường quản lý",
    "đẩy nhanh tiến độ",
]
ANSWERS = [
    "UBND đã chỉ đạo phòng Tài nguyên và Môi trường kiểm tra",
    "Sở Giao thông vận tải đã bố trí vốn duy tu",
    "Văn phòng đăng ký đất đai đang thẩm định hồ sơ",
    "Công an phường đã tăng cường tuần tra",
    "Đã đưa vào kế hoạch đầu tư công trung hạn 2026-2030",
]
QUERY_WORDS = [
    "ngap nuoc",
    "ô nhiễm",
    "sat lo",
    "giay chung nhan",
    "mam non",
    "rac thai",
    "boi thuong",
    "an ninh",
    "an toan giao thong",
    "nuoc sach",
    "bao hiem y te",
    "lan chiem via he",
    "karaoke",
    "quy hoach",
    "kenh",
    "binh an",
    "nguyen van linh",
    "thu thiem",
    "tham luong",
    "ngap",
    "giai phong mat",
    "cay xanh",
    "hoc phi",
    "dat dai",
    "cau rach dia",
    "xay dung",
    "kinh phí",
    "tuần tra",
    "đông lân",
    "khu pho 3",
    "ấp 7",
]


def petition_texts(count: int, *, seed: int = 14) -> Iterator[str]:
    """``count`` petitions of Vietnamese-like text, the same for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        subjects = rng.sample(SUBJECTS, rng.randint(1, 2))
        yield (
            f"{rng.choice(OPENINGS)} {' và '.join(subjects)} tại {rng.choice(PLACES)}, "
            f"đề nghị các cơ quan {rng.choice(REQUESTS)}. {rng.choice(REQUESTS).capitalize()} "
            f"trong năm {rng.choice([2025, 2026])}."
        )


def answer_texts(count: int, *, seed: int = 15) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield f"{rng.choice(ANSWERS)} về {rng.choice(SUBJECTS)} tại {rng.choice(PLACES)}."


def sample_queries(count: int, *, seed: int = 16) -> list[str]:
    """What clerks type: one to three words, with or without diacritics, the last one often
    unfinished."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        query = rng.choice(QUERY_WORDS)
        if rng.random() < 0.3:
            query = query[: max(2, len(query) - rng.randint(1, 3))]  # still typing
        queries.append(query)
    return queries


def timed(run: Callable[[str], object], queries: list[str], *, warmup: int = 5) -> dict:
    """p50 / p95 / max in milliseconds of ``run(query)`` over ``queries`` (after a warm-up)."""
    for query in queries[:warmup]:
        run(query)
    took = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    return {
        "queries": len(took),
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[max(0, int(len(took) * 0.95) - 1)], 2),
        "max_ms": round(took[-1], 2),
    }


def seed_index(*, petitions: int, answers: int, councils: int = COUNCILS) -> None:
    """Fill the search index (Django configured) with petitions and answers of ``councils``
    councils over one year."""
    from search.services import Indexed, search_index_update_many

    start = date(2026, 1, 1)

    def items(kind: str, texts: Iterator[str]) -> Iterator[Indexed]:
        for number, text in enumerate(texts, start=1):
            yield Indexed(
                kind=kind,
                object_id=number,
                council_id=1 + number % councils,
                period=start + timedelta(days=number % 365),
                text=text,
            )

    batch: list[Indexed] = []
    for item in [
        *items(PETITION, petition_texts(petitions)),
        *items(ANSWER, answer_texts(answers)),
    ]:
        batch.append(item)
        if len(batch) == 5000:
            search_index_update_many(items=batch, batch_size=5000)
            batch = []
    search_index_update_many(items=batch, batch_size=5000)


def _measure(args: argparse.Namespace) -> dict:
    """In the child process: migrate, seed, time each scenario."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from search.models import Entry
    from search.selectors import search_find, search_ids, search_words

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    seed_index(petitions=args.petitions, answers=args.answers)
    seeded_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")
    queries = sample_queries(args.queries)
    kinds = [PETITION, ANSWER]
    commune = [42]
    quarter = {"period_from": date(2026, 4, 1), "period_to": date(2026, 6, 30)}
    scenarios = {
        "city, 50 newest": lambda q: search_find(kinds=kinds, query=q, limit=50),
        "one commune, 50 newest": lambda q: search_find(
            kinds=kinds, query=q, council_ids=commune, limit=50
        ),
        "city, a quarter, 50 newest": lambda q: search_find(
            kinds=kinds, query=q, limit=50, **quarter
        ),
        "city, count of petitions": lambda q: Entry.objects.filter(
            kind=PETITION, object_id__in=search_ids(kind=PETITION, query=q)
        ).count(),
    }
    if args.compare_like:

        def like(query: str) -> list:
            rows = Entry.objects.filter(kind__in=kinds)
            for word in search_words(query):
                rows = rows.filter(text__contains=word)
            return list(rows.order_by("-period", "kind", "-object_id")[:50])

        scenarios["before: LIKE '%word%' scan, city, 50 newest"] = like
    counts = [len(search_find(kinds=kinds, query=q, limit=100_000)) for q in queries[:20]]
    return {
        "engine": connection.vendor,
        "rows": Entry.objects.count(),
        "seeded_s": round(seeded_s, 1),
        "median_matches": statistics.median(counts),
        "scenarios": {name: timed(run, queries) for name, run in scenarios.items()},
    }


def _child(engine: str, args: argparse.Namespace, workdir: Path) -> dict:
    return run_child(
        module="bench.search",
        engine=engine,
        db_name=DB_NAME,
        workdir=workdir,
        timeout=args.timeout,
        keep_db=args.keep_db,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--petitions", type=int, default=60_000)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engine", choices=["both", "postgresql", "sqlite"], default="both")
    parser.add_argument("--compare-like", action="store_true", help="also time the LIKE scan")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per engine")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        print(json.dumps(_measure(args)))
        return
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir:
        results = [_child(engine, args, Path(workdir)) for engine in engines]
    for result in results:
        print(
            f"\n{result['engine']}: {result['rows']:,} entries, seeded in {result['seeded_s']} s,"
            f" median {result['median_matches']} matches per query (first 20 queries)"
        )
        print(f"  {'scenario':<46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, t in result["scenarios"].items():
            print(f"  {name:<46} {t['p50_ms']:>8} {t['p95_ms']:>8} {t['max_ms']:>8}")
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / time.strftime("search-%Y%m%d-%H%M%S.json", time.gmtime())
    path.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"\nreport: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
