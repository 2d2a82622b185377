"""Strategic deconfliction benchmark: a generated city day of ~350 sorties and the Wuhan demo, each planned without
deconfliction (resolve: false) and with it, then measured: conflicts, detection time, distances, resolutions.

For each day and seed: the plan without deconfliction (what routing alone produces) and its conflicts; detection,
the verifier's separation check and the takeoff-shift pass on it (medians of --repeats runs); the plan as lowalt
makes it (dock stagger, shifts, a sortie no shift clears not flown) with its conflicts, verification, flight distance
against the plan without, and tasks unserved as `conflict`. Then what each resolution could do with the conflicts
of the plan without: takeoff offsets (the pass, paths unchanged), height layers by heading (a second transit layer
must clear the vertical minimum and both accuracies, within the ceiling; only conflicts of two flights at transit
height away from a dock can use one), rerouting around the other flight's volume (a lower bound on each detour:
half round a disc of the horizontal minimum plus both buffers instead of across it; not over a dock, where every
flight must climb and land).
usage: python benchmarks/deconfliction.py [--time-limit S] [--workers N] [--repeats R] [--seeds 0,1,2] [--skip-demo]
                                          [--plan DIR --scenario FILE]  (measure a given plan.json and its scenario)
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

# ~350 sorties from 150 hangars: benchmarks/scale.py's city day with 2.2x its patrol lines and points (the count
# depends on the planner; the table prints it).
CITY_350 = dict(hangars=150, drones_per_hangar=2, line_km=4400, points=660, zones=60, closures=4)
DOCK_M = 100.0  # a conflict this close to a hangar is over its pad: climbs and landings, no layer or detour helps


def _median(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def resolutions(raw, scenario, options) -> dict:
    """Which of the plan's conflicts a height layer or a detour could clear, and at what least cost."""
    from airspace.projection import Projector
    from missions.conflicts import find_conflicts

    report = find_conflicts(raw, scenario, options)
    minima, intent = options.separation, options.intent
    transit = raw.summary.transit_altitude_m or 100.0
    step = minima.vertical_m + 2 * intent.vertical_accuracy_m  # two layers' bands must be the minimum apart
    ceiling = scenario.airspace.ceiling_m
    top = max((t.altitude_m for t in scenario.resolved_targets()), default=0.0)
    projector = Projector.for_lonlat(scenario.hangars[0].lon, scenario.hangars[0].lat)
    hx, hy = projector.forward([h.lon for h in scenario.hangars], [h.lat for h in scenario.hangars])
    over_dock = at_transit = 0
    for c in report.conflicts:
        x, y = projector.forward(c.lon, c.lat)
        if min(math.hypot(x - a, y - b) for a, b in zip(hx, hy)) <= DOCK_M:
            over_dock += 1
            continue
        bands = (c.first_band_m, c.second_band_m)
        if all(lo >= transit - intent.vertical_accuracy_m - 0.5 and hi <= transit + intent.vertical_accuracy_m + 0.5
               for lo, hi in bands):
            at_transit += 1
    detour_m = (math.pi - 2) * (minima.horizontal_m + 2 * intent.horizontal_accuracy_m)
    away = len(report.conflicts) - over_dock
    return {"conflicts": len(report.conflicts), "over_dock": over_dock, "at_transit": at_transit,
            "layer_up_m": transit + step, "layer_down_m": transit - step, "ceiling_m": ceiling, "top_target_m": top,
            "layer_fits": transit + step <= ceiling or transit - step >= top + step,
            "detour_m": detour_m, "reroutable": away, "reroute_km": away * detour_m / 1000}


