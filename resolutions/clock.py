"""The deadline clock: a written consultation closes, and is counted, at its deadline.

Why this shape (the simplest that holds in both installs):

* **A thread in every server process, started when the ASGI application is imported**
  (``chamber/asgi.py``). Between sittings nobody may be connected, so the fan-out's heartbeat
  (``realtime.fanout.on_heartbeat``, which only runs while the process has sockets) never
  ticks; a timer started by the first request waits for a visitor; Daphne (the embedded
  default) runs no ASGI lifespan. The import happens at start-up in Daphne and in each Uvicorn
  worker (``--workers N`` imports the application in every worker).
* **A thread, not a task of the event loop**: it needs no running loop at import, never holds
  up the screens' loop, and the close (count, chain entries) is blocking database work that
  would go to a thread anyway. It sleeps on an ``Event``.
* **It sleeps until the earliest open deadline it knows**, never longer than
  ``CHAMBER_CLOCK_RESCAN_SECONDS``, so it learns of consultations sent by other processes; one
  sent in this process wakes it at once (``wake`` after the commit). Sent elsewhere with a
  deadline nearer than one rescan, a consultation closes at most one rescan late.
* **Several workers, several machines race to the same deadline, harmlessly**:
  ``consultation_close`` takes the row ``FOR UPDATE`` (it also waits for the answers in
  flight) and counts only an open consultation; the others then read ``closed`` and skip. So
  the result, the chain's entries and the announcement are written once. SQLite is one
  process, and ``BEGIN IMMEDIATE`` serialises its writers.
* Where no server runs, ``chamber close_due_consultations`` does one pass (cron); the pages
  still close what is due when they are read, as before.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0

_wake = threading.Event()
_started: threading.Thread | None = None
_start_lock = threading.Lock()


def wake() -> None:
    """Look again now (a consultation was sent here: its deadline may be the nearest)."""
    _wake.set()


def next_deadline() -> datetime.datetime | None:
    from resolutions.models import Consultation

    return (
        Consultation.objects.filter(status=Consultation.Status.OPEN)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first()
    )


def seconds_to_wait(
    deadline: datetime.datetime | None, now: datetime.datetime, rescan: float
) -> float:
    """Until the deadline, never longer than one rescan. A deadline passed and still open
    (its close failed, or a process holds it): a second, not a busy loop."""
    if deadline is None:
        return rescan
    remaining = (deadline - now).total_seconds()
    return min(rescan, remaining if remaining > 0 else RETRY_SECONDS)


class DeadlineClock:
    """One pass closes what is due and says how long to sleep; ``run`` repeats it.

    ``now`` and ``wait`` are injected by the tests (``wait(seconds)`` returns when woken or
    when the time is up; ``stop`` ends the loop)."""

    def __init__(
        self,
        *,
        rescan: float | None = None,
        now: Callable[[], datetime.datetime] = timezone.now,
        wait: Callable[[float], object] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.rescan = rescan if rescan is not None else settings.CHAMBER_CLOCK_RESCAN_SECONDS
        self.now = now
        self.wait = wait or _wait
        self.stop = stop or threading.Event()
        self.closed = 0

    def tick(self) -> float:
        from resolutions.services.consultation import close_due_consultations

        # Sleeping minutes at a time, the thread holds no database connection meanwhile (a
        # test runs the pass inside its own transaction: that one is left alone).
        own_connection = not connection.in_atomic_block
        if own_connection:
            close_old_connections()
        try:
            self.closed += close_due_consultations()
            return seconds_to_wait(next_deadline(), self.now(), self.rescan)
        finally:
            if own_connection:
                connection.close()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                delay = self.tick()
            except Exception:  # the database away a moment: try again at the next rescan
                logger.exception("deadline clock: closing due consultations failed")
                delay = self.rescan
            if self.stop.is_set():
                break
            self.wait(delay)


def _wait(seconds: float) -> None:
    _wake.wait(seconds)
    _wake.clear()


def start() -> threading.Thread | None:
    """Start this process's clock once (``CHAMBER_CLOCK``: on in servers, off in the tests'
    own process)."""
    global _started
    if not settings.CHAMBER_CLOCK:
        return None
    with _start_lock:
        if _started is None or not _started.is_alive():
            _started = threading.Thread(
                target=DeadlineClock().run, name="chamber-deadline-clock", daemon=True
            )
            _started.start()
    return _started
