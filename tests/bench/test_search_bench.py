"""The search benchmark's pieces at a small scale, as a correctness check (no timing is
asserted): the seeded petitions are found as the semantics say, and ``timed`` reports."""

from __future__ import annotations

import pytest

from bench.search import ANSWER, PETITION, petition_texts, sample_queries, seed_index, timed
from search.selectors import search_find, search_matches

pytestmark = pytest.mark.django_db


def test_seeded_petitions_are_found_as_the_semantics_say():
    seed_index(petitions=300, answers=100, councils=5)
    texts = list(petition_texts(300))
    for query in sample_queries(15):
        hits = search_find(kinds=[PETITION], query=query, limit=10_000)
        assert {hit.object_id for hit in hits} == {
            n for n, text in enumerate(texts, start=1) if search_matches(text, query)
        }, query
    report = timed(lambda q: search_find(kinds=[PETITION, ANSWER], query=q), sample_queries(20))
    assert report["queries"] == 20 and 0 < report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]
    # What one query cost, beside its wall time: one statement, some CPU of this process.
    assert report["statements"] == 1.0 and report["cpu_ms"] > 0