def measure(name: str, scenario, raw, made, repeats: int) -> dict:
    """Figures of one day: the plan without deconfliction (`raw`) and the one lowalt makes (`made`)."""
    from missions.conflicts import find_conflicts
    from missions.daylight import operating_window_of
    from missions.intent_models import DeconflictionOptions
    from missions.intents import plan_projector
    from missions.verify import verify_plan
    from missions.verify_separation import separation_violations
    from planner.deconflict import retime_to_clear

    options = DeconflictionOptions()
    detect_s, report = _median(lambda: find_conflicts(raw, scenario, options), repeats)
    projector = plan_projector(raw, scenario)
    verify_s, (found, _) = _median(lambda: separation_violations(raw, scenario, projector), repeats)
    window = operating_window_of(scenario)
    shift_s, shifted = _median(lambda: retime_to_clear(raw, scenario, options, (window.start_s, window.end_s),
                                                         20.0), repeats)
    old = {s.sortie_id: s.takeoff for s in raw.sorties}
    shifts = [abs((s.takeoff - old[s.sortie_id]).total_seconds()) for s in shifted.sorties
              if s.takeoff != old[s.sortie_id]]
    verified = verify_plan(made, scenario)
    return {
        "name": name, "sorties": len(raw.sorties), "volumes": report.volumes, "conflicts": len(report.conflicts),
        "same_hangar": sum(c.first.drone_id.rsplit("-", 1)[0] == c.second.drone_id.rsplit("-", 1)[0]
                           for c in report.own),
        "verifier_conflicts": len(found), "detect_s": detect_s, "verify_s": verify_s, "shift_s": shift_s,
        "moved": len(shifts), "max_shift_s": max(shifts, default=0.0),
        "pass_dropped": len(raw.sorties) - len(shifted.sorties),
        "pass_distance_m": shifted.summary.total_distance_m,
        "raw_km": raw.summary.total_distance_m / 1000, "made_km": made.summary.total_distance_m / 1000,
        "raw_coverage": raw.summary.coverage, "made_coverage": made.summary.coverage,
        "made_sorties": len(made.sorties),
        "after": len(find_conflicts(made, scenario, options).conflicts), "verified": verified.ok,
        "kinds": sorted(verified.kinds()),
        "conflict_tasks": sum(u.reason.value == "conflict" for u in made.unserved),
        "resolutions": resolutions(raw, scenario, options),
    }


def planned(scenario, time_limit: float, workers: int, seed: int, resolve: bool):
    from missions.intent_models import DeconflictionOptions
    from planner import PlanOptions, plan

    options = PlanOptions(time_limit_s=time_limit, seed=seed, workers=workers,
                          deconfliction=DeconflictionOptions(resolve=resolve))
    started = time.perf_counter()
    result = plan(scenario, options)
    return result, time.perf_counter() - started


def day_rows(name: str, scenario, time_limit: float, workers: int, seeds: list[int], repeats: int) -> list[dict]:
    rows = []
    for seed in seeds:
        raw, raw_s = planned(scenario, time_limit, workers, seed, resolve=False)
        made, made_s = planned(scenario, time_limit, workers, seed, resolve=True)
        print(f"{name} seed {seed}: planned in {raw_s:.0f} s without deconfliction, {made_s:.0f} s with", flush=True)
        rows.append(measure(f"{name} s{seed}", scenario, raw, made, repeats))
    return rows


