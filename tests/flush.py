"""A faster end of a transactional test on PostgreSQL, with the same database left behind.

Django ends every ``transaction=True`` test with ``flush``: one ``TRUNCATE`` of the 60-odd
tables (about a second: every table gets new files) and then the ``post_migrate`` signal
again (contenttypes, permissions, the role groups: another second or more). Measured on this
machine: ~2.5 s per test against ~0.05 s for a ``DELETE`` of the same tables — the long tail of
~5 s teardowns under load.

Here the first teardown of a run is Django's own ``flush``; what it leaves (the rows
``post_migrate`` wrote) is copied once into a schema of its own. Every later teardown deletes
every row of the same tables in one transaction (foreign keys are ``DEFERRABLE INITIALLY
DEFERRED`` in Django's PostgreSQL schema, so the order does not matter) and copies those rows
back: the database each test starts from is the one ``flush`` would leave — with the same
ids for content types and permissions, which Django's ContentType cache holds anyway.

Anything unusual — another backend, ``available_apps``, ``serialized_rollback``,
``reset_sequences``, a table that appeared — and it is Django's ``flush`` as before.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import DatabaseError, connections, transaction
from django.test import testcases

SCHEMA = "chamber_flush_snapshot"

_original_teardown = testcases.TransactionTestCase._fixture_teardown
# alias -> (the tables flushed, the tables post_migrate filled -> their columns)
_snapshots: dict[str, tuple[tuple[str, ...], dict[str, list[str]]]] = {}
_django_flush_only: set[str] = set()


def _tables(connection) -> tuple[str, ...]:
    return tuple(
        sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _take_snapshot(connection, tables: tuple[str, ...]) -> dict[str, list[str]]:
    """Copy the rows Django's flush (and post_migrate) left into SCHEMA; their columns."""
    filled: dict[str, list[str]] = {}
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(table)})")
            if not cursor.fetchone()[0]:
                continue
            # Generated columns are computed again on insert: not copied.
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                [table],
            )
            columns = [_quote(row[0]) for row in cursor.fetchall()]
            cursor.execute(
                f"CREATE TABLE {SCHEMA}.{_quote(table)} AS "
                f"SELECT {', '.join(columns)} FROM {_quote(table)}"
            )
            filled[table] = columns
    return filled


def _flush_and_restore(connection, tables: tuple[str, ...], filled: dict[str, list[str]]):
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(f"DELETE FROM {_quote(table)}")
        for table, columns in filled.items():
            names = ", ".join(columns)
            cursor.execute(
                f"INSERT INTO {_quote(table)} ({names}) "
                f"SELECT {names} FROM {SCHEMA}.{_quote(table)}"
            )


def _flush(self, alias: str) -> None:
    connection = connections[alias]
    tables = _tables(connection)
    known = _snapshots.get(alias)
    if alias not in _django_flush_only and known is not None and known[0] == tables:
        try:
            _flush_and_restore(connection, tables, known[1])
            return
        except DatabaseError:
            # Not what this module expects (a foreign key that cannot be deferred…): Django's
            # own flush from now on.
            _django_flush_only.add(alias)
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database=alias,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )
    if alias not in _django_flush_only:
        _snapshots[alias] = (tables, _take_snapshot(connection, tables))


def _fixture_teardown(self) -> None:
    aliases = list(self._databases_names(include_mirrors=False))
    if (
        self.available_apps is not None
        or self.serialized_rollback
        or self.reset_sequences
        or any(connections[alias].vendor != "postgresql" for alias in aliases)
    ):
        return _original_teardown(self)
    for alias in aliases:
        _flush(self, alias)


def install() -> None:
    testcases.TransactionTestCase._fixture_teardown = _fixture_teardown
