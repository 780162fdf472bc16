"""Interleaved ratio timing: the method every benchmark here uses.

These machines are noisy (the same code runs ±20-30% apart between phases), so
absolute numbers mean little.  Candidates of one comparison run round-robin in
short batches, each batch's per-operation time is recorded, and the median over
rounds is reported.  Ratios within one group are what we compare against targets.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Candidate", "GroupResult", "run_group"]


@dataclass(slots=True)
class Candidate:
    name: str
    operation: Callable[[], object]
    batch: int = 1
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass(frozen=True, slots=True)
class GroupResult:
    label: str
    seconds_per_op: dict[str, float]
    # Each candidate's seconds per operation in every round, in round order.
    rounds: dict[str, list[float]] = field(default_factory=dict)

    def ratio(self, slow: str, fast: str) -> float:
        return self.seconds_per_op[slow] / self.seconds_per_op[fast]

    def round_ratios(self, slow: str, fast: str) -> list[float]:
        """``slow / fast`` within each round (the two ran seconds apart): the spread shows how
        far the machine's drift moves a ratio that ``ratio`` reports as one median figure."""
        return [a / b for a, b in zip(self.rounds[slow], self.rounds[fast], strict=True)]


def _calibrate(candidate: Candidate, batch_seconds: float) -> None:
    candidate.operation()  # warm caches and lazily built tables
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            candidate.operation()
        elapsed = time.perf_counter() - start
        if elapsed >= batch_seconds / 4 or count >= 1 << 20:
            candidate.batch = max(1, int(count * batch_seconds / max(elapsed, 1e-9)))
            return
        count *= 4


def run_group(
    label: str, candidates: list[Candidate], *, rounds: int = 9, batch_seconds: float = 0.06
) -> GroupResult:
    """Time every candidate ``rounds`` times, interleaved; return median seconds per op."""
    for candidate in candidates:
        _calibrate(candidate, batch_seconds)
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(rounds):
            for candidate in candidates:
                operation, batch = candidate.operation, candidate.batch
                gc.disable()
                start = time.perf_counter()
                for _ in range(batch):
                    operation()
                elapsed = time.perf_counter() - start
                if gc_was_enabled:
                    gc.enable()
                candidate.samples.append(elapsed / batch)
    finally:
        if gc_was_enabled:
            gc.enable()
    return GroupResult(
        label,
        {candidate.name: candidate.median for candidate in candidates},
        {candidate.name: list(candidate.samples) for candidate in candidates},
    )
