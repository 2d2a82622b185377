"""Every real published file in shared/benchmarks/real_inputs/ (and the Tianhe file) read as an operator would.

Each file is read in its own process, so the peak memory printed (max RSS) is that read's alone; the first row
is the interpreter with lowalt and GDAL imported, for reference. Wall and CPU times are medians of --repeats
reads in that process (CPU time is the steadier figure on a shared machine).
usage: python benchmarks/real_inputs.py [--root ../shared/benchmarks] [--repeats 3] [--only NAME] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
# The shared folder sits next to the main checkout (../shared) or next to a worktree's parent (../../shared).
ROOT = next((p for p in (_REPO.parent / "shared" / "benchmarks", _REPO.parent.parent / "shared" / "benchmarks")
             if p.is_dir()), _REPO.parent / "shared" / "benchmarks")
DAY = "2026-10-25"  # a clock-change day in Europe: schedules must still come out right

# name: (path under ROOT, kind, options). kind "zones": load_zones options; "targets": TargetFileRef fields.
# The options are what an operator writes in the scenario's file reference: a file without restrictions needs
# `restriction:`, a feed without ids may name `id_property:`, OSM needs `layer:` and `where:`.
FILES: dict[str, tuple[str, str, dict]] = {
    "ed269-ch": ("real_inputs/ed269/ed269-ch.json", "zones", {"timezone": "Europe/Zurich"}),
    "ed269-fi": ("real_inputs/ed269/ed269-fi.json", "zones", {"timezone": "Europe/Helsinki"}),
    "ed269-lu": ("real_inputs/ed269/ed269-lu.json", "zones", {"timezone": "Europe/Luxembourg"}),
    "ed269-lv": ("real_inputs/ed269/ed269-lv.json", "zones", {"timezone": "Europe/Riga"}),
    "ed269-interuss": ("real_inputs/ed269/interuss_cis_source_sample_ed269.json", "zones",
                       {"timezone": "Europe/Zurich"}),
    "ed269-interuss-features": ("real_inputs/ed269/interuss_cis_source_sample_ed269_features_wrapper_derived.json",
                                "zones", {"timezone": "Europe/Zurich"}),
    "ed318-swiss-1179": ("real_inputs/ed318/SwissGeozones_ED318_Testdaten.zip", "zones",
                         {"timezone": "Europe/Zurich"}),
    "ed318-swiss-repaired": ("real_inputs/ed318/SwissGeozones_ED318_Testdaten_repaired758.json.zip", "zones",
                             {"timezone": "Europe/Zurich"}),
    "ed318-bern-clip": ("real_inputs/ed318/SwissGeozones_ED318_Bern_clip_derived.json", "zones",
                        {"timezone": "Europe/Zurich"}),
    "ed318-ie": ("real_inputs/ed318/ed318-ie.json", "zones", {"timezone": "Europe/Dublin"}),
    "ed318-se": ("real_inputs/ed318/ed318-se.json", "zones", {"timezone": "Europe/Stockholm"}),
    "ed318-eurocontrol-collection": ("real_inputs/ed318/eurocontrol_Example_Collection.json", "zones",
                                     {"timezone": "Europe/Paris"}),
    "ed318-eurocontrol-2-layers": ("real_inputs/ed318/eurocontrol_Example_GeoZone_2_Layers.json", "zones",
                                   {"timezone": "Europe/Paris"}),
    "ed318-eurocontrol-circle": ("real_inputs/ed318/eurocontrol_Example_GeoZone_Circle.json", "zones",
                                 {"timezone": "Europe/Paris"}),
    "ed318-eurocontrol-extension": ("real_inputs/ed318/eurocontrol_Example_GeoZone_with_extension.json", "zones",
                                    {"timezone": "Europe/Paris"}),
    "ed318-eurocontrol-invalid": ("real_inputs/ed318/eurocontrol_InvalidExample_GeoZone_2_Layers.json", "zones",
                                  {"timezone": "Europe/Paris"}),
    "ed318-interuss": ("real_inputs/ed318/interuss_cis_source_sample_ed318.json", "zones",
                       {"timezone": "Europe/Zurich"}),
    "kmz-nats-uk": ("real_inputs/kml/export-eaip3d-20221229-CRC_094D1EF3.kmz", "zones",
                    {"timezone": "Europe/London", "default_restriction": "prohibited"}),
    "kml-nats-london": ("real_inputs/kml/nats_london_excerpt.kml", "zones",
                        {"timezone": "Europe/London", "default_restriction": "prohibited"}),
    "kml-nats-london-floor": ("real_inputs/kml/nats_london_floor_derived.kml", "zones",
                              {"timezone": "Europe/London", "default_restriction": "prohibited"}),
    "geojson-dk": ("real_inputs/geofence/dronezoner-dk.json", "zones",
                   {"timezone": "Europe/Copenhagen", "default_restriction": "authorisation_required",
                    "name_property": "title"}),
    "geojson-openaip": ("real_inputs/geofence/openaip_aspc-with-simple-polygon.json", "zones",
                        {"timezone": "Europe/Berlin", "default_restriction": "authorisation_required"}),
    "geojson-fi-airfields": ("real_inputs/geofence/zanppa_lentokentat.geojson", "zones",
                             {"timezone": "Europe/Helsinki", "default_restriction": "authorisation_required"}),
    "geojson-fi-restrictions": ("real_inputs/geofence/zanppa_rajoitukset.geojson", "zones",
                                {"timezone": "Europe/Helsinki", "default_restriction": "authorisation_required"}),
    "geojson-fi-sup": ("real_inputs/geofence/zanppa_sup.geojson", "zones",
                       {"timezone": "Europe/Helsinki", "default_restriction": "authorisation_required",
                        "date": "2019-06-26"}),
    "geojson-fi-controlled": ("real_inputs/geofence/zanppa_valvottu.geojson", "zones",
                              {"timezone": "Europe/Helsinki", "default_restriction": "authorisation_required"}),
    "geojson-tianhe": ("geo/wuhan/zhhh_tianhe_protection_zones_derived.geojson", "zones",
                       {"timezone": "Asia/Shanghai", "default_restriction": "authorisation_required"}),
    "osm-haidian-rivers": ("real_inputs/targets/haidian/cau_qinghe_haidian_map.osm", "targets",
                           {"kind": "river", "layer": "lines", "where": "waterway IN ('river','canal')"}),
    "osm-haidian-roads": ("real_inputs/targets/haidian/cau_qinghe_haidian_map.osm", "targets",
                          {"kind": "road", "layer": "lines",
                           "where": "highway IN ('primary','secondary','tertiary','residential','unclassified')"}),
    "osm-haidian-water": ("real_inputs/targets/haidian/cau_qinghe_haidian_map.osm", "targets",
                          {"kind": "shoreline", "layer": "multipolygons", "where": "\"natural\" = 'water'"}),
    "geojson-haidian": ("real_inputs/targets/haidian/haidian_targets_derived.geojson", "targets", {}),
    "geojson-haidian-gcj02": ("real_inputs/targets/haidian/haidian_targets_gcj02_derived.geojson", "targets",
                              {"gcj02": True}),
    "gpkg-haidian": ("real_inputs/targets/haidian/haidian_targets_derived.gpkg", "targets", {}),
    "shp-haidian": ("real_inputs/targets/haidian/shp/haidian_lines_derived.shp", "targets", {}),
    "shp-china-rivers-1to4M": ("real_inputs/targets/nmc_hyd2_4l/hyd2_4l.shp", "targets",
                               {"kind": "river", "encoding": "GBK", "name_property": "NAME"}),
    "shp-wuhan-rivers-clip": ("real_inputs/targets/nmc_hyd2_4l_wuhan_clip/hyd2_4l_wuhan_clip.shp", "targets",
                              {"kind": "river", "name_property": "NAME"}),
}


def read_one(name: str, root: Path, repeats: int) -> dict:
    """Read one file `repeats` times in this process; the figures of the last read and the median time."""
    import datetime as dt

    from airspace.errors import InputError, InputErrors
    from airspace.readers import load_zones
    from missions.models import TargetFileRef
    from missions.target_readers import load_targets

    rel, kind, options = FILES[name]
    path = root / rel
    options = dict(options)
    date = dt.date.fromisoformat(options.pop("date", DAY))
    times, cpu, warnings, errors, count, sample = [], [], [], [], 0, ""
    for _ in range(repeats):
        warnings, errors = [], []
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            if kind == "zones":
                read = load_zones(path, date=date, warnings=warnings, **options)
                sample = ", ".join(f"{z.id} {z.restriction.value} {z.lower_m:g}-{z.upper_m:g} m"
                                   + (f" {[(w.start, w.end) for w in z.active]}" if z.active is not None else "")
                                   for z in read[:2])
            else:
                transform = None
                if options.get("gcj02"):
                    from airspace.chinese_coords import gcj02_to_wgs84
                    transform = gcj02_to_wgs84
                ref = TargetFileRef(file=path.name, **{k: v for k, v in options.items() if k != "gcj02"})
                read = load_targets(path, ref, transform=transform, warnings=warnings)
                sample = ", ".join(f"{t.id} {t.kind} {t.name or ''}".strip() for t in read[:2])
            count = len(read)
        except InputErrors as exc:
            count = len(exc.readable)
            errors = [str(e) for e in exc.errors]
        except InputError as exc:
            errors = [str(exc)]
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"name": name, "kind": kind, "count": count, "warnings": [str(w) for w in warnings],
            "errors": errors, "seconds": statistics.median(times), "cpu_seconds": statistics.median(cpu),
            "sample": sample,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def baseline() -> dict:
    import airspace.readers  # noqa: F401  (what every read imports; GDAL only for GDAL formats and OSM)
    import missions.target_readers  # noqa: F401
    import pyogrio  # noqa: F401
    return {"name": "(interpreter, lowalt, GDAL)", "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default=None, help="comma-separated names (default: every file)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--verbose", action="store_true", help="print every warning and error")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child process: read one file
    args = parser.parse_args()
    if args.one:
        print(json.dumps(baseline() if args.one == "-" else read_one(args.one, args.root, args.repeats)))
        return 0
    names = args.only.split(",") if args.only else list(FILES)
    rows = []
    for name in ["-", *names]:
        out = subprocess.run([sys.executable, __file__, "--one", name, "--root", str(args.root), "--repeats",
                              str(args.repeats)], capture_output=True, text=True)
        if out.returncode != 0:
            rows.append({"name": name, "crash": out.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'file':32} {'kind':7} {'read':>5} {'warn':>4} {'err':>4} {'wall s':>7} {'cpu s':>6} {'max RSS MB':>10}  "
          "first")
    for row in rows:
        if "crash" in row:
            print(f"{row['name']:32} CRASHED {row['crash']}")
            continue
        if "kind" not in row:
            print(f"{row['name']:32} {'':7} {'':>5} {'':>4} {'':>4} {'':>7} {'':>6} {row['max_rss_mb']:10.0f}")
            continue
        print(f"{row['name']:32} {row['kind']:7} {row['count']:5d} {len(row['warnings']):4d} {len(row['errors']):4d} "
              f"{row['seconds']:7.2f} {row['cpu_seconds']:6.2f} {row['max_rss_mb']:10.0f}  {row['sample'][:90]}")
        if args.verbose:
            for text in row["errors"]:
                print(f"    error: {text}")
            for text in row["warnings"]:
                print(f"    warning: {text}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
