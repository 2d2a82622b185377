"""Memory of a long-lived process (a service, a Dask worker): peak RSS while plan() and replan() of one generated
day run again and again in one process. A flat line is the goal; a slope is a leak.

usage: python benchmarks/repeated.py [--runs 40]
"""
from __future__ import annotations

import argparse
import gc
import logging
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from missions.models import Weather
from missions.synthetic import synthetic_scenario
from planner import PlanOptions, plan, replan
from planner.replan import Changes
from planner.routing import compile_search

DAY = dict(hangars=6, drones_per_hangar=2, line_km=90, points=8, zones=2, closures=1, wind_ms=4)
OPTIONS = PlanOptions(time_limit_s=20, seed=0, solution_limit=100, workers=1)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(name: str, runs: int, step) -> None:
    step(0)  # the first run fills caches and loads compiled code
    gc.collect()
    start, t0 = peak_mb(), time.perf_counter()
    for k in range(1, runs + 1):
        step(k)
    gc.collect()
    grown = peak_mb() - start
    print(f"{name:8s} {runs:4d} runs  {start:7.0f} MB -> {peak_mb():7.0f} MB  {grown / runs:6.2f} MB a run  "
          f"{(time.perf_counter() - t0) / runs:5.2f} s a run", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    compile_search()
    scenario = synthetic_scenario(103, **DAY)  # type: ignore[arg-type]
    day = plan(scenario, OPTIONS)
    wind = Weather(wind_speed_ms=7, wind_from_deg=0, reference_height_m=10)
    print(f"peak resident memory over {args.runs} runs after a first one (generated day: 6 hangars x 2 drones)")
    measure("plan", args.runs, lambda k: plan(scenario, OPTIONS.model_copy(update={"seed": k})))
    measure("replan", args.runs, lambda k: replan(scenario, day, 13 * 3600 + 60 * (k % 60), Changes(wind=wind),
                                                 OPTIONS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
