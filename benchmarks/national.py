"""National-size inputs in bounded memory: the national river layer and the Swiss 1,179-zone file, planned, verified.

usage: python benchmarks/national.py [--cases rivers,swiss,along] [--time-limit S] [--workers N] [--hangars N]"""
from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

_REPO = Path(__file__).resolve().parents[1]
# The shared folder sits next to the main checkout (../shared) or next to a worktree's parent (../../shared).
ROOT = next((p for p in (_REPO.parent / "shared" / "benchmarks", _REPO.parent.parent / "shared" / "benchmarks")
             if p.is_dir()), _REPO.parent / "shared" / "benchmarks")
RIVERS = Path("real_inputs/targets/nmc_hyd2_4l/hyd2_4l.shp")  # GBK text, no .cpg, no .prj
SWISS = Path("real_inputs/ed318/SwissGeozones_ED318_Testdaten.zip")  # 1,179 zones; the reader repairs feature 758
DEMO = _REPO / "missions" / "demo" / "wuhan"


def river_targets(root: Path) -> dict:
    return {"file": str(root / RIVERS), "kind": "river", "encoding": "GBK", "name_property": "NAME", "altitude_m": 80}
# Hangars around Bern, 4-5 km apart; the operator holds the Bern-Belp CTR authorisation (LSZB zones).
BERN = [(7.4474, 46.9480), (7.4000, 46.9600), (7.4900, 46.9300), (7.4300, 46.9200), (7.4700, 46.9800)]
CASES = ("rivers", "swiss", "along")


