"""Petitions benchmark: a city's year — 169 councils, 60,000 petitions, 20,000 answers — and
the pages people open: the lists (city and one commune), filters, search, the overviews.

``python -m bench.petitions [--petitions 60000] [--answers 20000] [--requests 40]
[--engine both|postgresql|sqlite]`` seeds the rows in bulk (straight into the tables and the
search index: the services' chain would take hours at this size and is not what is measured),
then times each page through Django's test client — the view, its queries and the template,
no network — as the city's Standing Committee (sees every commune) and as a commune's clerk,
p50 / p95 / max per scenario and what one request costs in CPU (this process's, PostgreSQL's
backend's) and statements. The search text and the query words are bench.search's
(``petition_texts``, ``answer_texts``, ``sample_queries``); the shape is bench.engines': each
engine runs in a process of its own on its own database (PostgreSQL
``chamber_bench_petitions``, dropped after unless ``--keep-db``; SQLite in a temporary
folder). A report goes to bench/reports/petitions-<time>.json.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import date, timedelta

from bench import engines
from bench.engines import timed
from bench.search import answer_texts, petition_texts, sample_queries

COMMUNES = 168
FIELDS = [
    "Đất đai",
    "Xây dựng",
    "Môi trường",
    "Giao thông",
    "Xã hội",
    "Y tế",
    "Giáo dục",
    "An ninh",
]
AGENCIES = ["UBND", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Công an", "Sở Xây dựng"]


def seed(*, petitions: int, answers: int) -> dict:
    """The city, its communes, their lists, the petitions and the search index (bulk)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from meeting.models import Agency, Council
    from meeting.roles import membership_grant, sync_role_groups
    from petitions.models import Field, Petition, Status
    from petitions.search_index import ANSWER, PETITION
    from search.services import Indexed, search_index_update_many

    rng = random.Random(14)
    start = date.today() - timedelta(days=365)
    sync_role_groups()
    with transaction.atomic():
        city = Council.objects.create(name="HĐND Thành phố", level="city", seats=125)
        communes = Council.objects.bulk_create(
            Council(name=f"HĐND Phường {n:03d}", level="ward", seats=30, parent=city)
            for n in range(1, COMMUNES + 1)
        )
        councils = [city, *communes]
        fields = Field.objects.bulk_create(
            Field(council=c, name=name) for c in councils for name in FIELDS
        )
        agencies = Agency.objects.bulk_create(
            Agency(council=c, name=name) for c in councils for name in AGENCIES
        )
        fields_of = {c.pk: [f for f in fields if f.council_id == c.pk] for c in councils}
        agencies_of = {c.pk: [a for a in agencies if a.council_id == c.pk] for c in councils}
        texts, replies = petition_texts(petitions), answer_texts(answers)
        rows = []
        for n, text in enumerate(texts):
            council = councils[n % len(councils)]
            received = start + timedelta(days=rng.randrange(365))
            row = Petition(
                council=council,
                text=text,
                folded="",
                field=rng.choice(fields_of[council.pk]),
                place=f"Khu phố {rng.randint(1, 12)}",
                source="meeting",
                received_on=received,
                voter_name="Nguyễn Văn A",
                voter_address="1 Lê Lợi",
            )
            if n < answers:
                row.status = rng.choice([Status.ANSWERED, Status.INFORMED, Status.CLOSED])
                row.answer_text = next(replies)
            elif rng.random() < 0.6:
                row.status = rng.choice([Status.FORWARDED, Status.IN_PROGRESS])
            if row.status != Status.RECEIVED:
                row.agency = rng.choice(agencies_of[council.pk])
                row.forwarded_on = received + timedelta(days=2)
                row.due_date = received + timedelta(days=32)
            if row.answer_text:
                row.answered_on = received + timedelta(days=rng.choice([10, 25, 40, 60]))
            rows.append(row)
        Petition.objects.bulk_create(rows, batch_size=5000)
        items = []
        for p in Petition.objects.only(
            "pk", "council_id", "text", "place", "received_on", "answer_text"
        ).iterator(chunk_size=5000):
            items.append(
                Indexed(PETITION, p.pk, p.council_id, f"{p.text} {p.place}", p.received_on)
            )
            if p.answer_text:
                items.append(Indexed(ANSWER, p.pk, p.council_id, p.answer_text, p.received_on))
            if len(items) >= 5000:
                search_index_update_many(items=items, batch_size=5000)
                items = []
        search_index_update_many(items=items, batch_size=5000)
        standing = User.objects.create_user("thuongtruc", is_staff=True)
        membership_grant(user=standing, council=city, role="standing")
        clerk = User.objects.create_user("vanthu", is_staff=True)
        membership_grant(user=clerk, council=communes[41], role="clerk")
    return {"standing": standing, "clerk": clerk, "commune": communes[41], "communes": communes}


