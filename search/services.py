"""Writes of the search index. Apps call these from their own services (or signal handlers),
inside their transaction: the index commits, or rolls back, with the row it describes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from search.folding import words
from search.models import Entry


@dataclass(frozen=True)
class Indexed:
    """One searchable thing, as an app hands it to ``search_index_update_many``."""

    kind: str
    object_id: int
    council_id: int | None
    text: str
    period: date | None = None


def _row(item: Indexed) -> Entry:
    return Entry(
        kind=item.kind,
        object_id=item.object_id,
        council_id=item.council_id,
        period=item.period,
        text=" ".join(words(item.text)),
    )


def search_index_update(
    *, kind: str, object_id: int, council_id: int | None, text: str, period: date | None = None
) -> None:
    """Index (or re-index) one thing: ``text`` is the original, diacritics and all."""
    search_index_update_many(
        items=[
            Indexed(kind=kind, object_id=object_id, council_id=council_id, text=text, period=period)
        ]
    )


def search_index_update_many(*, items: Iterable[Indexed], batch_size: int = 1000) -> None:
    """Index many things in a few statements (an upsert on (kind, object_id))."""
    rows = [_row(item) for item in items]
    if not rows:
        return
    with transaction.atomic():
        Entry.objects.bulk_create(
            rows,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["council_id", "period", "text"],
        )


def search_index_remove(*, kind: str, object_ids: Iterable[int]) -> None:
    """Forget these things (deleted, or no longer searchable)."""
    ids = list(object_ids)
    if ids:
        Entry.objects.filter(kind=kind, object_id__in=ids).delete()
