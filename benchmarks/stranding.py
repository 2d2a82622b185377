"""Decomposition that strands nothing: the repair pass against no repair and bigger groups where a split city strands.

usage: python benchmarks/stranding.py [--repeats 3] [--time-limit 55] [--workers 2] [--variants NAME,...]"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: tests.helpers is importable

FAILED_GROUP = "group-05"
# Two ways a split city strands work: the hotspot (two of four hangars open only in the afternoon, which the split's
# whole-day estimate cannot see; tests/helpers/fleet_days.py), and the generated city with one group whose search
# finds no plan (the solver's time-out answer injected), as a new user saw at 150 hangars. "stranded": unserved
# for capacity or time beside a drone within reach with the free time to fly it (missions.stranding).
VARIANTS = {
    # name: case, PlanOptions changes
    "hotspot: no repair": ("hotspot", {"repair_rounds": 0, "max_group_hangars": 2}),
    "hotspot: repair": ("hotspot", {"max_group_hangars": 2}),
    "hotspot: one group": ("hotspot", {"repair_rounds": 0, "max_group_hangars": 4}),
    "failed group: no repair": ("failed", {"repair_rounds": 0}),
    "failed group: repair": ("failed", {}),
    "city: 24-hangar groups": ("city", {"repair_rounds": 0, "max_group_hangars": 24}),
}


def _failing_solve_group(job, progress=None):
    """solve_group with the chosen group's search failing; module level, so worker processes can run it."""
    from planner.fleet import group_solve
    from tests.helpers.fleet_days import solver_timeout

    real = group_solve.solve
    group_solve.solve = solver_timeout if job.name == FAILED_GROUP else real
    try:
        return group_solve.solve_group(job, progress)
    finally:
        group_solve.solve = real


def run_one(variant: str, time_limit: float, workers: int) -> dict:
    from benchmarks.scale import SIZES
    from missions.stranding import CAPACITY_REASONS, stranded_tasks
    from missions.synthetic import synthetic_scenario
    from missions.verify import verify_plan
    from planner import PlanOptions, plan
    from planner.fleet import executors
    from tests.helpers.fleet_days import hotspot

    case, changes = VARIANTS[variant]
    if case == "hotspot":
        scenario = hotspot()
        limit = min(time_limit, 12.0)
    else:
        scenario = synthetic_scenario(0, wind_ms=5.0, lakes=15, corridors=10, **SIZES["city"])
        limit = time_limit
    if case == "failed":
        executors.solve_group = _failing_solve_group
    started = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=limit, seed=0, workers=workers, **changes))
    wall = time.perf_counter() - started
    report = verify_plan(result, scenario)
    return {"variant": variant, "tasks": len(result.tasks), "served": result.summary.served_tasks,
            "capacity": sum(u.reason.value in CAPACITY_REASONS for u in result.unserved),
            "stranded": len(stranded_tasks(result, scenario)), "repaired": result.summary.repaired_tasks,
            "plan_s": round(wall, 1), "limit_s": limit, "verified": report.ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=55.0, help="the city's limit (the hotspot gets 12 s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit, args.workers)))
        return
    print(f"{'variant':26} {'tasks':>6} {'served':>6} {'capacity':>8} {'stranded':>8} {'repaired':>8} {'plan s':>6} "
          f"{'limit s':>7} verified")
    for variant in args.variants.split(","):
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, __file__, "--one", variant, "--time-limit", str(args.time_limit),
                                  "--workers", str(args.workers)], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in runs) for k in ("served", "capacity", "repaired", "plan_s")}
        print(f"{variant:26} {runs[0]['tasks']:>6} {med['served']:>6.0f} {med['capacity']:>8.0f} "
              f"{max(r['stranded'] for r in runs):>8} {med['repaired']:>8.0f} {med['plan_s']:>6.1f} "
              f"{runs[0]['limit_s']:>7g} {'yes' if all(r['verified'] for r in runs) else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
