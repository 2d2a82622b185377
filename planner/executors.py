"""Run group solves in-process, in a local process pool, or on a Dask cluster; results come back in job order.

Dask was chosen over Ray: pure-Python wheels from PyPI, a LocalCluster for tests, and it joins an existing
scheduler by address without a runtime of its own; results are identical to the local executor for a seed.
"""
from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from planner.group_solve import GroupJob, GroupResult, solve_group

logger = logging.getLogger(__name__)


def run_groups(jobs: list[GroupJob], executor: str, workers: int, scheduler_address: str | None = None,
               progress: Callable[[int, float], None] | None = None) -> list[GroupResult]:
    if executor == "dask":
        return _run_dask(jobs, workers, scheduler_address)
    if workers <= 1 or len(jobs) <= 1:
        # In-process: the only mode where the progress callback can reach the caller.
        return [solve_group(job, progress if len(jobs) == 1 else None) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return list(pool.map(solve_group, jobs))


def _run_dask(jobs: list[GroupJob], workers: int, scheduler_address: str | None) -> list[GroupResult]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # optional dependency
        raise ValueError("executor 'dask' needs dask[distributed]: pip install 'lowalt-planner[distributed]'") from exc
    if scheduler_address:
        with Client(scheduler_address) as client:
            return _gather(client, jobs)
    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        return _gather(client, jobs)


def _gather(client, jobs: list[GroupJob]) -> list[GroupResult]:
    futures = client.map(solve_group, jobs, pure=False)
    results = client.gather(futures)
    logger.info("dask: %d groups solved on %d workers", len(results), len(client.scheduler_info()["workers"]))
    return list(results)
