"""PostgreSQL whose kept connections are checked without a round trip per thread hop (issue 13).

Why a check at all: a worker keeps its connections (CONN_MAX_AGE), and the server may end one
under it — pg_terminate_backend, a restart, an idle timeout (tests/faults). Django's health
check (CONN_HEALTH_CHECKS) sends ``SELECT 1`` before the first query after each
``close_old_connections()``, and Channels calls that around every ``database_sync_to_async``
hop: every snapshot, presence batch and command paid a round trip first (~9% of a connect
storm's samples).

What replaces it: a server that ends a session says so — it sends its FATAL message and
closes the socket — and libpq reads that without waiting: no round trip. A link found closed
is closed here and the hop opens a new one, as before. ``SELECT 1`` is sent only when the
connection has not been used for ``PROBE_AFTER_IDLE_SECONDS`` (a middlebox that forgot the
flow answers only what we send), or after an error (Django's own check at the end of a hop).

What it does not change: a link lost *during* a hop fails that hop, with or without a probe
before it (commands retry once on a dropped connection: realtime.commands
``retry_if_disconnected``).
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus


class DatabaseWrapper(base.DatabaseWrapper):
    # Long below any NAT or firewall idle timeout, long above the gap between two hops of a
    # busy worker's thread.
    PROBE_AFTER_IDLE_SECONDS = 10.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.used_at = 0.0  # time.monotonic() of the last cursor opened

    def _cursor(self, name=None):
        cursor = super()._cursor(name)  # the check, then (re)connecting if needed
        self.used_at = time.monotonic()
        return cursor

    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self._server_hung_up():
            self.close()
        elif time.monotonic() - self.used_at > self.PROBE_AFTER_IDLE_SECONDS:
            if not self.is_usable():
                self.close()
        self.health_check_done = True

    def _server_hung_up(self) -> bool:
        """Whether the server closed this idle connection: libpq reads what came since the
        last query (a goodbye's FATAL message) and, reading again, the end of the stream —
        the link is then marked bad, or psycopg raises. Both reads return at once on a live
        link (libpq's socket never blocks), and psycopg's C wrapper makes them holding the
        GIL: a system call that let go of it (select.poll) had to wait to get it back behind
        the event loop's thread — a third of what the round trip cost, in a connect storm's
        profile. (A goodbye whose end of stream is still on the way is missed: a link lost
        during the hop: see the module's docstring.)"""
        try:
            pgconn = self.connection.pgconn
            pgconn.consume_input()
            pgconn.consume_input()
        except Exception:  # closed by the server, or a closed psycopg connection
            return True
        return pgconn.status != ConnStatus.OK
