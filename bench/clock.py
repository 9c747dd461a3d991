"""The run's deadline: every wait inside a run takes the smaller of its own limit and what is
left, and the wall time of each phase is recorded."""

from __future__ import annotations

import time

monotonic = time.monotonic


class BudgetExceeded(RuntimeError):
    pass


class Clock:
    """The run's deadline: every wait takes the smaller of its own limit and what is left."""

    def __init__(self, seconds: float) -> None:
        self.deadline = monotonic() + seconds
        self._phase = "start"
        self._since = monotonic()
        self.phases: dict[str, float] = {}  # wall seconds per phase

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, name: str) -> None:
        now = monotonic()
        self.phases[self._phase] = self.phases.get(self._phase, 0.0) + now - self._since
        self._phase, self._since = name, now

    def limit(self, seconds: float) -> float:
        left = self.deadline - monotonic()
        if left <= 0:
            raise BudgetExceeded(f"time budget of the run exhausted during {self.phase!r}")
        return min(seconds, left)
