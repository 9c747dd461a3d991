"""Where each kind's rows come from, for rebuilding the index.

An app registers, once (in its ``AppConfig.ready``), a function that yields every searchable
thing of a kind it owns. ``search_reindex`` rebuilds kinds from them (``chamber
search_reindex``); after each ``migrate`` the kinds that have rows but no entries yet — an
install that had data before search existed, or a kind added later — are filled, so an upgrade
needs no extra step. A kind already indexed is left alone there: its app keeps it in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from search.models import Entry
from search.services import Indexed, search_index_update_many

Rows = Callable[[], Iterable[Indexed]]
_SOURCES: dict[str, Rows] = {}


def register_source(kind: str, rows: Rows) -> None:
    _SOURCES[kind] = rows


def registered_kinds() -> list[str]:
    return sorted(_SOURCES)


def search_reindex(*, kinds: Iterable[str] | None = None, batch_size: int = 2000) -> dict[str, int]:
    """Rebuild these kinds (all registered ones by default): {kind: entries written}."""
    chosen = registered_kinds() if kinds is None else list(kinds)
    unknown = set(chosen) - set(_SOURCES)
    if unknown:
        raise KeyError(f"no search source for {', '.join(sorted(unknown))}")
    written = {}
    for kind in chosen:
        with transaction.atomic():
            Entry.objects.filter(kind=kind).delete()
            count = 0
            rows = iter(_SOURCES[kind]())
            while batch := list(islice(rows, batch_size)):
                search_index_update_many(items=batch, batch_size=batch_size)
                count += len(batch)
        written[kind] = count
    return written


def fill_missing_after_migrate(sender=None, using=DEFAULT_DB_ALIAS, **kwargs) -> dict[str, int]:
    """post_migrate: index the kinds that have rows and no entry at all."""
    connection = connections[using]
    if (
        using != DEFAULT_DB_ALIAS
        or Entry._meta.db_table not in connection.introspection.table_names()
    ):
        return {}
    missing = [
        kind
        for kind, rows in _SOURCES.items()
        if not Entry.objects.filter(kind=kind).exists() and next(iter(rows()), None) is not None
    ]
    return search_reindex(kinds=missing) if missing else {}
