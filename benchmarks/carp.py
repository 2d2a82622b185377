"""CARP benchmark: CARPLIB instances through planner.routing.solve, optionally against PyVRP, gaps to BKS.

Usage: python -m benchmarks.carp INSTANCE... --time-limit 10 --out results.json [--peer pyvrp] [--bks PATH]
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: benchmarks/carp.py ...; make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.carp import (load_carp, oriented_arcs, problem_from_carp, routes_cost,
                                shortest_distances)
from planner.routing.solver import solve
from planner.routing.problem import RoutingProblem, SolveParams

DEFAULT_BKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "carp" / "bks.csv"  # shared/ beside the repo


def run_lowalt(problem: RoutingProblem, time_limit_s: float, seed: int) -> tuple[list[list[int]], int, float]:
    t0 = time.monotonic()
    sol = solve(problem, SolveParams(time_limit_s=time_limit_s, seed=seed))
    if sol.dropped_tasks:
        raise RuntimeError(f"lowalt left {len(sol.dropped_tasks)} required edges unserved ({sol.status})")
    return [r for r in sol.routes if r], sol.objective, time.monotonic() - t0


def run_pyvrp(problem: RoutingProblem, time_limit_s: float, seed: int) -> tuple[list[list[int]], int, float]:
    """PyVRP on the same RoutingProblem (benchmarks.pyvrp_peer): each required edge a group of two arcs."""
    from benchmarks.pyvrp_peer import solve_pyvrp
    from planner.routing.solver import solution_cost

    got = solve_pyvrp(problem, time_limit_s, seed)
    if not got.feasible:
        raise RuntimeError("PyVRP found no feasible solution")
    return [r for r in got.routes if r], solution_cost(problem, got.routes), got.wall_s


def load_bks(path: Path) -> dict[str, int]:
    with open(path, newline="") as f:
        return {row["instance"]: int(row["best_known_cost"]) for row in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="+", type=Path)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--out", type=Path, default=Path("results.json"))
    ap.add_argument("--gaps", type=Path, default=None, help="CSV of gaps (default: <out>-gaps.csv next to --out)")
    ap.add_argument("--peer", choices=["pyvrp"], default=None)
    ap.add_argument("--bks", type=Path, default=DEFAULT_BKS)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    bks = load_bks(args.bks) if args.bks.exists() else {}
    solvers = [("lowalt", run_lowalt)] + ([("pyvrp", run_pyvrp)] if args.peer else [])

    results, rows = [], []
    print(f"{'instance':<12} {'bks':>7} " + " ".join(f"{n + ' cost':>12} {'gap%':>6} {'s':>5}" for n, _ in solvers))
    for path in args.instances:
        inst = load_carp(path)
        dist = shortest_distances(inst)
        problem = problem_from_carp(inst, dist)
        arcs = oriented_arcs(inst)
        # File names are the canonical ids: egl-e2-A.dat says NOMBRE : egl-e2-7.
        row = {"instance": path.stem, "bks": bks.get(path.stem)}
        for name, run in solvers:
            routes, cost, seconds = run(problem, args.time_limit, args.seed)
            arc_routes = [[list(arcs[i]) for i in r] for r in routes]
            # Independent check: the cost recomputed from the oriented routes and the instance alone.
            recomputed = routes_cost(inst, [[tuple(a) for a in r] for r in arc_routes], dist)
            assert recomputed == cost, f"{name} on {inst.name}: reported {cost}, recomputed {recomputed}"
            results.append({"instance": path.stem, "solver": name, "cost": cost, "time_s": round(seconds, 3),
                            "routes": arc_routes})
            gap = 100.0 * (cost - row["bks"]) / row["bks"] if row["bks"] else None
            prefix = "" if name == "lowalt" else f"{name}_"
            row.update({f"{prefix}cost": cost, f"{prefix}gap_pct": None if gap is None else round(gap, 3),
                        f"{prefix}time_s": round(seconds, 2)})
        rows.append(row)
        cells = " ".join(
            f"{row[p + 'cost']:>12} {('%.2f' % row[p + 'gap_pct']) if row[p + 'gap_pct'] is not None else '-':>6} "
            f"{row[p + 'time_s']:>5.1f}" for p in ("" if n == "lowalt" else n + "_" for n, _ in solvers))
        print(f"{path.stem:<12} {row['bks'] or '-':>7} {cells}", flush=True)
        args.out.write_text(json.dumps(results))  # rewritten each instance, so a long run can be read early

    gaps_path = args.gaps or args.out.with_name(f"{args.out.stem}-gaps.csv")  # never named like the reference bks.csv
    with open(gaps_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name, _ in solvers:
        key = "gap_pct" if name == "lowalt" else f"{name}_gap_pct"
        gaps = [r[key] for r in rows if r[key] is not None]
        if gaps:
            print(f"{name}: mean gap {np.mean(gaps):.2f} % over {len(gaps)} instances with a BKS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
