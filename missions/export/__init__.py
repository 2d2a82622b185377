"""Mission files for docks, ground stations and GIS from a MissionPlan: QGC .plan, QGC WPL, DJI WPML, KML,
GeoJSON and the schedule CSV (from missions.plan_io), operational intents (missions.intents_io). `export_plan` is
the one entry point.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # at run time missions.models imports this package (the DJI catalogue): no import cycle
    from missions.models import MissionPlan, Scenario

logger = logging.getLogger(__name__)

Writer = Callable[["MissionPlan", "Scenario | None", Path], "list[Path]"]


def _qgc(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.export.qgc_plan import write_qgc_plans
    return write_qgc_plans(plan, scenario, out_dir)


def _wpl(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.export.qgc_wpl import write_wpl_files
    return write_wpl_files(plan, scenario, out_dir)


def _wpml(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.export.dji_wpml import write_wpml_kmz
    return write_wpml_kmz(plan, scenario, out_dir)


def _kml(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.export.kml import write_kml
    return write_kml(plan, scenario, out_dir)


def _geojson(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.plan_io import write_plan_geojson
    if scenario is None:
        # The contract's hangar features and names come from the scenario.
        raise ValueError("geojson export needs the scenario (--scenario): hangar features come from it")
    return [write_plan_geojson(plan, scenario, Path(out_dir) / "plan.geojson")]


def _csv(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.plan_io import write_schedule_csv
    return [write_schedule_csv(plan, Path(out_dir) / "schedule.csv")]


def _intents(plan: MissionPlan, scenario: Scenario | None, out_dir: Path) -> list[Path]:
    from missions.intents import plan_projector
    from missions.intents_io import INTENTS_FILENAME, write_intents
    return [write_intents(plan, plan_projector(plan, scenario), Path(out_dir) / INTENTS_FILENAME)]


FORMATS: dict[str, Writer] = {
    "qgc": _qgc,
    "wpl": _wpl,
    "wpml": _wpml,
    "kml": _kml,
    "geojson": _geojson,
    "csv": _csv,
    "intents": _intents,  # operational intents, GeoJSON after ASTM F3548 Volume4D (missions.intents_io)
}
ALL = "all"
MISSIONS = "missions"  # the files docks and ground stations load; plan.geojson and schedule.csv come with write_plan
MISSION_FORMATS = ("qgc", "wpl", "wpml", "kml")


def export_plan(plan: MissionPlan, scenario: Scenario | None, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write `plan` in format `fmt` (a FORMATS key, "missions" for the dock and ground-station formats, or "all")
    under `out_dir`; returns every path written.

    Without a scenario, geofences are empty and speeds come from the plan's timing (a warning says so);
    "all" then skips geojson, which needs the scenario's hangars.
    """
    if fmt not in (ALL, MISSIONS) and fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join([*FORMATS, MISSIONS, ALL])})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(FORMATS) if fmt == ALL else list(MISSION_FORMATS) if fmt == MISSIONS else [fmt]
    if fmt == ALL and scenario is None:
        logger.warning("export all without a scenario: plan.geojson skipped (it needs the scenario's hangars)")
        names.remove("geojson")
    paths: list[Path] = []
    for name in names:
        paths += FORMATS[name](plan, scenario, out)
    logger.info("exported plan %s as %s: %d files in %s", plan.scenario, fmt, len(paths), out)
    return paths


__all__ = ["FORMATS", "MISSION_FORMATS", "export_plan"]
