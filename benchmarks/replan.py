"""Replanning benchmark: time to replan, orphaned work recovered, urgent targets served, extra distance against
planning the changed day from scratch; every merged day verified.

usage: python benchmarks/replan.py [--parts demo,mdrpp,generated] [--runs 3] [--family gdb] [--limit 12] [--days 8]

- demo: the Wuhan demo day planned as `lowalt demo` plans it, then replanned at 13:40 (10:00 for a lifted zone) after
  each kind of change with `lowalt replan`'s defaults (6 s time limit, 2 workers): planner.replan's wall time and the
  whole command's (load, replan, verify, write files and map), medians of --runs.
- mdrpp: MD-RPP-RRV failure-scenario instances (tests/helpers/mdrpp.py turns one into a day): planned, then
  replanned at each vehicle failure in turn (the failures of one moment together).
- generated: synthetic days, each replanned once after a random change (failure, closure, wind, hangar or drone out
  of service, urgent target, cancelled target) at a random time.
"From scratch" plans the final changed day (the failures, outages and closures known from the start) in one go: the
distance the replanned day flies against that plan's, both with their coverage.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: tests.helpers is importable

AT = "13:40"
SOLVE = {"time_limit_s": 20.0, "solution_limit": 100, "seed": 0, "workers": 2}  # mdrpp and generated days
KINDS = ["failure", "closure", "lifted zone", "wind", "hangar out", "drone out", "urgent", "cancelled target"]


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _verified(result) -> int:
    from missions.verify import verify_plan

    return len(verify_plan(result.plan, result.scenario).violations)


def _scratch(changed, at_s: int, options):
    """The changed day planned in one go, in the wind from `at_s` all day (plan() plans a day in one wind)."""
    from missions.verify import verify_plan
    from planner import plan

    day = changed.model_copy(update={"weather": changed.weather_at(at_s), "weather_updates": []})
    result = plan(day, options)
    assert verify_plan(result, day).ok
    return result


def _urgent_outcome(result) -> str | None:
    """served / impossible (no drone can be over it by its deadline, the reason's bound says) / missed."""
    from missions.models import UnservedReason

    urgent = {t.task_id for t in result.plan.tasks if t.urgent}
    if not urgent:
        return None
    served = {t for s in result.plan.sorties for t in s.tasks}
    if urgent <= served:
        return "served"
    left = [u for u in result.plan.unserved if u.task_id in urgent]
    if all(u.reason == UnservedReason.WINDOW_IMPOSSIBLE and u.detail.startswith("no drone within reach can inspect")
           for u in left):
        return "impossible"
    return "missed"


def _row(label: str, result, wall_s: float, scratch=None) -> dict:
    d = result.diff
    # recovered: orphaned tasks the merged day flies; of_recoverable: those among the ones a drone still in service
    # could fly alone (missions.stranding's bound), the share the goal is about.
    of_recoverable = round(d.recovered_share * d.recoverable) if d.recovered_share is not None else 0
    row = {"case": label, "wall_s": round(wall_s, 2), "violations": _verified(result), "orphaned": d.orphaned,
           "recoverable": d.recoverable, "recovered": d.recovered, "of_recoverable": of_recoverable,
           "share": d.recovered_share,
           "urgent": _urgent_outcome(result), "coverage": result.plan.summary.coverage,
           "km": round(result.plan.summary.total_distance_m / 1000, 2),
           # orphaned tasks the merged day leaves unserved, with the reason it gives: what to look at when below 100 %
           "left": [[t.task_id, t.after.reason, t.after.detail] for t in d.tasks
                    if t.orphaned_by and t.after.drone_id is None]}
    if scratch is not None:
        row["scratch_km"] = round(scratch.summary.total_distance_m / 1000, 2)
        row["scratch_coverage"] = scratch.summary.coverage
        row["extra_km_pct"] = round(100 * (row["km"] / max(row["scratch_km"], 1e-9) - 1), 1)
    return row


# ------------------------------------------------------------------------------------------------ the demo
def demo_changes(scenario, plan, at_s: int) -> dict[str, tuple[str, dict]]:
    """One changes file per kind for the demo plan at `at_s`: (--at, changes as a mapping)."""
    from airspace.windows import clock_from_seconds

    def s(moment):
        return scenario.seconds_after_midnight(moment)

    later = [x for x in plan.sorties if s(x.takeoff) >= at_s]
    up = [x for x in plan.sorties if s(x.takeoff) < at_s < s(x.landing)]
    busiest = max(later, key=lambda x: (len(x.tasks), x.sortie_id))
    failing = (up or later)[0]
    fail_at = clock_from_seconds(min(at_s, s(failing.takeoff) + failing.flight_time_s / 2) if up else at_s)[:8]
    others = [x for x in later if x.drone_id != failing.drone_id] or later
    mid = busiest.waypoints[len(busiest.waypoints) // 2]
    d = 0.008
    square = [[mid.lon - d, mid.lat - d], [mid.lon + d, mid.lat - d], [mid.lon + d, mid.lat + d],
              [mid.lon - d, mid.lat + d], [mid.lon - d, mid.lat - d]]
    at = clock_from_seconds(at_s)[:5]
    return {
        "failure": (at, {"failures": [{"drone": failing.drone_id, "at": fail_at, "reason": "motor fault"}]}),
        "closure": (at, {"closures": [{"id": "POLICE-1", "restriction": "prohibited", "lower_m": 0, "upper_m": 300,
                                       "geometry": {"type": "Polygon", "coordinates": [square]},
                                       "active": [{"start": at, "end": "16:00"}]}]}),
        "lifted zone": ("10:00", {"cancelled_closures": ["TFR-MARATHON"]}),
        "wind": (at, {"wind": {"wind_speed_ms": 10, "wind_from_deg": 300}}),
        "hangar out": (at, {"out_of_service": [{"hangar": busiest.hangar_id, "reason": "power cut"}]}),
        "drone out": (at, {"out_of_service": [{"drone": others[0].drone_id, "reason": "camera fault"}]}),
        "urgent": (at, {"urgent_targets": [{"id": "OUTFALL-7", "kind": "point", "hover_s": 120, "altitude_m": 50,
                                            "geometry": {"type": "Point", "coordinates": [114.36, 30.53]},
                                            "deadline": clock_from_seconds(at_s + 50 * 60)[:5]}]}),
        "cancelled target": (at, {"cancelled_targets": [busiest.inspections[0].target_id]}),
    }


def run_demo(runs: int) -> list[dict]:
    from airspace.windows import seconds_from_clock
    from missions.demo import copy_demo_scenario
    from missions.loader import load_scenario
    from missions.plan_io import write_plan
    from planner import PlanOptions, plan, replan
    from planner.cli.commands.demo import DEFAULT_TIME_LIMIT_S
    from planner.cli.commands.replan import DEFAULT_TIME_LIMIT_S as REPLAN_LIMIT_S
    from planner.replan import Changes
    from planner.replan.changes import check_changes

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario_path = copy_demo_scenario(folder / "scenario")
        scenario = load_scenario(scenario_path)
        day = plan(scenario, PlanOptions(time_limit_s=DEFAULT_TIME_LIMIT_S, seed=0, workers=2))
        write_plan(day, scenario, folder / "day")
        # The demo's plan changes with the load on the machine (a time limit, no solution limit): replan where four
        # sorties are still to fly or in the air, at 13:40 at the latest.
        takeoffs = sorted(scenario.seconds_after_midnight(x.takeoff) for x in day.sorties)
        at_s = min(seconds_from_clock(AT), int(takeoffs[-4] - 60) // 60 * 60)
        for kind, (at, data) in demo_changes(scenario, day, at_s).items():
            changes = Changes.model_validate(data)
            assert not [p for p in check_changes(changes, scenario, seconds_from_clock(at)) if p.severity == "error"]
            walls, result = [], None
            for _ in range(runs):
                started = time.perf_counter()
                result = replan(scenario, day, at, changes, PlanOptions(time_limit_s=REPLAN_LIMIT_S, seed=0,
                                                                        workers=2))
                walls.append(time.perf_counter() - started)
            # The whole command as an operator runs it: load, replan, verify, write the files and the map.
            changes_path = folder / "changes.json"
            changes_path.write_text(json.dumps(data), encoding="utf-8")
            command = [str(Path(sys.executable).parent / "lowalt"), "replan", str(scenario_path), str(folder / "day"),
                       "--at", at, "--changes", str(changes_path), "--out", str(folder / "out"), "--json"]
            commands = []
            for _ in range(runs):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True)
                commands.append(time.perf_counter() - started)
                assert done.returncode == 0 and json.loads(done.stdout)["verified"], done.stderr
            row = _row(f"demo: {kind} at {at}", result, statistics.median(walls))
            row.update(runs=len(walls), command_s=round(statistics.median(commands), 2),
                       command_max_s=round(max(commands), 2))
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


# ------------------------------------------------------------------------------------------------ MD-RPP-RRV
def run_mdrpp(family: str, limit: int) -> list[dict]:
    from airspace.windows import clock_from_seconds
    from missions.daylight import operating_window_of
    from missions.verify import verify_plan
    from planner import PlanOptions, plan, replan
    from planner.replan import Changes
    from planner.replan.changes import DroneFailure
    from tests.helpers.mdrpp import drone_ids, failure_clock_s, instance_paths, load_instance, scenario_from_instance

    options = PlanOptions(**SOLVE)
    rows = []
    for path in instance_paths(family)[:limit]:
        instance = load_instance(path)
        scenario = scenario_from_instance(instance)
        day = plan(scenario, options)
        assert verify_plan(day, scenario).ok
        ids = drone_ids(instance)
        moments: dict[int, list[str]] = {}
        for vehicle, units in instance.failures:
            moments.setdefault(failure_clock_s(instance, units), []).append(ids[vehicle - 1])
        current, merged = scenario, day
        walls, result = [], None
        totals = {"orphaned": 0, "recoverable": 0, "recovered": 0, "of_recoverable": 0, "violations": 0}
        for at_s in sorted(moments):
            at = clock_from_seconds(at_s)[:8]
            changes = Changes(failures=[DroneFailure(drone=d, at=at) for d in moments[at_s]])
            started = time.perf_counter()
            result = replan(current, merged, at_s, changes, options)
            walls.append(time.perf_counter() - started)
            one = _row("", result, 0.0)
            for key in totals:
                totals[key] += one[key]
            current, merged = result.scenario, result.plan
        if result is None:
            continue
        scratch = _scratch(current, operating_window_of(scenario).start_s, options)
        row = _row(f"{instance.name}: {len(instance.failures)} failures", result, statistics.median(walls), scratch)
        row.update(totals)
        row["share"] = round(totals["of_recoverable"] / totals["recoverable"], 4) if totals["recoverable"] else None
        row["replans"] = len(walls)
        row["planned_km"] = round(day.summary.total_distance_m / 1000, 2)
        row["planned_coverage"] = day.summary.coverage
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


# ------------------------------------------------------------------------------------------------ generated days
def random_changes(rng, scenario, day, at_s: int, kind: str) -> dict:
    import numpy as np

    from airspace.windows import clock_from_seconds

    def s(moment):
        return scenario.seconds_after_midnight(moment)

    # A change that touches the day: a sortie in the air at `at_s` or still to fly, the busier the likelier.
    later = [x for x in day.sorties if s(x.landing) > at_s] or day.sorties[-1:]
    weights = np.array([1.0 + len(x.tasks) for x in later])
    pick = later[int(rng.choice(len(later), p=weights / weights.sum()))]
    at = clock_from_seconds(at_s)[:5]
    if kind == "failure":  # in the air: somewhere between its takeoff and --at; on the ground: at --at
        fail_s = int(rng.uniform(max(s(pick.takeoff), at_s - 900), at_s)) if s(pick.takeoff) < at_s else at_s
        return {"failures": [{"drone": pick.drone_id, "at": clock_from_seconds(fail_s)[:8]}]}
    if kind == "closure":
        w = pick.waypoints[len(pick.waypoints) // 2]
        d = float(rng.uniform(0.003, 0.01))
        ring = [[w.lon - d, w.lat - d], [w.lon + d, w.lat - d], [w.lon + d, w.lat + d], [w.lon - d, w.lat + d],
                [w.lon - d, w.lat - d]]
        return {"closures": [{"id": "NEW-1", "restriction": "prohibited", "geometry": {"type": "Polygon",
                                                                                        "coordinates": [ring]},
                              "active": [{"start": at, "end": clock_from_seconds(at_s + 3 * 3600)[:5]}]}]}
    if kind == "wind":
        return {"wind": {"wind_speed_ms": float(rng.choice([7.0, 10.0])), "wind_from_deg": float(rng.uniform(0, 360)),
                         "reference_height_m": 10}}
    if kind == "hangar out":
        return {"out_of_service": [{"hangar": pick.hangar_id, "reason": "power cut"}]}
    if kind == "drone out":
        return {"out_of_service": [{"drone": pick.drone_id, "end": clock_from_seconds(at_s + 2 * 3600)[:5]}]}
    if kind == "urgent":
        hangar = scenario.hangars[int(rng.integers(len(scenario.hangars)))]
        spot = [hangar.lon + float(rng.uniform(-0.04, 0.04)), hangar.lat + float(rng.uniform(-0.03, 0.03))]
        return {"urgent_targets": [{"id": "URGENT-1", "kind": "point", "hover_s": 60, "altitude_m": 50,
                                    "geometry": {"type": "Point", "coordinates": spot},
                                    "deadline": clock_from_seconds(at_s + int(rng.integers(20, 90)) * 60)[:5]}]}
    return {"cancelled_targets": [pick.inspections[0].target_id if pick.inspections else day.tasks[0].target_id]}


def run_generated(days: int) -> list[dict]:
    import numpy as np

    from airspace.windows import clock_from_seconds
    from missions.synthetic import synthetic_scenario
    from missions.verify import verify_plan
    from planner import PlanOptions, plan, replan
    from planner.replan import Changes
    from planner.replan.changes import check_changes

    options = PlanOptions(**SOLVE)
    kinds = ["failure", "urgent", "closure", "wind", "hangar out", "urgent", "drone out", "cancelled target"]
    rows = []
    for seed in range(days):
        rng = np.random.default_rng(100 + seed)
        scenario = synthetic_scenario(100 + seed, hangars=6, drones_per_hangar=1 + seed % 2, line_km=90, points=8,
                                      zones=2, closures=1, wind_ms=4)
        day = plan(scenario, options)
        assert verify_plan(day, scenario).ok
        kind = kinds[seed % len(kinds)]
        # The generated days are flown by early afternoon: a change between 09:00 and 11:30 meets work still to fly.
        at_s = int(rng.integers(9 * 3600, 11 * 3600 + 1800)) // 60 * 60
        changes = Changes.model_validate(random_changes(rng, scenario, day, at_s, kind))
        assert not [p for p in check_changes(changes, scenario, at_s) if p.severity == "error"]
        started = time.perf_counter()
        result = replan(scenario, day, at_s, changes, options)
        wall = time.perf_counter() - started
        row = _row(f"synthetic-{100 + seed}: {kind} at {clock_from_seconds(at_s)[:5]}", result, wall,
                   _scratch(result.scenario, at_s, options))
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


# ------------------------------------------------------------------------------------------------ tables
def table(rows: list[dict]) -> str:
    head = ("| case | replan s | command s | violations | orphaned | recoverable | recovered of them | urgent | coverage | km | "
            "scratch km | scratch coverage | extra km |")
    out = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in rows:
        share = f" ({r['share']:.0%})" if r.get("share") is not None else ""
        command = f"{r['command_s']:.1f} (max {r['command_max_s']:.1f})" if "command_s" in r else "-"
        out.append(f"| {r['case']} | {r['wall_s']:.1f} | {command} | {r['violations']} | {r['orphaned']} | {r['recoverable']} | "
                   f"{r['of_recoverable']}{share} | {r['urgent'] or '-'} | {r['coverage']:.1%} | {r['km']:.1f} | "
                   + (f"{r['scratch_km']:.1f} | {r['scratch_coverage']:.1%} | {r['extra_km_pct']:+.1f}% |"
                      if "scratch_km" in r else "- | - | - |"))
    return "\n".join(out)


def summary(rows: list[dict]) -> str:
    recoverable = sum(r["recoverable"] for r in rows)
    extra = [r["extra_km_pct"] for r in rows if "extra_km_pct" in r]
    urgent = [r["urgent"] for r in rows if r.get("urgent")]
    return (f"{len(rows)} cases: median replan {_median([r['wall_s'] for r in rows]):.1f} s (max "
            f"{max(r['wall_s'] for r in rows):.1f} s); violations {sum(r['violations'] for r in rows)}; orphaned "
            f"{sum(r['orphaned'] for r in rows)} (flown again {sum(r['recovered'] for r in rows)}), recoverable "
            f"{recoverable}, recovered {sum(r['of_recoverable'] for r in rows)}"
            + (f" ({sum(r['of_recoverable'] for r in rows) / recoverable:.1%})" if recoverable else "")
            + (f"; urgent {urgent.count('served')} served, {urgent.count('impossible')} impossible, "
               f"{urgent.count('missed')} missed" if urgent else "")
            + (f"; extra km vs scratch median {_median(extra):+.1f}%" if extra else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="demo,mdrpp,generated")
    ap.add_argument("--runs", type=int, default=3, help="runs per demo change (median wall time)")
    ap.add_argument("--family", default="gdb", choices=["gdb", "bccm", "eglese"])
    ap.add_argument("--limit", type=int, default=12, help="instances of the family, in their numeric order")
    ap.add_argument("--days", type=int, default=16, help="generated days (one change each)")
    ap.add_argument("--out", type=Path, default=Path("replan-benchmark.json"))
    args = ap.parse_args(argv)
    parts = args.parts.split(",")
    results: dict[str, list[dict]] = {}
    runs = {"demo": lambda: run_demo(args.runs), "mdrpp": lambda: run_mdrpp(args.family, args.limit),
            "generated": lambda: run_generated(args.days)}
    for part in parts:
        results[part] = runs[part]()
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")  # after each part: a long run keeps some
    for name, rows in results.items():
        print(f"\n### {name}\n\n{table(rows)}\n\n{summary(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