def report(rows: list[dict], repeats: int) -> None:
    print(f"\n{'day':10} {'sorties':>7} {'volumes':>7} {'conflicts':>9} {'at dock':>7} {'verifier':>8} "
          f"{'detect s':>8} {'verify s':>8} {'shift s':>7} {'moved':>5} {'max shift':>9} {'pass drops':>10}")
    for r in rows:
        print(f"{r['name']:10} {r['sorties']:>7} {r['volumes']:>7} {r['conflicts']:>9} {r['same_hangar']:>7} "
              f"{r['verifier_conflicts']:>8} {r['detect_s']:>8.2f} {r['verify_s']:>8.2f} {r['shift_s']:>7.2f} "
              f"{r['moved']:>5} {r['max_shift_s']:>8.0f}s {r['pass_dropped']:>10}")
    print(f"\n{'day':10} {'km without':>10} {'km with':>9} {'ratio':>7} {'cov without':>11} {'cov with':>8} "
          f"{'sorties':>7} {'conflict tasks':>14} {'after':>5} verified")
    for r in rows:
        print(f"{r['name']:10} {r['raw_km']:>10.1f} {r['made_km']:>9.1f} {r['made_km'] / r['raw_km']:>7.4f} "
              f"{100 * r['raw_coverage']:>10.2f}% {100 * r['made_coverage']:>7.2f}% {r['made_sorties']:>7} "
              f"{r['conflict_tasks']:>14} {r['after']:>5} {'yes' if r['verified'] else 'NO ' + ','.join(r['kinds'])}")
    print(f"\n{'day':10} {'conflicts':>9} {'over a dock':>11} {'both at transit':>15} {'layer fits':>10} "
          f"{'reroutable':>10} {'detours >=':>10} {'offsets: pass km change':>24}")
    for r in rows:
        x = r["resolutions"]
        fits = (f"no ({x['layer_up_m']:g} m > {x['ceiling_m']:g} m)" if not x["layer_fits"] else
                f"yes ({x['layer_up_m']:g} m)")
        print(f"{r['name']:10} {x['conflicts']:>9} {x['over_dock']:>11} {x['at_transit']:>15} {fits:>10} "
              f"{x['reroutable']:>10} {x['reroute_km'] * 1000:>8.0f} m "
              f"{(r['pass_distance_m'] / 1000 - r['raw_km']):>+20.3f} km")
    ratios = [r["made_km"] / r["raw_km"] for r in rows if r["name"].startswith("city")]
    detects = [r["detect_s"] for r in rows if r["name"].startswith("city")]
    if ratios:
        print(f"\ncity: distance with / without deconfliction, median {statistics.median(ratios):.4f} "
              f"(max {max(ratios):.4f}; goal <= 1.03); detection median {statistics.median(detects):.2f} s (goal <= 2 s)")
    print(f"timings are medians of {repeats} runs; 'conflicts': pairs of sorties (or sortie and filed intent) closer "
          "than the minima in the plan without deconfliction; 'verifier': the same pairs found by the verifier's "
          "exact check; 'pass drops': sorties the shift pass alone (no dock stagger) could not clear")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=40.0, help="solver budget of the city day (s)")
    parser.add_argument("--demo-time-limit", type=float, default=45.0, help="solver budget of the demo (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated planner seeds of the city day")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--plan", help="measure this plan.json (or its directory) instead of planning the days")
    parser.add_argument("--scenario", help="the scenario of --plan (YAML/JSON file or a Scenario JSON dump)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from missions.loader import load_scenario
    from missions.models import Scenario
    from missions.plan_io import read_plan
    from missions.synthetic import synthetic_scenario

    if args.plan:
        text = Path(args.scenario).read_text()
        scenario = Scenario.model_validate_json(text) if text.lstrip().startswith("{") and "hangars" in text \
            else load_scenario(args.scenario)
        given = read_plan(args.plan)
        report([measure("given", scenario, given, given, args.repeats)], args.repeats)
        return

    seeds = [int(s) for s in args.seeds.split(",")]
    scenario = synthetic_scenario(0, wind_ms=5.0, lakes=15, corridors=10, **CITY_350)
    rows = day_rows("city", scenario, args.time_limit, args.workers, seeds, args.repeats)
    if not args.skip_demo:
        import tempfile

        from missions.demo import copy_demo_scenario

        demo = load_scenario(copy_demo_scenario(Path(tempfile.mkdtemp(prefix="lowalt-demo-"))))
        rows += day_rows("demo", demo, args.demo_time_limit, args.workers, [0], args.repeats)
    report(rows, args.repeats)


if __name__ == "__main__":
    main()
