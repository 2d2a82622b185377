"""Strategic deconfliction benchmark: a generated city day of ~350 sorties and the Wuhan demo, planned by the
planner as users run it, then timed: conflict detection, the verifier's separation check, the takeoff-shift pass.

Conflicts are counted as planned without shifts (max_takeoff_shift_s=0: what routing alone produces) and after
the shift pass. Times are medians of --repeats runs.
usage: python benchmarks/deconfliction.py [--time-limit S] [--workers N] [--repeats R] [--skip-demo]
                                          [--plan DIR --scenario FILE]  (reuse a plan.json and its scenario)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

# ~350 sorties from 150 hangars: benchmarks/scale.py's city day with 2.2x its patrol lines and points (the count
# depends on the planner; the table prints it).
CITY_350 = dict(hangars=150, drones_per_hangar=2, line_km=4400, points=660, zones=60, closures=4)


def _median(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(name: str, plan, scenario, repeats: int) -> dict:
    """Detection, verifier and shift-pass figures for one plan planned without shifts."""
    from missions.conflicts import find_conflicts
    from missions.daylight import operating_window_of
    from missions.intent_models import DeconflictionOptions
    from missions.intents import plan_projector
    from missions.verify import verify_plan
    from missions.verify_separation import separation_violations
    from planner.deconflict import retime_to_clear

    options = DeconflictionOptions()
    detect_s, report = _median(lambda: find_conflicts(plan, scenario, options), repeats)
    projector = plan_projector(plan, scenario)
    verify_s, (found, _) = _median(lambda: separation_violations(plan, scenario, projector), repeats)
    window = operating_window_of(scenario)
    shift_s, shifted = _median(lambda: retime_to_clear(plan, scenario, options, (window.start_s, window.end_s),
                                                         20.0), repeats)
    after = find_conflicts(shifted, scenario, options)
    old = {s.sortie_id: s.takeoff for s in plan.sorties}
    shifts = [abs((s.takeoff - old[s.sortie_id]).total_seconds()) for s in shifted.sorties
              if s.takeoff != old[s.sortie_id]]
    verified = verify_plan(shifted, scenario)
    return {
        "name": name, "sorties": len(plan.sorties), "volumes": report.volumes,
        "conflicts": len(report.conflicts), "same_hangar": sum(
            c.first.drone_id and c.second.drone_id and c.first.drone_id.rsplit("-", 1)[0]
            == c.second.drone_id.rsplit("-", 1)[0] for c in report.own),
        "verifier_conflicts": len(found), "detect_s": detect_s, "verify_s": verify_s, "shift_s": shift_s,
        "after": len(after.conflicts), "moved": len(shifts), "max_shift_s": max(shifts, default=0.0),
        "distance_change": shifted.summary.total_distance_m - plan.summary.total_distance_m,
        "verified_after": verified.ok, "kinds_after": sorted(verified.kinds()),
    }


def planned(scenario, time_limit: float, workers: int, seed: int = 0):
    from missions.intent_models import DeconflictionOptions
    from planner import PlanOptions, plan

    # What routing alone produces: intents drawn, no takeoff shifted.
    options = PlanOptions(time_limit_s=time_limit, seed=seed, workers=workers,
                          deconfliction=DeconflictionOptions(max_takeoff_shift_s=0))
    started = time.perf_counter()
    result = plan(scenario, options)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=40.0, help="solver budget of the city day (s)")
    parser.add_argument("--demo-time-limit", type=float, default=45.0, help="solver budget of the demo (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--plan", help="reuse this plan.json (or its directory) instead of planning the city day")
    parser.add_argument("--scenario", help="the scenario of --plan (YAML/JSON file or a Scenario JSON dump)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from missions.loader import load_scenario
    from missions.models import Scenario
    from missions.plan_io import read_plan
    from missions.synthetic import synthetic_scenario

    rows = []
    if args.plan:
        text = Path(args.scenario).read_text()
        scenario = Scenario.model_validate_json(text) if text.lstrip().startswith("{") and "hangars" in text \
            else load_scenario(args.scenario)
        rows.append(measure("given plan", read_plan(args.plan), scenario, args.repeats))
    else:
        scenario = synthetic_scenario(0, wind_ms=5.0, lakes=15, corridors=10, **CITY_350)
        result, plan_s = planned(scenario, args.time_limit, args.workers)
        print(f"city-350: planned in {plan_s:.0f} s", flush=True)
        rows.append(measure("city-350", result, scenario, args.repeats))
    if not args.skip_demo:
        import tempfile

        from missions.demo import copy_demo_scenario

        scenario = load_scenario(copy_demo_scenario(Path(tempfile.mkdtemp(prefix="lowalt-demo-"))))
        result, plan_s = planned(scenario, args.demo_time_limit, args.workers)
        print(f"demo: planned in {plan_s:.0f} s", flush=True)
        rows.append(measure("demo", result, scenario, args.repeats))
    print(f"{'day':10} {'sorties':>7} {'volumes':>7} {'conflicts':>9} {'at hangar':>9} {'verifier':>8} "
          f"{'detect s':>8} {'verify s':>8} {'shift s':>7} {'moved':>5} {'max shift':>9} {'after':>5} "
          f"{'verified':>8}")
    for r in rows:
        print(f"{r['name']:10} {r['sorties']:>7} {r['volumes']:>7} {r['conflicts']:>9} {r['same_hangar']:>9} "
              f"{r['verifier_conflicts']:>8} {r['detect_s']:>8.2f} {r['verify_s']:>8.2f} {r['shift_s']:>7.2f} "
              f"{r['moved']:>5} {r['max_shift_s']:>8.0f}s {r['after']:>5} {str(r['verified_after']):>8}")
        if r["distance_change"]:
            print(f"  flight distance changed by {r['distance_change']:.1f} m")
        if not r["verified_after"]:
            print(f"  after the shift pass the verifier still reports: {', '.join(r['kinds_after'])}")
    print(f"medians of {args.repeats} runs; 'conflicts': pairs of sorties (or sortie and filed intent) closer than "
          "the minima, as planned without shifts; 'verifier': the same pairs found by the verifier's exact check")


if __name__ == "__main__":
    main()
