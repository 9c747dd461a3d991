"""What each engine adds beside the ``search_entry`` table, and how each is asked.

PostgreSQL: ``vector``, a generated ``tsvector`` ('simple': no stemming, no stop words) over
the folded words, with a GIN index that also serves prefix terms (``ngan:*``). (0001 also made
a pg_trgm index; 0002 drops it: no query used it — see that migration.) SQLite:
``search_entry_fts``, an FTS5 table over the same text
(external content: the words are stored once), kept in step by triggers so that any write —
a service, ``bulk_create``, an upsert, a flush — keeps it right.

The query semantics are the same on both: every word of the query is the beginning of a word
of the text (``ngan sa`` finds "ngân sách"), in any order.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import BooleanField, F, Func

# As migration 0001 ran them (0002 drops the trigram index again): keep them as they are.
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_entry ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED",
    "CREATE INDEX search_entry_vector ON search_entry USING gin (vector)",
    "CREATE INDEX search_entry_trigram ON search_entry USING gin (text gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_trigram",
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS vector",
]


def sqlite_fts_triggers() -> list[str]:
    """The triggers that keep the FTS5 table in step (re-run after a rebuild of the table)."""
    delete = (
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, text) "
        "VALUES ('delete', old.id, old.text);"
    )
    insert = "INSERT INTO search_entry_fts(rowid, text) VALUES (new.id, new.text);"
    return [
        "DROP TRIGGER IF EXISTS search_entry_ai",
        "DROP TRIGGER IF EXISTS search_entry_ad",
        "DROP TRIGGER IF EXISTS search_entry_au",
        f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN {insert} END",
        f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN {delete} END",
        "CREATE TRIGGER search_entry_au AFTER UPDATE OF text ON search_entry "
        f"BEGIN {delete} {insert} END",
    ]


SQLITE_FORWARD = [
    # remove_diacritics 0: the text is folded already, the tokenizer must change nothing.
    # prefix: the 2- and 3-letter beginnings are indexed, so "ng"* reads one entry, not all.
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(text, content='search_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    *sqlite_fts_triggers(),
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TABLE IF EXISTS search_entry_fts",
]


class VendorSQL(migrations.RunSQL):
    """RunSQL that runs only on one database engine (``connection.vendor``)."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]):
        super().__init__(sql, reverse_sql, elidable=False)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, kwargs.pop("sql"), kwargs.pop("reverse_sql")], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Match(Func):
    """True for the entries whose text has every query word as the start of a word.

    Written against the entry table's own alias (taken from its ``id`` column, which Django
    relabels inside subqueries), so that PostgreSQL applies the GIN index to the row itself —
    an ``id IN (SELECT …)`` made it sort the whole table first (4× slower at 80,000 rows).
    The words are [a-z0-9]+ (search.folding.words): nothing in them needs escaping in either
    engine's query syntax; they are still passed as parameters.
    """

    output_field = BooleanField()

    def __init__(self, query_words: list[str]):
        super().__init__(F("id"))
        self.query_words = query_words

    def as_sql(self, compiler, connection, **extra):
        column, _params = compiler.compile(self.source_expressions[0])  # "<alias>"."id"
        table = column.rsplit(".", 1)[0]
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{word}:*" for word in self.query_words)
            return f"{table}.vector @@ to_tsquery('simple'::regconfig, %s)", [tsquery]
        if connection.vendor == "sqlite":
            match = " AND ".join(f'"{word}"*' for word in self.query_words)
            return (
                f"{column} IN (SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s)",
                [match],
            )
        raise NotImplementedError(f"search has no index for {connection.vendor}")


class Unindexed(Func):
    """A column the SQLite planner must not pick an index for (``+column``, a no-op).

    Without statistics (nothing runs ANALYZE on the embedded default) SQLite takes ``kind =``
    or ``council_id IN`` for selective and walks that index, probing the FTS matches row by
    row: 108 ms instead of 15 ms for a city-wide query at 80,000 entries. Driving from the
    FTS rowids is what it chooses once analyzed; this makes it do so without. PostgreSQL has
    statistics (autovacuum) and gets the plain column.
    """

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)
