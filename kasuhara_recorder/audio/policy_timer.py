"""Elapsed time against the policy's interaction limit (§4(1): meetings and calls within 1 hour).

Pure: it takes elapsed seconds (or reads an injected clock) and says which phase we are in and
which thresholds were crossed since the last poll, so each event is raised exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kasuhara_recorder.policy.profile import Rules


class Phase(StrEnum):
    OK = "ok"
    WARNING = "warning"  # past warning_minutes: time to close the conversation
    OVER_LIMIT = "over_limit"  # past interaction_limit_minutes


@dataclass(frozen=True)
class TimerState:
    elapsed_s: float
    phase: Phase
    warning_at_s: float
    limit_at_s: float

    @property
    def remaining_s(self) -> float:
        """Seconds left until the limit; negative once over."""
        return self.limit_at_s - self.elapsed_s

    @property
    def over_limit(self) -> bool:
        return self.phase is Phase.OVER_LIMIT


class PolicyTimer:
    def __init__(self, rules: Rules, clock: Callable[[], float] = time.monotonic) -> None:
        self.warning_at_s = float(rules.warning_seconds)
        self.limit_at_s = float(rules.limit_seconds)
        self._clock = clock
        self._start: float | None = None
        self._reported = Phase.OK
        self.limit_passed = False

    def start(self) -> None:
        self._start = self._clock()

    @property
    def elapsed_s(self) -> float:
        return 0.0 if self._start is None else self._clock() - self._start

    def phase_at(self, elapsed_s: float) -> Phase:
        if elapsed_s >= self.limit_at_s:
            return Phase.OVER_LIMIT
        if elapsed_s >= self.warning_at_s:
            return Phase.WARNING
        return Phase.OK

    def state(self, elapsed_s: float | None = None) -> TimerState:
        e = self.elapsed_s if elapsed_s is None else elapsed_s
        return TimerState(e, self.phase_at(e), self.warning_at_s, self.limit_at_s)

    def poll(self, elapsed_s: float | None = None) -> list[Phase]:
        """Phases newly entered since the last poll, in order (both at once after a long gap)."""
        phase = self.phase_at(self.elapsed_s if elapsed_s is None else elapsed_s)
        order = [Phase.OK, Phase.WARNING, Phase.OVER_LIMIT]
        new = order[order.index(self._reported) + 1 : order.index(phase) + 1]
        if new:
            self._reported = phase
        if phase is Phase.OVER_LIMIT:
            self.limit_passed = True
        return new
