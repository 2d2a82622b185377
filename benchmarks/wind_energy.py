"""Wind against flight time and energy: one generated day planned at 0-12 m/s of wind, every plan verified.

The day (6 hangars, 12 drones, 90 km of lines, points, a lake, zones) is fixed; only the wind speed changes (its
direction is the day's). Both models may launch up to 12 m/s, so the table shows what wind costs, not a launch limit.
usage: python benchmarks/wind_energy.py [--winds 0,1,...,12] [--time-limit S] [--solution-limit N] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root holds the packages
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from missions.models import Scenario, UnservedReason
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan

LAUNCH_LIMIT_MS = 12.0  # both models' max_wind_ms for this benchmark (the Dock 3 figure)
TRANSIT_M = 100.0


def day(wind_ms: float, seed: int = 0) -> Scenario:
    scenario = synthetic_scenario(seed, hangars=6, drones_per_hangar=2, line_km=90, wind_ms=wind_ms,
                                  name=f"wind-{wind_ms:g}")
    models = [m.model_copy(update={"max_wind_ms": LAUNCH_LIMIT_MS}) for m in scenario.drone_models]
    return scenario.model_copy(update={"drone_models": models})


def run_one(wind_ms: float, time_limit_s: float, solution_limit: int | None, seed: int) -> dict:
    scenario = day(wind_ms, seed)
    started = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=time_limit_s, solution_limit=solution_limit, seed=seed))
    solve_s = time.perf_counter() - started
    report = verify_plan(result, scenario)
    models = {m.id: m for m in scenario.drone_models}
    used = [s.battery_used for s in result.sorties]
    wh = sum(models[s.drone_model].energy_wh(s.battery_used) or 0.0 for s in result.sorties)
    agreement = max((abs(s.battery_used - report.battery[s.sortie_id]) / report.battery[s.sortie_id]
                     for s in result.sorties), default=0.0)
    not_flyable = {UnservedReason.BLOCKED_BY_AIRSPACE, UnservedReason.INVALID}
    physics = [u for u in result.unserved if u.reason not in not_flyable]
    return {
        "wind_10m": wind_ms,
        "wind_100m": round(float(scenario.wind.profile.speed_at(TRANSIT_M)), 1),
        "coverage": round(result.summary.coverage, 4),
        "unserved_for_wind_energy_or_capacity": len(physics),
        "sorties": result.summary.sorties,
        "drones": result.summary.drones_used,
        "flight_h": round(sum(s.flight_time_s for s in result.sorties) / 3600, 2),
        "km": round(result.summary.total_distance_m / 1000, 1),
        "energy_batteries": round(sum(used), 2),
        "energy_wh": round(wh, 0),
        "wh_per_km": round(wh / (result.summary.total_distance_m / 1000), 2) if result.sorties else 0.0,
        "battery_mean": round(sum(used) / len(used), 3) if used else 0.0,
        "battery_max": round(max(used), 3) if used else 0.0,
        "verified": report.ok,
        "planner_vs_verifier": round(agreement, 5),
        "solve_s": round(solve_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--winds", default=",".join(str(w) for w in range(13)), help="wind speeds at 10 m, m/s")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--solution-limit", type=int, default=200, help="deterministic search budget per plan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per wind instead of a table")
    args = parser.parse_args()
    header = ("| wind 10 m | wind 100 m | coverage | unserved (wind/energy/capacity) | sorties | drones | flight time "
              "| distance | energy | Wh/km | battery mean / max | verified | planner vs verifier |")
    if not args.json:
        print(header)
        print("| " + " | ".join(["---:"] * (header.count("|") - 1)) + " |")
    for wind in (float(w) for w in args.winds.split(",")):
        row = run_one(wind, args.time_limit, args.solution_limit, args.seed)
        if args.json:
            print(json.dumps(row), flush=True)
            continue
        print(f"| {row['wind_10m']:g} m/s | {row['wind_100m']:.1f} m/s | {100 * row['coverage']:.1f} % "
              f"| {row['unserved_for_wind_energy_or_capacity']} | {row['sorties']} | {row['drones']} "
              f"| {row['flight_h']:.2f} h | {row['km']:.1f} km | {row['energy_batteries']:.2f} batteries "
              f"({row['energy_wh']:.0f} Wh) | {row['wh_per_km']:.2f} | {100 * row['battery_mean']:.0f} % / "
              f"{100 * row['battery_max']:.0f} % | {'yes' if row['verified'] else 'NO'} "
              f"| {100 * row['planner_vs_verifier']:.3f} % |", flush=True)


if __name__ == "__main__":
    main()
