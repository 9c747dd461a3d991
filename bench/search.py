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
``sample_queries`` and ``seed_index``; the timer is ``bench.engines.timed``.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Iterator
from datetime import date, timedelta

from bench import engines
from bench.engines import timed  # the benchmarks' timer; tests import it from here too

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


def _seed(args: argparse.Namespace) -> None:
    seed_index(petitions=args.petitions, answers=args.answers)


def _facts(_state: None, args: argparse.Namespace) -> dict:
    from search.models import Entry
    from search.selectors import search_find

    kinds = [PETITION, ANSWER]
    counts = [len(search_find(kinds=kinds, query=q, limit=100_000)) for q in sample_queries(20)]
    return {"rows": Entry.objects.count(), "median_matches": statistics.median(counts)}


def _scenarios(_state: None, args: argparse.Namespace) -> list:
    from search.models import Entry
    from search.selectors import search_find, search_ids, search_words

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
    return [(name, lambda run=run: timed(run, queries)) for name, run in scenarios.items()]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--petitions", type=int, default=60_000)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--compare-like", action="store_true", help="also time the LIKE scan")


def main(argv: list[str] | None = None) -> None:
    engines.main(
        name="search",
        doc=__doc__,
        seed=_seed,
        scenarios=_scenarios,
        facts=_facts,
        arguments=_arguments,
        argv=argv,
        timeout=900.0,
    )


if __name__ == "__main__":
    main()
