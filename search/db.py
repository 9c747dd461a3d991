"""What each engine adds beside the ``search_entry`` table, and how each is asked.

PostgreSQL: ``vector``, a generated ``tsvector`` ('simple': no stemming, no stop words) over
the folded words, with a GIN index; a pg_trgm GIN index on the same text for similarity
(``search_similar``). SQLite: ``search_entry_fts``, an FTS5 table over the same text
(external content: the words are stored once), kept in step by triggers so that any write —
a service, ``bulk_create``, an upsert, a flush — keeps it right.

The query semantics are the same on both: every word of the query is the beginning of a word
of the text (``ngan sa`` finds "ngân sách"), in any order.
"""

from __future__ import annotations

from django.db import migrations

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


def match_subquery(vendor: str, query_words: list[str]) -> tuple[str, list[str]]:
    """SQL selecting the ids of the entries whose text has every query word as the start of a
    word, and its parameters. The words are [a-z0-9]+ (search.folding.words): nothing in them
    needs escaping in either engine's query syntax; they are still passed as parameters."""
    if vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in query_words)
        return (
            "SELECT id FROM search_entry WHERE vector @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
        )
    if vendor == "sqlite":
        match = " AND ".join(f'"{word}"*' for word in query_words)
        return "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s", [match]
    raise NotImplementedError(f"search has no index for {vendor}")
