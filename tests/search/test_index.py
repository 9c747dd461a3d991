"""The search index on both installs: the same query finds the same rows on PostgreSQL (the
suite's database) and SQLite (the embedded default, run by the last test in a process of its
own). Every answer is checked against the semantics written in Python (search_matches)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from search.models import Entry
from search.selectors import search_find, search_ids, search_matches
from search.services import (
    Indexed,
    search_index_remove,
    search_index_update,
    search_index_update_many,
)
from search.sources import fill_missing_after_migrate, register_source

PETITION, ANSWER = "test.petition", "test.answer"

# (kind, id, council, period, text): petitions and answers of two councils.
CORPUS = [
    (PETITION, 1, 10, date(2026, 3, 2), "Đề nghị sửa đường liên xã bị sạt lở ở ấp Bình An"),
    (PETITION, 2, 10, date(2026, 3, 2), "Cử tri phản ánh ô nhiễm môi trường từ bãi rác Đông Thạnh"),
    (PETITION, 3, 10, date(2026, 5, 20), "Kiến nghị cấp giấy chứng nhận quyền sử dụng đất"),
    (
        PETITION,
        4,
        11,
        date(2026, 5, 21),
        "Đề nghị xây trường mầm non, tiểu học cho khu tái định cư",
    ),
    (
        PETITION,
        5,
        11,
        date(2026, 7, 1),
        "Ngân sách xã chi cho an ninh trật tự và an toàn giao thông",
    ),
    (PETITION, 6, 11, None, "Bàn giao mặt bằng dự án ban quản lý chậm; quận 12/NQ-HĐND"),
    (ANSWER, 1, 10, date(2026, 4, 1), "UBND xã đã sửa đường, khắc phục sạt lở trước mùa mưa"),
    (ANSWER, 3, 10, date(2026, 6, 1), "Văn phòng đăng ký đất đai đang cấp giấy chứng nhận"),
    (
        ANSWER,
        5,
        11,
        date(2026, 8, 1),
        "Dự toán ngân sách năm 2027 bổ sung kinh phí an toàn giao thông",
    ),
    (ANSWER, 6, 11, date(2026, 8, 2), "ĐỀ NGHỊ CỦA CỬ TRI ĐÃ ĐƯỢC GIẢI QUYẾT"),
]
QUERIES = [
    "sat lo",  # without diacritics
    "Sạt lở",  # with them
    "SẠT LỞ",
    "ngân sa",  # the last word as it is being typed
    "dat",  # đ folds to d: "đất", "đai", not "đường"
    "duong",
    "an",  # a word, not a piece of one: not "ban", "bàn", "toàn"
    "an toan",
    "toan an",  # in any order
    "giao thong an ninh",
    "12/NQ-HĐND",  # a document number: its words
    "nq",
    "de nghi cu tri",
    "cap giay chung nhan dat",
    "2027",
    "x",
    "khong co gi",
    "  ",
    "?!",
]


@pytest.fixture
def corpus(db):
    search_index_update_many(
        items=[
            Indexed(kind=kind, object_id=pk, council_id=council, period=period, text=text)
            for kind, pk, council, period, text in CORPUS
        ]
    )
    return CORPUS


def expected(query, *, kinds=(PETITION, ANSWER), councils=None):
    return {
        (kind, pk)
        for kind, pk, council, _period, text in CORPUS
        if kind in kinds
        and (councils is None or council in councils)
        and search_matches(text, query)
    }


def found(query, **scope):
    hits = search_find(kinds=scope.pop("kinds", (PETITION, ANSWER)), query=query, **scope)
    return {(hit.kind, hit.object_id) for hit in hits}


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_finds_exactly_the_rows_the_semantics_say(corpus, query):
    assert found(query) == expected(query)
    assert found(query, council_ids=[11]) == expected(query, councils={11})
    assert found(query, kinds=[ANSWER]) == expected(query, kinds=(ANSWER,))


def test_what_a_person_would_expect(corpus):
    assert found("sat lo") == {(PETITION, 1), (ANSWER, 1)}
    assert found("Sạt lở") == found("SAT LO") == found("lo sat")
    assert found("ngân sa") == {(PETITION, 5), (ANSWER, 5)}
    # "An", "ánh", "án", "an ninh", "an toàn": words beginning with "an", not "ban" or "bàn".
    assert found("an") == {(PETITION, 1), (PETITION, 2), (PETITION, 5), (PETITION, 6), (ANSWER, 5)}
    assert found("an ninh") == {(PETITION, 5)}
    assert found("dat") == {(PETITION, 3), (ANSWER, 3)}  # "đất", "đất đai"
    assert found("12/NQ-HĐND") == {(PETITION, 6)}
    assert found("de nghi cu tri") == {(ANSWER, 6)}  # capitals too
    for nothing in ("khong co gi", "  ", "?!", ""):
        assert found(nothing) == set()
    # A pasted page is cut to its first 16 words, not refused and not a thousand-term query.
    pasted = "sạt lở " + " ".join(f"tu{n}" for n in range(14)) + " " + "x " * 1000
    assert found(pasted) == set()
    assert found("sat lo duong " + "sat " * 1000) == {(PETITION, 1), (ANSWER, 1)}


def test_every_prefix_of_every_word_finds_what_the_semantics_say(corpus):
    """Not a hand-picked list: every beginning of every word of the corpus, alone and in
    pairs with the next word — the same rows as the Python semantics, on either engine."""
    from search.folding import words

    queries = set()
    for *_rest, text in CORPUS:
        ws = words(text)
        for i, word in enumerate(ws):
            for end in range(1, len(word) + 1):
                queries.add(word[:end])
                if i + 1 < len(ws):
                    queries.add(f"{word[:end]} {ws[i + 1][:2]}")
    for query in sorted(queries):
        assert found(query) == expected(query), query


def test_order_is_newest_period_first_and_the_same_on_both_engines(corpus):
    hits = search_find(kinds=[PETITION, ANSWER], query="de nghi", limit=3)
    assert [(h.kind, h.object_id, h.period) for h in hits] == [
        (ANSWER, 6, date(2026, 8, 2)),
        (PETITION, 4, date(2026, 5, 21)),
        (PETITION, 1, date(2026, 3, 2)),
    ]
    undated = search_find(kinds=[PETITION], query="giao")
    assert [(h.object_id, h.period) for h in undated] == [(5, date(2026, 7, 1)), (6, None)]


def test_period_filter(corpus):
    hits = search_find(
        kinds=[PETITION, ANSWER],
        query="giao thong",
        period_from=date(2026, 7, 1),
        period_to=date(2026, 7, 31),
    )
    assert [(h.kind, h.object_id) for h in hits] == [(PETITION, 5)]


def test_updating_and_removing_keep_the_index_in_step(corpus):
    search_index_update(kind=PETITION, object_id=2, council_id=10, text="Nước sạch cho ấp Mới")
    assert found("o nhiem") == set()
    assert found("nuoc sach") == {(PETITION, 2)}
    search_index_remove(kind=PETITION, object_ids=[2, 3])
    assert found("nuoc sach") == set() and found("chung nhan") == {(ANSWER, 3)}
    assert Entry.objects.filter(kind=PETITION).count() == 4


def test_ids_are_a_subquery_the_caller_filters_and_orders(corpus):
    ids = search_ids(kind=PETITION, query="giao", council_ids=[11])
    rows = Entry.objects.filter(kind=PETITION, object_id__in=ids).order_by("object_id")
    assert list(rows.values_list("object_id", flat=True)) == [5, 6]


def test_reindex_and_the_fill_after_migrate(corpus):
    texts = {pk: text for kind, pk, _c, _p, text in CORPUS if kind == PETITION}
    register_source(
        PETITION,
        lambda: (
            Indexed(kind=PETITION, object_id=pk, council_id=1, text=t) for pk, t in texts.items()
        ),
    )
    Entry.objects.filter(kind=PETITION).delete()
    assert found("sat lo") == {(ANSWER, 1)}
    assert fill_missing_after_migrate()[PETITION] == 6  # an install with rows, no entries
    assert found("sat lo") == {(PETITION, 1), (ANSWER, 1)}
    assert fill_missing_after_migrate() == {}  # already there: left to its app
    texts[1] = "Đường mới"
    call_command("search_reindex", "--kind", PETITION, stdout=open(os.devnull, "w"))
    assert found("sat lo") == {(ANSWER, 1)} and found("duong moi") == {(PETITION, 1)}


def test_each_engine_has_its_index(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'search_entry' ORDER BY 1"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert "search_entry_vector" in names
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_entry%'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"search_entry_fts", "search_entry_ai", "search_entry_au"} <= names


def test_the_embedded_default_finds_the_same_rows(tmp_path):
    """This module again, on SQLite (the suite runs on PostgreSQL), in a process of its own."""
    if connection.vendor == "sqlite":
        pytest.skip("already on SQLite")
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chamber.sqlite3'}",
        "TEST_DB_NAME": str(tmp_path / "test.sqlite3"),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
            "-k",
            "not embedded_default",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and " passed" in run.stdout and "failed" not in run.stdout, (
        run.stdout[-3000:] + run.stderr
    )
