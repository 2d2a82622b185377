"""Run group solves in-process, in a local process pool, or on a Dask cluster; results come back in job order.

Dask, not Ray: PyPI wheels, a LocalCluster for tests, an existing scheduler by address. Local groups get time as they start."""
from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Callable

from airspace.errors import LowaltError
from planner.fleet.budget import Budget, lanes, size_weight
from planner.fleet.group_solve import GroupJob, GroupResult, solve_group

logger = logging.getLogger(__name__)

SCHEDULER_TIMEOUT_S = 30  # an address that answers nothing fails the plan instead of hanging it


Keep = Callable[[list[GroupResult], int], float]  # (finished results, groups pending) -> seconds to keep


def run_groups(jobs: list[GroupJob], executor: str, workers: int, budget: Budget, keep: float | Keep = 0.0,
               scheduler_address: str | None = None, progress: Callable[[int, float], None] | None = None,
               offset: int = 0) -> list[GroupResult]:
    """Solve every job; each gets its solver time from `budget` as it starts, by its number of tasks against the
    groups still to start, keeping `keep` seconds (or what keep(finished, pending) says) for later steps.
    `progress` sees `offset` plus the objectives of finished groups plus the running group's best."""
    if not jobs:
        return []
    keep_s: Keep = keep if callable(keep) else (lambda _done, _pending, seconds=float(keep): seconds)
    if executor == "dask":
        return _run_dask(jobs, workers, budget, keep_s([], len(jobs)), scheduler_address)
    started = time.perf_counter()
    done_objective = offset
    done: dict[int, GroupResult] = {}
    submitted: dict[int, float] = {}

    sizes = [len(job.tasks) for job in jobs]

    def timed(k: int, turn: list[int], unfinished: int) -> GroupJob:
        """Job k with its share of the time left: by its size among `turn`, the groups still to run one after
        another on its worker (k first); `unfinished` groups in all decide what is kept for later steps."""
        submitted[k] = time.perf_counter()
        share = budget.solve_share(len(turn), 1, keep_s(list(done.values()), unfinished),
                                   size_weight(sizes, k, turn))
        return dataclasses.replace(jobs[k], time_limit_s=share)

    def report_done(k: int, result: GroupResult) -> None:
        # Across groups, "best so far" is the sum of finished groups' objectives.
        nonlocal done_objective
        done[k] = result
        done_objective += result.objective or 0
        # Overhead as the plan sees it: everything but the solver, shipping the job to a process included.
        budget.overheads.append(max(0.0, time.perf_counter() - submitted[k] - result.stats.get("solve_s", 0.0)))
        if progress is not None:
            progress(done_objective, time.perf_counter() - started)

    if workers <= 1 or len(jobs) <= 1:
        for k in range(len(jobs)):
            live = None
            if progress is not None:
                def live(objective: int, _elapsed: float, base: int = done_objective) -> None:
                    progress(base + objective, time.perf_counter() - started)
            report_done(k, solve_group(timed(k, list(range(k, len(jobs))), len(jobs) - k), live))
        return [done[k] for k in range(len(jobs))]
    queues = lanes(sizes, workers)
    with ProcessPoolExecutor(max_workers=len(queues)) as pool:
        running: dict[Future, tuple[int, int]] = {}  # future -> (group, lane)

        def start(lane: int) -> None:
            if queues[lane]:
                k = queues[lane].pop(0)
                running[pool.submit(solve_group, timed(k, [k, *queues[lane]], len(jobs) - len(done)))] = (k, lane)

        for lane in range(len(queues)):
            start(lane)
        while running:
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=running.__getitem__):
                k, lane = running.pop(future)
                report_done(k, future.result())
                start(lane)
    return [done[k] for k in range(len(jobs))]


def _run_dask(jobs: list[GroupJob], workers: int, budget: Budget, keep_s: float,
              scheduler_address: str | None) -> list[GroupResult]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # optional dependency
        raise LowaltError("executor 'dask' needs dask[distributed]: pip install 'lowalt-planner[distributed]'") from exc
    # A cluster's workers start groups on their own schedule: every group gets its share up front.
    shares = budget.shares_up_front([len(job.tasks) for job in jobs], workers, keep_s)
    jobs = [dataclasses.replace(job, time_limit_s=share) for job, share in zip(jobs, shares)]
    if scheduler_address:
        try:
            client = Client(scheduler_address, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise LowaltError(f"cannot reach the Dask scheduler at {scheduler_address} within "
                              f"{SCHEDULER_TIMEOUT_S} s: {exc}") from None
        with client:
            return _gather(client, jobs, budget)
    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        return _gather(client, jobs, budget)


def _gather(client, jobs: list[GroupJob], budget: Budget) -> list[GroupResult]:
    futures = client.map(solve_group, jobs, pure=False)
    results = list(client.gather(futures))
    budget.overheads.extend(r.stats.get("overhead_s", 0.0) for r in results)
    logger.info("dask: %d groups solved on %d workers", len(results), len(client.scheduler_info()["workers"]))
    return results
