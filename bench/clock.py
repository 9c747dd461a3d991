"""The run's deadline and each phase's: every wait inside a run takes the smaller of its own
limit, what is left of the phase and what is left of the run; the wall time of each phase is
recorded.

``watched`` is the bench's watchdog: a phase that passes its deadline (or fails) is recorded
as missed, with what it had measured so far, and the run goes on to its next phase — or, when
the run's own budget is spent, to its report — instead of hanging or losing what it saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

monotonic = time.monotonic
# Beyond a phase's deadline, for the waits already under way to end by their own limits
# (a client process answers a bounded operation up to ~10 s after its limit).
OVERRUN_S = 20.0
REPORT_GRACE_S = 150.0  # the report is collected even when the run's budget is spent


class BudgetExceeded(RuntimeError):
    pass


class PhaseOverdue(TimeoutError):
    pass


class Clock:
    """The run's deadline: every wait takes the smaller of its own limit and what is left."""

    def __init__(self, seconds: float) -> None:
        self.deadline = monotonic() + seconds
        self.phase_deadline: float | None = None
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
        now = monotonic()
        left = self.deadline - now
        if left <= 0:
            raise BudgetExceeded(f"time budget of the run exhausted during {self.phase!r}")
        if self.phase_deadline is not None:
            phase_left = self.phase_deadline - now
            if phase_left <= 0:
                raise PhaseOverdue(f"{self.phase!r} past its phase's deadline")
            left = min(left, phase_left)
        return min(seconds, left)

    def allow_report(self) -> None:
        """The report phase runs even after the run's budget: what was seen is worth keeping."""
        self.deadline = max(self.deadline, monotonic() + REPORT_GRACE_S)


async def watched(
    clock: Clock,
    out: dict,
    name: str,
    seconds: float,
    body: Callable[[], Awaitable[object]],
    *,
    saw: Callable[[], object] | None = None,
) -> bool:
    """Run one phase within ``seconds`` (and the run's budget). True if it completed; False if
    it missed its deadline or failed, recorded in ``out["missed_phases"]`` with what it saw
    (``saw()``, or ``out[name]`` as far as the phase wrote it)."""
    clock.phase = name
    started = monotonic()
    clock.phase_deadline = started + seconds
    try:
        await asyncio.wait_for(body(), max(0.1, min(seconds, clock.deadline - started)) + OVERRUN_S)
        return True
    except Exception as exc:  # noqa: BLE001 - the phase's failure is the run's finding
        seen = saw() if saw is not None else out.get(name)
        out.setdefault("missed_phases", []).append(
            {
                "phase": name,
                "step": clock.phase,  # where inside the phase it was
                "deadline_s": seconds,
                "after_s": round(monotonic() - started, 2),
                "error": f"{type(exc).__name__}: {exc}",
                "saw": seen,
            }
        )
        return False
    finally:
        clock.phase_deadline = None
