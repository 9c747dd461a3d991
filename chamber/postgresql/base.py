"""PostgreSQL whose kept connections are checked without a round trip per thread hop (issue 13).

Why a check at all: a worker keeps its connections (CONN_MAX_AGE), and the server may end one
under it — pg_terminate_backend, a restart, an idle timeout (tests/faults). Django's health
check (CONN_HEALTH_CHECKS) sends ``SELECT 1`` before the first query after each
``close_old_connections()``, and Channels calls that around every ``database_sync_to_async``
hop: every snapshot, presence batch and command paid a round trip first (~9% of a connect
storm's samples).

What replaces it: a server that ends a session says so — it sends its FATAL notice and closes
the socket — so a dead link is one whose socket has something to read while no query is in
flight (a live, idle connection has nothing pending: nothing here LISTENs). Polling the socket
is one system call, no round trip. Only then, or when the connection has not been used for
``PROBE_AFTER_IDLE_SECONDS`` (a middlebox that forgot the flow answers only what we send), or
after an error (Django's own check at the end of the hop), is ``SELECT 1`` sent; a failed
probe closes the connection and the hop opens a new one, as before.

What it does not change: a link lost *during* a hop fails that hop, with or without a probe
before it (commands retry once on a dropped connection: realtime.commands
``retry_if_disconnected``).
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base


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
        if self._may_be_gone() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _may_be_gone(self) -> bool:
        if time.monotonic() - self.used_at > self.PROBE_AFTER_IDLE_SECONDS:
            return True
        return self._socket_has_news()

    def _socket_has_news(self) -> bool:
        """Whether the server sent anything since the last query ended: on an idle
        connection that is its goodbye (or an EOF)."""
        try:
            poller = select.poll()  # not select(): a worker's descriptors pass 1024
            poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        except Exception:  # a closed or broken psycopg connection: let the probe decide
            return True
