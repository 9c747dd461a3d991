"""The public part of the snapshots, built once per process per session and shared_seq, and shared.

A hall's morning is thousands of tablets connecting at the same ``seq``: each used to read the
agenda, the documents, the lines of speakers and the polls again, the same rows for everyone
(issue 13). A part registered with ``shared=`` (realtime.registry.snapshot_part) splits in two:
the builder, called with a viewer that has **no delegate and no user** — so nothing private can
enter what is shared — and the part itself, per viewer, given the built value. The value is
kept per (builder, session, screen, language) at the session's ``shared_seq`` it was built for
and handed to every later viewer that reads the same ``shared_seq``; a new one builds it again.
``shared_seq`` is the ``seq`` of the session's last event declared ``shared`` (all but those
that only move a count: realtime.events): a morning's check-ins advance ``seq`` with their
attendance summaries many times a minute, and each used to make every builder run again.

What may go in a builder: only what a sequenced event declared ``shared`` changes
(``realtime.publish.emit``). Counts (attendance, vote progress), timers computed from the
clock, and drafts the console alone hears of stay in the per-viewer part. ``MAX_AGE_SECONDS``
bounds what a write outside the services (an edit in the Django admin announces nothing) can
leave stale.

Consumers build snapshots in the database threads, so the store is locked; a key being built
makes the others wait for it rather than read the same rows again. Values are shared between
screens: never mutate one (copy what you change).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.utils import translation

# A value older than this is built again even at the same seq (see the module's docstring);
# short beside a morning's storm of connects, long beside the tenth of a second a build costs.
MAX_AGE_SECONDS = 5.0


class SharedParts:
    """One process's store of built public parts (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple, tuple[int, float, Any]] = {}
        self._building: dict[tuple, threading.Lock] = {}
        self.builds = 0  # how many times a builder ran (tests, the bench)

    def get(self, *, builder: Callable[[Any], Any], viewer: Any, public_viewer: Any) -> Any:
        session = viewer.session
        key = (builder, session.pk, viewer.screen, translation.get_language())
        # Not ``seq``: the events since ``shared_seq`` (check-ins' counts) left it as built.
        seq = session.shared_seq
        value = self._fresh(key, seq)
        if value is not _MISSING:
            return value
        with self._lock:
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            value = self._fresh(key, seq)  # built by the thread we waited for
            if value is not _MISSING:
                return value
            value = builder(public_viewer)
            with self._lock:
                self.builds += 1
                held = self._values.get(key)
                # A viewer that read an older seq gets its own build, never stored over a newer.
                if held is None or held[0] <= seq:
                    self._values[key] = (seq, time.monotonic(), value)
            return value

    def _fresh(self, key: tuple, seq: int) -> Any:
        with self._lock:
            held = self._values.get(key)
        if held is None or held[0] != seq or time.monotonic() - held[1] > MAX_AGE_SECONDS:
            return _MISSING
        return held[2]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_MISSING = object()
shared_parts = SharedParts()