def rivers_case(folder: Path, root: Path) -> Path:
    """The Wuhan demo's 31 hangars and zones with the whole national river layer as targets."""
    data = yaml.safe_load((DEMO / "scenario.yaml").read_text(encoding="utf-8"))
    data.update(name="wuhan-hangars-national-rivers", targets=[river_targets(root)])
    # Zone files of the demo are referenced where they are shipped.
    data["airspace"]["zones"] = [dict(z, file=str(DEMO / z["file"])) if "file" in z else z
                                 for z in data["airspace"]["zones"]]
    if isinstance(data["airspace"].get("grid"), dict) and data["airspace"]["grid"].get("file"):
        data["airspace"]["grid"]["file"] = str(DEMO / data["airspace"]["grid"]["file"])
    path = folder / "rivers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def along_case(folder: Path, root: Path, hangars: int) -> Path:
    """`hangars` synthetic hangars spread along the longest national rivers (every few km), same river layer."""
    from missions.models import TargetFileRef
    from missions.target_readers import load_targets

    ref = TargetFileRef(**river_targets(root))
    lines = sorted((t.geometry.shape for t in load_targets(root / RIVERS, ref, warnings=[])), key=lambda g: -g.length)
    spots = []
    for line in lines:
        steps = max(1, int(line.length / 0.6))  # about every 60 km of the longest rivers, in degrees
        spots += [line.interpolate(k / steps, normalized=True) for k in range(steps)]
        if len(spots) >= hangars:
            break
    spots = spots[:hangars]
    data = {"name": f"{hangars}-hangars-along-national-rivers", "date": "2026-11-21", "timezone": "Asia/Shanghai",
            "operating_window": {"start": "08:00", "end": "17:00"},
            "drone_models": [{"id": "m3d", "cruise_speed_ms": 15, "inspection_speed_ms": 8, "endurance_min": 45,
                              "max_wind_ms": 12}],
            "hangars": [{"id": f"R{k + 1:03d}", "lon": round(p.x, 5), "lat": round(p.y, 5),
                         "drone_model": "m3d", "drones": 2, "operating_radius_m": 8000, "recharge_min": 30}
                        for k, p in enumerate(spots)],
            "targets": [river_targets(root)]}
    path = folder / "along.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def swiss_case(folder: Path, root: Path) -> Path:
    """Five hangars near Bern under the Swiss authority's 1,179 ED-318 zones; points round each hangar, a river."""
    targets = []
    for h, (lon, lat) in enumerate(BERN):
        for a in range(6):
            angle = a * math.pi / 3 + h
            targets.append({"id": f"P{h * 6 + a}", "kind": "point", "altitude_m": 50, "hover_s": 30, "geometry": {
                "type": "Point", "coordinates": [round(lon + 0.03 * math.cos(angle), 5),
                                                 round(lat + 0.02 * math.sin(angle), 5)]}})
    targets.append({"id": "AARE", "kind": "river", "altitude_m": 60, "geometry": {"type": "LineString", "coordinates": [
        [7.40, 46.93], [7.43, 46.945], [7.45, 46.95], [7.47, 46.955], [7.50, 46.97]]}})
    data = {"name": "bern-swiss-zones", "date": "2026-06-15", "timezone": "Europe/Zurich",
            "operating_window": {"start": "08:00", "end": "17:00"},
            "drone_models": [{"id": "m3d", "cruise_speed_ms": 15, "inspection_speed_ms": 8, "endurance_min": 45,
                              "max_wind_ms": 12}],
            "hangars": [{"id": f"BE{k + 1}", "lon": lon, "lat": lat, "drone_model": "m3d", "drones": 2,
                         "operating_radius_m": 5000, "recharge_min": 30} for k, (lon, lat) in enumerate(BERN)],
            "airspace": {"zones": [{"file": str(root / SWISS)}], "authorised": ["LSZB001", "LSZB002", "LSZB003"]},
            "targets": targets}
    path = folder / "swiss.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def run_one(path: str, time_limit: float, workers: int) -> dict:
    from collections import Counter

    from missions.loader import check_scenario
    from missions.verify import verify_plan
    from planner import PlanOptions, plan

    started = time.perf_counter()
    scenario, problems = check_scenario(path)
    if scenario is None:
        raise SystemExit("\n".join(str(p) for p in problems if p.severity == "error"))
    loaded = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=time_limit, workers=workers, seed=0))
    planned = time.perf_counter()
    report = verify_plan(result, scenario)
    verified = time.perf_counter()
    reasons = Counter(u.reason.value for u in result.unserved)
    first = [g for g in result.summary.groups if g.round == 0]
    return {
        "scenario": scenario.name, "hangars": len(scenario.hangars), "zones": len(scenario.zones()),
        "targets": len(scenario.resolved_targets()), "tasks": len(result.tasks) + reasons.get("out_of_reach", 0),
        "out_of_reach": reasons.get("out_of_reach", 0), "groups": len(first),
        "largest_group": max((g.tasks for g in first), default=0), "sorties": result.summary.sorties,
        "served": result.summary.served_tasks, "load_s": round(loaded - started, 1),
        "plan_s": round(planned - loaded, 1), "verify_s": round(verified - planned, 1),
        "wall_s": round(verified - started, 1), "verified": report.ok, "violations": len(report.violations),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "first_violations": [str(v) for v in report.violations[:10]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="rivers,swiss", help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hangars", type=int, default=300, help="hangars of the 'along' case")
    parser.add_argument("--root", type=Path, default=ROOT, help="the shared benchmarks folder (holds real_inputs/)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: plan one scenario file in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit, args.workers)))
        return
    print(f"{'case':7} {'hangars':>7} {'zones':>6} {'targets':>7} {'tasks':>6} {'beyond':>6} {'groups':>6} "
          f"{'largest':>7} {'sorties':>7} {'load s':>6} {'plan s':>6} {'verify s':>8} {'wall s':>6} {'peak MB':>7} "
          f"{'worker MB':>9} verified")
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases.split(","):
            path = {"rivers": lambda: rivers_case(Path(folder), args.root),
                    "swiss": lambda: swiss_case(Path(folder), args.root),
                    "along": lambda: along_case(Path(folder), args.root, args.hangars)}[case]()
            out = subprocess.run([sys.executable, __file__, "--one", str(path), "--time-limit", str(args.time_limit),
                                  "--workers", str(args.workers)], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{case}: failed\n{out.stderr[-2000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{case:7} {r['hangars']:>7} {r['zones']:>6} {r['targets']:>7} {r['tasks']:>6} {r['out_of_reach']:>6} "
                  f"{r['groups']:>6} {r['largest_group']:>7} {r['sorties']:>7} {r['load_s']:>6} {r['plan_s']:>6} "
                  f"{r['verify_s']:>8} {r['wall_s']:>6} {r['peak_mb']:>7} {r['worker_peak_mb']:>9} "
                  f"{'yes' if r['verified'] else 'NO (%d violations)' % r['violations']}", flush=True)
            for line in r["first_violations"]:
                print(f"    {line}")


if __name__ == "__main__":
    main()
