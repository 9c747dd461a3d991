"""The server's clock for turns, and a turn's time: the one place both are computed.

``now`` is looked up through this module so that tests can move time (``timing.now``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def elapsed_seconds(turn, at: datetime | None = None) -> float:
    """Seconds spoken: from the start to the end (or the pause, or now), less the pauses."""
    until = turn.ended_at or turn.paused_at or at or now()
    return max(0.0, (until - turn.started_at).total_seconds() - turn.paused_seconds)


def allowed_seconds(turn) -> int:
    return turn.limit_seconds + turn.added_seconds


def remaining_seconds(turn, at: datetime | None = None) -> float:
    """Negative once the speaker is over time (the screens then count up, in red)."""
    return allowed_seconds(turn) - elapsed_seconds(turn, at)
