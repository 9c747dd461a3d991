"""Reads of the search index.

Semantics, the same on PostgreSQL and SQLite: the query is folded and cut into words
(search.folding.words); an entry matches when every one of them is the beginning of a word of
its text, in any order. A query without words matches nothing. Results are ordered by period
(newest first, none last), then kind, then object id (newest first) — never by an engine's
rank, which differs between engines and would make ``limit`` cut differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet
from django.db.models.lookups import In

from search import db
from search.folding import words
from search.models import Entry


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    council_id: int | None
    period: date | None


# A search box, not a document: a pasted page must not become a thousand-term query.
MAX_QUERY_WORDS = 16


def search_words(query: str) -> list[str]:
    """The words a query is searched by, each once, at most MAX_QUERY_WORDS (empty: the query
    finds nothing)."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]


def _matching(
    *,
    kinds: Iterable[str],
    query: str,
    council_ids: Iterable[int] | None,
    period_from: date | None,
    period_to: date | None,
) -> QuerySet[Entry]:
    query_words = search_words(query)
    if not query_words:
        return Entry.objects.none()
    entries = Entry.objects.filter(db.Match(query_words), In(db.Unindexed("kind"), list(kinds)))
    if council_ids is not None:
        entries = entries.filter(In(db.Unindexed("council_id"), list(council_ids)))
    if period_from is not None:
        entries = entries.filter(period__gte=period_from)
    if period_to is not None:
        entries = entries.filter(period__lte=period_to)
    return entries


def search_ids(
    *,
    kind: str | Iterable[str],
    query: str,
    council_ids: Iterable[int] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> QuerySet:
    """The ids of the ``kind`` things matching ``query``, as a lazy subquery:
    ``Petition.objects.filter(pk__in=search_ids(kind="petitions.petition", query=q))`` keeps
    the caller's own filters, order and paging in one SQL statement. Several kinds keyed by
    the same ids (a petition and its answer): one subquery, not an OR of two — an OR of two
    ``IN``s makes PostgreSQL scan the whole table instead of walking an index in order."""
    return _matching(
        kinds=[kind] if isinstance(kind, str) else list(kind),
        query=query,
        council_ids=council_ids,
        period_from=period_from,
        period_to=period_to,
    ).values("object_id")


def search_find(
    *,
    kinds: Iterable[str],
    query: str,
    council_ids: Iterable[int] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    limit: int = 100,
) -> list[Hit]:
    """Things of several kinds matching ``query``, newest period first (see the module)."""
    entries = _matching(
        kinds=kinds,
        query=query,
        council_ids=council_ids,
        period_from=period_from,
        period_to=period_to,
    ).order_by(F("period").desc(nulls_last=True), "kind", "-object_id")
    return [
        Hit(kind=kind, object_id=object_id, council_id=council_id, period=period)
        for kind, object_id, council_id, period in entries.values_list(
            "kind", "object_id", "council_id", "period"
        )[:limit]
    ]


def search_matches(text: str, query: str) -> bool:
    """The semantics in Python (what the index answers for one text), for tests and for
    checking a single row without a query."""
    query_words = search_words(query)
    text_words = words(text)
    return bool(query_words) and all(
        any(word.startswith(q) for word in text_words) for q in query_words
    )