def _seed(args: argparse.Namespace) -> dict:
    return seed(petitions=args.petitions, answers=args.answers)


def _facts(_state: dict, _args: argparse.Namespace) -> dict:
    from petitions.models import Petition

    return {
        "petitions": Petition.objects.count(),
        "answers": Petition.objects.exclude(answer_text="").count(),
    }


def _scenarios(seeded: dict, args: argparse.Namespace) -> list:
    from django.test import Client

    from petitions.models import Petition

    city, clerk = Client(), Client()
    city.force_login(seeded["standing"])
    clerk.force_login(seeded["clerk"])
    rng = random.Random(7)
    communes = [c.pk for c in seeded["communes"]]
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    quarter = (date.today() - timedelta(days=90)).isoformat()
    queries = sample_queries(args.requests)
    runs = [str(n) for n in range(args.requests)]
    # Page 40 is "Xem tiếp" followed 39 times: the cursor of the 1,950th row (kiosk_ui.paging).
    day, pk = Petition.objects.order_by("-received_on", "-id").values_list("received_on", "id")[
        1949
    ]

    def get(client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")

    def each(url) -> Callable[[], dict]:
        return lambda: timed(lambda _n: get(*url()), runs)

    return [
        ("city list, page 1 (60,000)", each(lambda: (city, "/petitions/"))),
        ("city list, page 40", each(lambda: (city, f"/petitions/?after={day}.{pk}"))),
        (
            "city list, one commune",
            each(lambda: (city, f"/petitions/?council={rng.choice(communes)}")),
        ),
        (
            "city list, status + field + quarter",
            each(
                lambda: (
                    city,
                    f"/petitions/?status=forwarded&from={quarter}&field={rng.randint(1, 8 * 169)}",
                )
            ),
        ),
        ("city list, overdue", each(lambda: (city, "/petitions/?timeliness=overdue"))),
        ("commune clerk, own list", each(lambda: (clerk, "/petitions/"))),
        ("city search", lambda: timed(lambda q: get(city, f"/petitions/?q={q}"), queries)),
        ("commune search", lambda: timed(lambda q: get(clerk, f"/petitions/?q={q}"), queries)),
        (
            "city overview (a year, 4 charts)",
            each(lambda: (city, f"/petitions/overview/?from={year_ago}")),
        ),
        ("commune overview", each(lambda: (clerk, f"/petitions/overview/?from={year_ago}"))),
        (
            "city list as CSV (60,000 rows)",
            lambda: timed(
                lambda _n: b"".join(
                    city.get("/petitions/?export=kien-nghi&format=csv").streaming_content
                ),
                ["1", "2", "3"],
                warmup=1,
            ),
        ),
    ]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--petitions", type=int, default=60_000)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per scenario")


def main(argv: list[str] | None = None) -> None:
    engines.main(
        name="petitions",
        doc=__doc__,
        seed=_seed,
        scenarios=_scenarios,
        facts=_facts,
        arguments=_arguments,
        argv=argv,
        env=engines.PAGES_ENV,
    )


if __name__ == "__main__":
    main()
