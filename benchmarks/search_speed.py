"""Speed of the routing search's compiled loop: iterations per second on the hangar groups plan() solves.

A fixed amount of work per group (the result does not depend on the clock), so the objective printed beside the
speed shows a change to the loop moved nothing but time. usage: python -m benchmarks.search_speed [--repeats 3]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fleet import INSTANCES, scenario_for, solvable_groups
from planner.routing.search import Search, compile_search

ITERATIONS = 30_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per group; the median speed is printed")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    t0 = time.monotonic()
    compile_search()
    print(f"compiled loop ready in {time.monotonic() - t0:.1f} s")
    print(f"{'day':12s} {'group':>5s} {'tasks':>5s} {'vehicles':>8s} {'iterations/s':>12s} {'objective':>10s}")
    speeds = []
    for day in INSTANCES:
        for g, (_, prepared) in enumerate(solvable_groups(scenario_for(day, 0), 20, 0)):
            problem = prepared.built.problem
            runs = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                result = Search(problem).run(np.random.default_rng(0), 1e9, args.iterations)
                runs.append((result.iterations / (time.perf_counter() - began), result.objective))
            speed = statistics.median(r[0] for r in runs)
            speeds.append(speed)
            print(f"{day:12s} {g:5d} {problem.num_tasks:5d} {len(problem.vehicles):8d} {speed:12,.0f} "
                  f"{runs[0][1]:10d}")
    print(f"median over groups: {statistics.median(speeds):,.0f} iterations/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
