"""Plan output files (SCENARIO.md "Plan outputs"): plan.json, plan.geojson and schedule.csv, and reading a plan back.

Times are written in ISO 8601 with the scenario's UTC offset; coordinates are [lon, lat, alt_m].
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from airspace.clock import DayClock
from airspace.errors import InputError
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

SCHEDULE_COLUMNS = ["drone_id", "hangar_id", "sortie_id", "activity", "start", "end", "duration_min",
                    "distance_km", "battery_used", "tasks"]


def _iso(moment: dt.datetime, tz: ZoneInfo) -> str:
    # Plan times are aware (MissionPlan); they are written as the scenario's clock shows them, with its offset.
    return moment.astimezone(tz).isoformat()


def _position_geometry(coordinates: list[list[float]]) -> dict:
    """Point for one position, LineString otherwise (an inspection of a point target, an unserved point)."""
    if len(coordinates) == 1:
        return {"type": "Point", "coordinates": list(coordinates[0])}
    return {"type": "LineString", "coordinates": [list(c) for c in coordinates]}


def _sortie_feature(sortie: Sortie, tz: ZoneInfo) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[w.lon, w.lat, w.alt_m] for w in sortie.waypoints]},
        "properties": {
            "kind": "sortie",
            "sortie_id": sortie.sortie_id,
            "drone_id": sortie.drone_id,
            "hangar_id": sortie.hangar_id,
            "drone_model": sortie.drone_model,
            "takeoff": _iso(sortie.takeoff, tz),
            "landing": _iso(sortie.landing, tz),
            "times_s": sortie.times_s,
            "distance_m": sortie.distance_m,
            "flight_time_s": sortie.flight_time_s,
            "battery_used": sortie.battery_used,
            "tasks": list(sortie.tasks),
        },
    }


def plan_to_geojson(plan: MissionPlan, scenario: Scenario) -> dict:
    """The plan as a GeoJSON FeatureCollection: sortie, inspection, unserved and hangar features + `plan` member."""
    tz = ZoneInfo(plan.timezone)
    features: list[dict] = []
    for sortie in plan.sorties:
        features.append(_sortie_feature(sortie, tz))
    for sortie in plan.sorties:
        for inspection in sortie.inspections:
            features.append({
                "type": "Feature",
                "geometry": _position_geometry(inspection.coordinates),
                "properties": {
                    "kind": "inspection",
                    "task_id": inspection.task_id,
                    "target_id": inspection.target_id,
                    "sortie_id": inspection.sortie_id,
                    "start": _iso(inspection.start, tz),
                    "end": _iso(inspection.end, tz),
                },
            })
    for unserved in plan.unserved:
        features.append({
            "type": "Feature",
            "geometry": _position_geometry(unserved.coordinates),
            "properties": {
                "kind": "unserved",
                "task_id": unserved.task_id,
                "target_id": unserved.target_id,
                "reason": unserved.reason.value,
                "detail": unserved.detail,
            },
        })
    for hangar in scenario.hangars:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [hangar.lon, hangar.lat]},
            "properties": {"kind": "hangar", "hangar_id": hangar.id, "name": hangar.name,
                           "drone_model": hangar.drone_model, "drones": hangar.drones},
        })
    summary = plan.summary
    return {
        "type": "FeatureCollection",
        "features": features,
        "plan": {
            "scenario": summary.scenario,
            "coverage": summary.coverage,
            "total_distance_m": summary.total_distance_m,
            "sorties": summary.sorties,
            "drones_used": summary.drones_used,
            "solve_time_s": summary.solve_time_s,
        },
    }


def schedule_rows(plan: MissionPlan) -> list[dict]:
    """One row per sortie and one per recharge gap between consecutive sorties of a drone, by drone then time."""
    tz = ZoneInfo(plan.timezone)
    rows: list[dict] = []
    by_drone: dict[str, list[Sortie]] = {}
    for sortie in plan.sorties:
        by_drone.setdefault(sortie.drone_id, []).append(sortie)
    for drone_id in sorted(by_drone):
        sorties = sorted(by_drone[drone_id], key=lambda s: s.takeoff)
        for index, sortie in enumerate(sorties):
            rows.append({
                "drone_id": drone_id,
                "hangar_id": sortie.hangar_id,
                "sortie_id": sortie.sortie_id,
                "activity": "sortie",
                "start": _iso(sortie.takeoff, tz),
                "end": _iso(sortie.landing, tz),
                "duration_min": round(DayClock.elapsed_s(sortie.takeoff, sortie.landing) / 60.0, 2),
                "distance_km": round(sortie.distance_m / 1000.0, 3),
                "battery_used": round(sortie.battery_used, 4),
                "tasks": " ".join(sortie.tasks),
            })
            if index + 1 < len(sorties):
                following = sorties[index + 1]
                # The drone sits on the dock from this landing to the next takeoff: that gap is its recharge.
                rows.append({
                    "drone_id": drone_id,
                    "hangar_id": sortie.hangar_id,
                    "sortie_id": sortie.sortie_id,
                    "activity": "recharge",
                    "start": _iso(sortie.landing, tz),
                    "end": _iso(following.takeoff, tz),
                    "duration_min": round(DayClock.elapsed_s(sortie.landing, following.takeoff) / 60.0, 2),
                    "distance_km": 0.0,
                    "battery_used": 0.0,
                    "tasks": "",
                })
    return rows


def write_plan_geojson(plan: MissionPlan, scenario: Scenario, path: Path) -> Path:
    """plan.geojson: the one writer of it (`write_plan` and `lowalt export --format geojson` both call it)."""
    path.write_text(json.dumps(plan_to_geojson(plan, scenario), indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def write_schedule_csv(plan: MissionPlan, path: Path) -> Path:
    """schedule.csv: the one writer of it (`write_plan` and `lowalt export --format csv` both call it)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SCHEDULE_COLUMNS)
        writer.writeheader()
        writer.writerows(schedule_rows(plan))
    return path


def write_plan(plan: MissionPlan, scenario: Scenario, out_dir: str | Path) -> dict[str, Path]:
    """Write plan.json, plan.geojson, schedule.csv and intents.geojson (missions.intents_io) into `out_dir`
    (created); returns their paths by name."""
    from missions.intents import plan_projector
    from missions.intents_io import INTENTS_FILENAME, write_intents

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"plan.json": out / "plan.json", "plan.geojson": out / "plan.geojson",
             "schedule.csv": out / "schedule.csv", INTENTS_FILENAME: out / INTENTS_FILENAME}
    paths["plan.json"].write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    write_plan_geojson(plan, scenario, paths["plan.geojson"])
    write_schedule_csv(plan, paths["schedule.csv"])
    write_intents(plan, plan_projector(plan, scenario), paths[INTENTS_FILENAME])
    logger.info("plan %s written to %s (%d sorties, %d unserved)", plan.scenario, out, len(plan.sorties),
                len(plan.unserved))
    return paths


def read_plan(path: str | Path) -> MissionPlan:
    """Read a plan.json (or the directory holding one); errors name the file and the fields at fault."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: plan file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"plan file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)) from None
    try:
        return MissionPlan.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise InputError(f"not a lowalt plan: {problems}{more}", file=str(path)) from None
