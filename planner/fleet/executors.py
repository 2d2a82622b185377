"""Run group solves in-process, in a local process pool, or on a Dask cluster; results come back in job order.

Dask was chosen over Ray: pure-Python wheels from PyPI, a LocalCluster for tests, and it joins an existing
scheduler by address without a runtime of its own; results are identical to the local executor for a seed.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable

from airspace.errors import LowaltError
from planner.fleet.group_solve import GroupJob, GroupResult, solve_group

logger = logging.getLogger(__name__)

SCHEDULER_TIMEOUT_S = 30  # an address that answers nothing fails the plan instead of hanging it


def run_groups(jobs: list[GroupJob], executor: str, workers: int, scheduler_address: str | None = None,
               progress: Callable[[int, float], None] | None = None) -> list[GroupResult]:
    if executor == "dask":
        return _run_dask(jobs, workers, scheduler_address)
    started = time.perf_counter()
    done_objective = 0

    def report_done(result: GroupResult) -> None:
        # Across groups, "best so far" is the sum of finished groups' objectives.
        nonlocal done_objective
        done_objective += result.objective or 0
        if progress is not None:
            progress(done_objective, time.perf_counter() - started)

    if workers <= 1 or len(jobs) <= 1:
        results = []
        for job in jobs:
            live = None
            if progress is not None:
                def live(objective: int, _elapsed: float, offset: int = done_objective) -> None:
                    progress(offset + objective, time.perf_counter() - started)
            results.append(solve_group(job, live))
            report_done(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = [pool.submit(solve_group, job) for job in jobs]
        for future in as_completed(futures):
            report_done(future.result())
        return [future.result() for future in futures]


def _run_dask(jobs: list[GroupJob], workers: int, scheduler_address: str | None) -> list[GroupResult]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # optional dependency
        raise LowaltError("executor 'dask' needs dask[distributed]: pip install 'lowalt-planner[distributed]'") from exc
    if scheduler_address:
        try:
            client = Client(scheduler_address, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise LowaltError(f"cannot reach the Dask scheduler at {scheduler_address} within "
                              f"{SCHEDULER_TIMEOUT_S} s: {exc}") from None
        with client:
            return _gather(client, jobs)
    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        return _gather(client, jobs)


def _gather(client, jobs: list[GroupJob]) -> list[GroupResult]:
    futures = client.map(solve_group, jobs, pure=False)
    results = client.gather(futures)
    logger.info("dask: %d groups solved on %d workers", len(results), len(client.scheduler_info()["workers"]))
    return list(results)
