"""A kept connection the server ended is replaced before a hop's first query, without a
``SELECT 1`` round trip per hop while it is alive (chamber/postgresql/base.py, issue 13)."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, connection

from meeting import selectors
from tests.factories import make_council, make_session
from tests.realtime import helpers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"
    ),
]


@pytest.fixture
def probes(monkeypatch) -> list[int]:
    """The ``SELECT 1`` probes sent, by the backend's pid at the time."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    sent = []
    is_usable = DatabaseWrapper.is_usable

    def counting(wrapper):
        sent.append(wrapper.connection.info.backend_pid)
        return is_usable(wrapper)

    monkeypatch.setattr(DatabaseWrapper, "is_usable", counting)
    return sent


def _pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate_others() -> int:
    """End every other session of the test database, as an operator's pg_terminate_backend
    would; returns once they have exited (the function's timeout argument waits for it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _hop() -> int:
    """One thread hop as Channels runs it: close_old_connections() around the work."""
    close_old_connections()
    try:
        return _pid()
    finally:
        close_old_connections()


def _in_other_thread(run):
    """On a connection of its own (this thread's is the one to end)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def on_its_own_connection():
        try:
            return run()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(on_its_own_connection).result()


def test_a_live_connection_is_not_probed_between_hops(probes):
    first = _hop()
    assert [_hop() for _ in range(3)] == [first] * 3
    assert probes == []


def test_a_connection_the_server_ended_is_replaced_before_the_next_hop(probes):
    before = _hop()
    ended = _in_other_thread(_terminate_others)
    assert ended >= 1
    after = _hop()
    assert after != before
    assert probes == [before]  # one probe, sent only because the server had said goodbye


def test_a_connection_idle_for_long_is_probed_once(probes, monkeypatch):
    from django.db import connections

    pid = _hop()
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "used_at", time.monotonic() - wrapper.PROBE_AFTER_IDLE_SECONDS - 1)
    assert _hop() == pid
    assert _hop() == pid
    assert probes == [pid]


async def test_a_snapshot_and_a_presence_batch_survive_connections_the_server_ended(monkeypatch):
    # A server's hops close old connections; the test communicators make that a no-op.
    from channels.testing import application

    monkeypatch.setattr(application, "no_op", close_old_connections)
    session, first, second = await database_sync_to_async(_sitting)()
    one = await helpers.tablet(session, first)
    await helpers.connect_and_snapshot(one)  # the hops' threads now hold connections

    assert await database_sync_to_async(_terminate_others)() >= 1

    two = await helpers.tablet(session, second)
    await helpers.connect_and_snapshot(two)  # a snapshot, after a presence batch
    await one.disconnect()  # a departure's batch
    connected = await database_sync_to_async(selectors.delegates_connected)(
        session.pk, {first.pk, second.pk}
    )
    assert connected == {second.pk}
    await two.disconnect()


def _sitting():
    council = make_council(seats=3)
    session = make_session(council=council)
    first, second = council.delegates.order_by("seat_label")[:2]
    return session, first, second
