"""City-scale benchmark: generated scenarios of growing size, planned with a fixed budget and verified.

Each size runs in its own process so peak memory is that run's alone. Wall time covers planning and verifying.
usage: python benchmarks/scale.py [--sizes small,medium,city] [--time-limit S] [--workers N] [--repeats R]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

SIZES = {
    # name: hangars, drones per hangar, km of patrol lines, points, zones, closures
    "small": dict(hangars=15, drones_per_hangar=2, line_km=200, points=30, zones=6, closures=1),
    "medium": dict(hangars=50, drones_per_hangar=2, line_km=700, points=100, zones=20, closures=2),
    "city": dict(hangars=150, drones_per_hangar=2, line_km=2000, points=300, zones=60, closures=4),
}


def run_one(size: str, time_limit: float, workers: int, seed: int) -> dict:
    """Plan and verify one generated scenario in this process; returns the figures."""
    from missions.synthetic import synthetic_scenario
    from missions.verify import verify_plan
    from planner import PlanOptions, plan
    from airspace.projection import Projector
    import numpy as np

    scenario = synthetic_scenario(seed, wind_ms=5.0, lakes=max(1, SIZES[size]["hangars"] // 10),
                                  corridors=max(1, SIZES[size]["hangars"] // 15), **SIZES[size])
    started = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=time_limit, seed=seed, workers=workers))
    planned = time.perf_counter()
    report = verify_plan(result, scenario)
    wall = time.perf_counter() - started  # planned and verified
    projector = Projector.for_lonlat(scenario.hangars[0].lon, scenario.hangars[0].lat)
    inspected = 0.0
    for sortie in result.sorties:
        for inspection in sortie.inspections:
            pts = np.asarray(inspection.coordinates)[:, :2]
            x, y = projector.forward(pts[:, 0], pts[:, 1])
            inspected += float(np.sum(np.hypot(np.diff(x), np.diff(y))))
    total = result.summary.total_distance_m
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "size": size, "hangars": len(scenario.hangars), "drones": sum(h.drones for h in scenario.hangars),
        "line_km": SIZES[size]["line_km"], "tasks": len(result.tasks) + len(result.unserved) - sum(
            1 for u in result.unserved if u.task_id in {t.task_id for t in result.tasks}),
        "wall_s": round(wall, 1), "plan_s": round(planned - started, 1), "peak_mb": round(max(own, children) / 1024, 0),
        "coverage": round(result.summary.coverage, 4), "sorties": result.summary.sorties,
        "deadhead": round((total - inspected) / total, 3) if total else 0.0,
        "violations": len(report.violations), "unserved": len(result.unserved),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,city")
    parser.add_argument("--time-limit", type=float, default=30.0, help="solver budget per plan (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="runs per size; the median wall time is printed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one size in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit, args.workers, args.seed)))
        return
    header = (f"{'size':7} {'hangars':>7} {'drones':>6} {'line km':>7} {'tasks':>6} {'wall s':>7} {'plan s':>7} {'peak MB':>8} "
              f"{'coverage':>8} {'deadhead':>8} {'sorties':>7} {'violations':>10}")
    print(header)
    rows = []
    for size in args.sizes.split(","):
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, __file__, "--one", size, "--time-limit", str(args.time_limit),
                                  "--workers", str(args.workers), "--seed", str(args.seed)],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        row = dict(runs[0], wall_s=statistics.median(r["wall_s"] for r in runs),
                   plan_s=statistics.median(r["plan_s"] for r in runs),
                   peak_mb=max(r["peak_mb"] for r in runs))
        rows.append(row)
        print(f"{row['size']:7} {row['hangars']:>7} {row['drones']:>6} {row['line_km']:>7} {row['tasks']:>6} "
              f"{row['wall_s']:>7.1f} {row['plan_s']:>7.1f} {row['peak_mb']:>8.0f} {row['coverage']:>8.1%} {row['deadhead']:>8.1%} "
              f"{row['sorties']:>7} {row['violations']:>10}", flush=True)
    if len(rows) > 1:
        print(f"wall-time ratio {rows[-1]['size']}/{rows[0]['size']}: {rows[-1]['wall_s'] / rows[0]['wall_s']:.1f}x")


if __name__ == "__main__":
    main()
