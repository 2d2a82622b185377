"""The plan's wall-clock budget: one deadline for everything plan() does, shared out to group solves as they start.

A group's solver time is its share of what is left, less the time groups spend outside the solver (measured)."""
from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_SOLVE_S = 0.5  # a solve shorter than this rarely finds a first plan; the budget is overrun instead (and said)
# A group's time outside the solver until one has been measured: 0.03-0.23 s on the fleet.py days, in process and
# in a forked pool. 1.0 s left each plan of one group a second idle at its end (5 % of a 20 s plan).
DEFAULT_OVERHEAD_S = 0.25
# Of the limit kept for the repair pass while no finished group has left work undone (each unfinished group keeps
# its part): what a day whose groups serve everything never uses. 12 % left a two-group day 2.4 s idle.
REPAIR_PRIOR_SHARE = 0.04
REPAIR_SHARE = 0.12  # of the limit kept at least once finished groups have left work undone
MAX_REPAIR_SHARE = 0.5  # kept at most, when finished groups left (nearly) all their work undone
LATER_ROUNDS_SHARE = 0.35  # of a repair round's time kept for the rounds after it
TAIL_S_PER_1000_TASKS = 1.0  # assembling the plan (coverage, sorting) after the last solve, measured ~0.6 s


@dataclass
class Budget:
    limit_s: float
    started: float = field(default_factory=time.perf_counter)
    overheads: list[float] = field(default_factory=list)  # measured per-group time outside the solver

    @property
    def deadline(self) -> float:
        return self.started + self.limit_s

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def overhead_s(self) -> float:
        """Mean time a group spends outside the solver (measured on finished groups, else a default)."""
        return sum(self.overheads) / len(self.overheads) if self.overheads else DEFAULT_OVERHEAD_S

    def solve_share(self, pending: int, workers: int, keep_s: float = 0.0, weight: float = 1.0) -> float:
        """Solver seconds for the next group to start: what is left after `keep_s` (reserved for later steps),
        over the rounds of `workers` parallel groups still to run, times `weight` (the group's size over the mean
        size of the groups still to start: a big group needs more time than a small one), never more than all
        that is left, minus a group's overhead."""
        rounds = max(1, math.ceil(pending / max(1, workers)))
        free = self.left() - keep_s
        share = min(free * weight / rounds, free) - self.overhead_s()
        return max(MIN_SOLVE_S, share)

    def shares_up_front(self, sizes: Sequence[int], workers: int, keep_s: float = 0.0) -> list[float]:
        """Every group's solver seconds (by its size in tasks) as if all started now: for groups that start on
        their own schedule (a Dask cluster) or are solved elsewhere (a benchmark)."""
        return [self.solve_share(len(sizes), workers, keep_s, size_weight(sizes, k, range(len(sizes))))
                for k in range(len(sizes))]


def repair_reserve(limit_s: float, groups: int, pending: int, undone: int, given: int) -> float:
    """Seconds of a `groups`-group plan's limit kept for the repair pass while `pending` groups are unfinished and
    the finished ones left `undone` of their `given` tasks. It shrinks as groups finish with nothing undone; once
    groups leave work undone it grows with the share they left (a group that found no plan leaves all of it)."""
    if groups <= 1:
        return 0.0
    if not undone:
        return REPAIR_PRIOR_SHARE * limit_s * pending / groups
    return limit_s * min(MAX_REPAIR_SHARE, max(REPAIR_SHARE, undone / max(1, given)))


def lanes(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Groups (indices into `sizes`, tasks each) dealt to `workers` lanes, largest first onto the lane with the
    fewest tasks so far: each lane runs its groups in turn through the whole budget, so every worker works until
    the deadline (handing shares out by rounds left a worker idle while a big group ran on the other)."""
    dealt: list[list[int]] = [[] for _ in range(max(1, min(workers, len(sizes))))]
    load = [0] * len(dealt)
    for k in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        lane = min(range(len(dealt)), key=lambda j: (load[j], j))
        dealt[lane].append(k)
        load[lane] += max(1, sizes[k])
    return dealt


def size_weight(sizes: Sequence[int], k: int, pending: Iterable[int]) -> float:
    """Group k's size (tasks; at least one) over the mean size of the `pending` groups (k among them)."""
    others = [max(1, sizes[i]) for i in pending]
    return max(1, sizes[k]) * len(others) / sum(others)
