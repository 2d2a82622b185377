"""What every mission-file writer needs from a sortie: its shape checked, speeds, stretches, zones, file names.

Writers stay format-only; the sortie semantics (hangar, climb, ..., above hangar, hangar) live here once.
"""
from __future__ import annotations

import logging
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from airspace.projection import Projector
from airspace.rules import keep_out_zones
from airspace.zones import Zone
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

MIN_LEG_M = 1.0  # legs shorter than this are vertical (climb/descent) and say nothing about airspeed
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


SLOWED_TOL_MS = 0.05  # a leg timed this much below its route speed was slowed by the plan (wind at the limit)


@dataclass(frozen=True)
class SortieSpeeds:
    """Route speeds over the ground a mission file asks for, and where they came from ("scenario" or "plan timing")."""

    cruise_ms: float
    inspection_ms: float
    source: str


def leg_speeds(sortie: Sortie, speeds: SortieSpeeds) -> list[float]:
    """The ground speed each leg i -> i+1 is asked at: its route speed (inspection or cruise), or the slower speed
    the plan timed where holding the route speed would need more than the drone's airspeed limit. A file then asks
    for exactly the speed the plan's times assume, rounded to the centimetre per second."""
    wps = sortie.waypoints
    slow = inspection_legs(sortie)
    out = []
    for i, length in enumerate(leg_lengths_m(sortie)):
        route = speeds.inspection_ms if i in slow else speeds.cruise_ms
        moving_s = wps[i + 1].t_s - wps[i].t_s - wps[i].hover_s  # the hover at the start vertex is not travel
        timed = length / moving_s if length >= MIN_LEG_M and moving_s > 0 else route
        out.append(round(timed, 2) if timed < route - SLOWED_TOL_MS else route)
    return out


def check_sortie_shape(sortie: Sortie) -> None:
    """Raise ValueError (naming the sortie and field) unless the sortie runs takeoff .. land with a path between."""
    wps = sortie.waypoints
    where = f"sortie {sortie.sortie_id}: field waypoints"
    if len(wps) < 4:
        raise ValueError(f"{where}: needs at least hangar, climb, descent and hangar vertices, has {len(wps)}")
    if wps[0].action != "takeoff":
        raise ValueError(f"{where}[0]: action must be 'takeoff', is {wps[0].action!r}")
    if wps[-1].action != "land":
        raise ValueError(f"{where}[{len(wps) - 1}]: action must be 'land', is {wps[-1].action!r}")


def inspection_legs(sortie: Sortie) -> set[int]:
    """Indices i whose leg i -> i+1 is flown at inspection speed (inside one inspected stretch)."""
    legs: set[int] = set()
    for inspection in sortie.inspections:
        legs.update(range(inspection.first_index, inspection.last_index))
    return legs


def leg_lengths_m(sortie: Sortie) -> list[float]:
    """Horizontal length of every leg, in the hangar's UTM zone."""
    wps = sortie.waypoints
    projector = Projector.for_lonlat(wps[0].lon, wps[0].lat)
    xs, ys = projector.forward([w.lon for w in wps], [w.lat for w in wps])
    return [math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) for i in range(len(wps) - 1)]


def sortie_speeds(sortie: Sortie, scenario: Scenario | None) -> SortieSpeeds:
    """Ground speeds from the scenario's drone model; without a scenario, the plan's own leg timing (median)."""
    if scenario is not None:
        try:
            model = scenario.drone_model(sortie.drone_model)
        except KeyError:
            logger.warning("sortie %s: drone model %r is not in scenario %s; speeds estimated from timing",
                           sortie.sortie_id, sortie.drone_model, scenario.name)
        else:
            return SortieSpeeds(model.cruise_speed_ms, model.inspection_speed_ms, "scenario")
    wps = sortie.waypoints
    slow = inspection_legs(sortie)
    transit, inspect = [], []
    for i, length in enumerate(leg_lengths_m(sortie)):
        # Time on the leg excludes the hover spent at its start vertex.
        moving_s = wps[i + 1].t_s - wps[i].t_s - wps[i].hover_s
        if length < MIN_LEG_M or moving_s <= 0:
            continue
        (inspect if i in slow else transit).append(length / moving_s)
    if not transit and not inspect:
        raise ValueError(f"sortie {sortie.sortie_id}: field waypoints: no horizontal leg to estimate a speed from")
    cruise = statistics.median(transit or inspect)
    return SortieSpeeds(cruise, statistics.median(inspect) if inspect else cruise, "plan timing")


def active_keep_out_zones(sortie: Sortie, scenario: Scenario | None) -> list[Zone]:
    """Keep-out zones (prohibited, unauthorised) that apply at any moment and height of the sortie."""
    if scenario is None:
        return []
    t0 = scenario.seconds_after_midnight(sortie.takeoff)
    t1 = scenario.seconds_after_midnight(sortie.landing)
    top = max(w.alt_m for w in sortie.waypoints)
    return keep_out_zones(scenario.zones(), t0, t1, 0.0, top, scenario.airspace.authorised)


def file_stems(plan: MissionPlan) -> dict[str, str]:
    """sortie_id -> a file-name-safe stem, unique within the plan (collisions get -2, -3, ...)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for sortie in plan.sorties:
        base = _UNSAFE.sub("_", sortie.sortie_id).strip("._") or "sortie"
        stem, n = base, 1
        while stem.lower() in taken:  # case-insensitive: two ids must not share a file on macOS/Windows
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        stems[sortie.sortie_id] = stem
    return stems


def warn_without_scenario(fmt: str, scenario: Scenario | None) -> None:
    if scenario is None:
        logger.warning("%s export without a scenario: no geofence zones, speeds estimated from plan timing", fmt)


def write_per_sortie(plan: MissionPlan, scenario: Scenario | None, out_dir: Path, fmt: str, suffix: str,
                     content: Callable[[Sortie], str | bytes]) -> list[Path]:
    """Write one `<sortie stem><suffix>` file per sortie (text or bytes from `content`); returns the paths."""
    warn_without_scenario(fmt, scenario)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stems = file_stems(plan)
    paths = []
    for sortie in plan.sorties:
        if sortie.ended is not None:  # cut short in a replan: history, not a mission a dock should load again
            logger.warning("%s: ended at %s (%s): no %s file", sortie.sortie_id, sortie.ended.at, sortie.ended.reason,
                           fmt)
            continue
        path = out_dir / f"{stems[sortie.sortie_id]}{suffix}"
        data = content(sortie)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        paths.append(path)
    logger.info("wrote %d %s files to %s", len(paths), fmt, out_dir)
    return paths
