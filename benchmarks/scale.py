"""City-scale benchmark: generated scenarios of growing size, planned with a fixed budget and verified.

Each size runs in its own process so peak memory is that run's alone. Wall time covers planning and verifying.
"flyable" is the share of the work some drone could fly (served, or unserved for capacity or time) that is flown;
"stranded" counts tasks unserved for capacity or time beside a drone within reach with the free time to fly them
alone (missions.stranding, independent of the planner): the goal is 0.
usage: python benchmarks/scale.py [--sizes small,medium,city] [--time-limit S] [--workers N] [--repeats R]
                                  [--repair-rounds N] [--group-hangars N] [--objective distance]
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
    # The same city with one drone per hangar: the fleet's day is nearly full, so the split into groups matters.
    "city-tight": dict(hangars=150, drones_per_hangar=1, line_km=4000, points=300, zones=60, closures=4),
}


def run_one(size: str, time_limit: float, workers: int, seed: int, repair_rounds: int, group_hangars: int,
            objective: str = "flight_time") -> dict:
    """Plan and verify one generated scenario in this process; returns the figures."""
    from missions.stranding import CAPACITY_REASONS, stranded_tasks
    from missions.synthetic import synthetic_scenario
    from missions.verify import verify_plan
    from planner import PlanOptions, plan

    scenario = synthetic_scenario(seed, wind_ms=5.0, lakes=max(1, SIZES[size]["hangars"] // 10),
                                  corridors=max(1, SIZES[size]["hangars"] // 15), **SIZES[size])
    started = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=time_limit, seed=seed, workers=workers,
                                        repair_rounds=repair_rounds, max_group_hangars=group_hangars,
                                        objective=objective))
    planned = time.perf_counter()
    report = verify_plan(result, scenario)
    wall = time.perf_counter() - started  # planned and verified
    stranded = stranded_tasks(result, scenario)
    length = {t.task_id: t.length_m or 1.0 for t in result.tasks}  # a point counts 1 m, as in missions.coverage
    served = sum(length[t] for s in result.sorties for t in s.tasks)
    undone = sum(length.get(u.task_id, 0.0) for u in result.unserved if u.reason.value in CAPACITY_REASONS)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "size": size, "hangars": len(scenario.hangars), "drones": sum(h.drones for h in scenario.hangars),
        "line_km": SIZES[size]["line_km"], "tasks": len(result.tasks) + len(result.unserved) - sum(
            1 for u in result.unserved if u.task_id in {t.task_id for t in result.tasks}),
        "wall_s": round(wall, 1), "plan_s": round(planned - started, 1), "peak_mb": round(max(own, children) / 1024, 0),
        "coverage": round(result.summary.coverage, 4), "sorties": result.summary.sorties,
        "km": round(sum(s.distance_m for s in result.sorties) / 1000.0, 1),
        "flyable": round(served / (served + undone), 4) if served + undone else 1.0,
        "deadhead": result.summary.deadhead_share, "violations": len(report.violations),
        "unserved": len(result.unserved), "capacity": sum(u.reason.value in CAPACITY_REASONS for u in result.unserved),
        "stranded": len(stranded), "repaired": result.summary.repaired_tasks,
        "idle_drones": sum(h.drones for h in scenario.hangars) - result.summary.drones_used,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,city")
    parser.add_argument("--time-limit", type=float, default=30.0, help="solver budget per plan (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="runs per size; the median wall time is printed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repair-rounds", type=int, default=4, help="PlanOptions.repair_rounds (0: no repair)")
    parser.add_argument("--group-hangars", type=int, default=12, help="PlanOptions.max_group_hangars")
    parser.add_argument("--objective", choices=["flight_time", "distance"], default="flight_time",
                        help="PlanOptions.objective")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one size in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit, args.workers, args.seed, args.repair_rounds,
                                 args.group_hangars, args.objective)))
        return
    print(f"objective {args.objective}, time limit {args.time_limit:g} s, {args.workers} workers")
    header = (f"{'size':7} {'hangars':>7} {'drones':>6} {'line km':>7} {'tasks':>6} {'wall s':>7} {'plan s':>7} {'peak MB':>8} "
              f"{'coverage':>8} {'flyable':>8} {'deadhead':>8} {'sorties':>7} {'km':>7} {'idle':>5} {'capacity':>8} "
              f"{'stranded':>8} {'repaired':>8} {'violations':>10}")
    print(header)
    rows = []
    for size in args.sizes.split(","):
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, __file__, "--one", size, "--time-limit", str(args.time_limit),
                                  "--workers", str(args.workers), "--seed", str(args.seed),
                                  "--repair-rounds", str(args.repair_rounds), "--group-hangars", str(args.group_hangars),
                                  "--objective", args.objective],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        # Medians over the runs (the machine is shared); the worst run's peak memory, stranded and violations.
        row = dict(runs[0], **{k: statistics.median(r[k] for r in runs)
                               for k in ("wall_s", "plan_s", "coverage", "flyable", "deadhead", "sorties",
                                         "km", "idle_drones", "capacity", "repaired")},
                   peak_mb=max(r["peak_mb"] for r in runs), stranded=max(r["stranded"] for r in runs),
                   violations=max(r["violations"] for r in runs), walls=[r["wall_s"] for r in runs])
        rows.append(row)
        print(f"{row['size']:7} {row['hangars']:>7} {row['drones']:>6} {row['line_km']:>7} {row['tasks']:>6} "
              f"{row['wall_s']:>7.1f} {row['plan_s']:>7.1f} {row['peak_mb']:>8.0f} {row['coverage']:>8.1%} "
              f"{row['flyable']:>8.2%} {row['deadhead']:>8.1%} {row['sorties']:>7.0f} {row['km']:>7.1f} "
              f"{row['idle_drones']:>5.0f} "
              f"{row['capacity']:>8.0f} {row['stranded']:>8} {row['repaired']:>8.0f} {row['violations']:>10}"
              + (f"   walls {row['walls']}" if len(runs) > 1 else ""), flush=True)
    if len(rows) > 1:
        print(f"wall-time ratio {rows[-1]['size']}/{rows[0]['size']}: {rows[-1]['wall_s'] / rows[0]['wall_s']:.1f}x")


if __name__ == "__main__":
    main()
