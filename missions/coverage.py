"""What each target requires to be flown (lines, shoreline rings, corridor passes, points) and how much a plan covers.

Tasks are cut from this required geometry; the verifier checks a plan against it without trusting the plan's tasks.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

import shapely
from shapely.geometry import LineString, MultiLineString, Point

from missions.models import Camera, DroneModel, MissionPlan, Scenario, Target

if TYPE_CHECKING:
    from airspace.projection import Projector

logger = logging.getLogger(__name__)

# A point target counts as this many metres of required length, so one hover weighs like one metre of line.
POINT_EQUIVALENT_M = 1.0
# Inspection lines within this distance of a required line cover it (GPS and projection round-off).
COVER_TOLERANCE_M = 2.0
# Below this a line piece has no length worth flying (a repeated vertex, a collapsed ring).
MIN_PIECE_M = 0.01
# A line that runs over its own course (a digitised river doubling back on itself) by more than this is
# required once along the retraced stretch: the camera has seen it the first time.
RETRACE_TOLERANCE_M = 1.0
RETRACE_GRID_M = 0.1  # vertices this close count as one when finding a retraced stretch (digitising round-off)


@dataclass(frozen=True)
class RequiredLine:
    """One continuous line a target requires, in the target's metric CRS (a river, a ring, a corridor pass)."""

    piece: int  # 1-based index of the source line/ring within the target
    line: LineString  # metric
    pass_index: int | None = None  # 1-based corridor pass, None without a corridor


@dataclass(frozen=True)
class Requirement:
    """Everything a target asks to be flown, in metres of its own projection."""

    target: Target
    projector: "Projector"
    lines: list[RequiredLine] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)  # metric
    degenerate: list[tuple[int, LineString]] = field(default_factory=list)  # zero-length pieces (piece, metric)
    problem: str | None = None  # why the target cannot be turned into tasks at all (e.g. corridor without camera)
    retraced_m: float = 0.0  # length of the target's lines running over their own course, required once

    @property
    def length_m(self) -> float:
        return sum(r.line.length for r in self.lines) + POINT_EQUIVALENT_M * len(self.points)


def corridor_step_m(altitude_m: float, cameras: Iterable[Camera]) -> float | None:
    """Spacing between corridor passes that every listed camera images without gaps; None without a camera.

    The smallest step (footprint x (1 - side overlap)) wins, so a drone of any model can fly every pass.
    """
    steps = [c.footprint_m(altitude_m) * (1.0 - c.side_overlap) for c in cameras]
    return min(steps) if steps else None


def corridor_passes(width_m: float, step_m: float) -> int:
    """ceil(width / step), tolerant of float noise (300 / 75.0 is 4 passes, not 5)."""
    return max(1, math.ceil(width_m / step_m - 1e-9))


def pass_offsets_m(width_m: float, passes: int) -> list[float]:
    """Offsets of the pass centre lines, spread symmetrically across the width (left of travel is positive)."""
    spacing = width_m / passes
    return [-(width_m / 2.0) + (k + 0.5) * spacing for k in range(passes)]


def fleet_cameras(drone_models: Sequence[DroneModel], default_camera: Camera | None = None) -> list[Camera]:
    cameras = [m.camera for m in drone_models if m.camera is not None]
    if not cameras and default_camera is not None:
        cameras = [default_camera]
    return cameras


def _source_lines(geom: shapely.Geometry) -> list[LineString]:
    """Lines to fly for a (metric) target geometry: the lines themselves, or every ring of a polygon."""
    if isinstance(geom, LineString):
        return [geom]
    if isinstance(geom, MultiLineString):
        return list(geom.geoms)
    if geom.geom_type == "Polygon":
        return [LineString(geom.exterior.coords)] + [LineString(ring.coords) for ring in geom.interiors]
    if geom.geom_type == "MultiPolygon":
        return [line for poly in geom.geoms for line in _source_lines(poly)]
    raise ValueError(f"no lines in a {geom.geom_type}")


def _offset(line: LineString, distance_m: float) -> list[LineString]:
    if abs(distance_m) < 1e-9:
        return [line]
    shifted = shapely.offset_curve(line, distance_m, quad_segs=8, join_style="round")
    parts = list(shifted.geoms) if isinstance(shifted, MultiLineString) else [shifted]
    return [p for p in parts if isinstance(p, LineString) and not p.is_empty]


def _once(line: LineString) -> tuple[list[LineString], float]:
    """`line` with any stretch it runs over twice kept once (its dissolved, merged parts), and the length dropped.

    A line that only crosses itself keeps its length and is returned whole, so ordinary inputs are untouched.
    """
    dissolved = shapely.line_merge(shapely.unary_union(line, grid_size=RETRACE_GRID_M))
    dropped = line.length - dissolved.length
    if dropped <= RETRACE_TOLERANCE_M:
        return [line], 0.0
    parts = list(dissolved.geoms) if isinstance(dissolved, MultiLineString) else [dissolved]
    return [p for p in parts if isinstance(p, LineString) and p.length >= MIN_PIECE_M], dropped


def requirement_of(
    target: Target, drone_models: Sequence[DroneModel], *, default_camera: Camera | None = None
) -> Requirement:
    """The geometry `target` requires, in a metric CRS chosen for it."""
    from airspace.projection import Projector  # lazy: keeps this module importable without pyproj set up

    shape = target.geometry.shape
    projector = Projector.for_geometry(shape)
    metric = projector.to_metric(shape)
    if target.geometry.type in ("Point", "MultiPoint"):
        points = [metric] if isinstance(metric, Point) else list(metric.geoms)
        return Requirement(target=target, projector=projector, points=points)

    lines: list[RequiredLine] = []
    degenerate: list[tuple[int, LineString]] = []
    sources = _source_lines(metric)
    for piece, line in enumerate(sources, start=1):
        if line.length < MIN_PIECE_M:
            degenerate.append((piece, line))
    flyable: list[tuple[int, LineString]] = []
    retraced = 0.0
    for piece, line in enumerate(sources, start=1):
        if line.length >= MIN_PIECE_M:
            parts, dropped = _once(line)
            flyable += [(piece, part) for part in parts]
            retraced += dropped

    if target.corridor_width_m is None:
        lines = [RequiredLine(piece=piece, line=line) for piece, line in flyable]
        return Requirement(target=target, projector=projector, lines=lines, degenerate=degenerate,
                           retraced_m=retraced)

    step = corridor_step_m(target.altitude_m, fleet_cameras(drone_models, default_camera))
    if step is None:
        # Still report the centre lines as required so coverage shows the gap instead of hiding it.
        lines = [RequiredLine(piece=piece, line=line) for piece, line in flyable]
        problem = (f"corridor_width_m {target.corridor_width_m:g} needs a camera, "
                   f"but no drone model in the scenario has one")
        return Requirement(target=target, projector=projector, lines=lines, degenerate=degenerate,
                           problem=problem, retraced_m=retraced)

    passes = corridor_passes(target.corridor_width_m, step)
    offsets = pass_offsets_m(target.corridor_width_m, passes)
    for pass_number, offset in enumerate(offsets, start=1):
        for piece, line in flyable:
            for part in _offset(line, offset):
                if part.length >= MIN_PIECE_M:
                    lines.append(RequiredLine(piece=piece, line=part, pass_index=pass_number))
    return Requirement(target=target, projector=projector, lines=lines, degenerate=degenerate,
                           retraced_m=retraced)


def requirements_of(scenario: Scenario, *, default_camera: Camera | None = None) -> list[Requirement]:
    """The requirement of every target of a resolved scenario, in target order."""
    return [requirement_of(t, scenario.drone_models, default_camera=default_camera)
            for t in scenario.resolved_targets()]


def _metric_shapes(req: Requirement, coordinate_lists: Iterable[Sequence[Sequence[float]]]) -> list[shapely.Geometry]:
    shapes = []
    for coords in coordinate_lists:
        lonlat = [(float(c[0]), float(c[1])) for c in coords]
        if not lonlat:
            continue
        geom = Point(lonlat[0]) if len(lonlat) == 1 else LineString(lonlat)
        shapes.append(req.projector.to_metric(geom))
    return shapes


def covered_length_m(
    req: Requirement, coordinate_lists: Iterable[Sequence[Sequence[float]]], tolerance_m: float = COVER_TOLERANCE_M
) -> float:
    """Required length (points at POINT_EQUIVALENT_M each) lying within `tolerance_m` of the given [lon, lat] paths."""
    shapes = _metric_shapes(req, coordinate_lists)
    if not shapes:
        return 0.0
    cover = shapely.union_all([s.buffer(tolerance_m, quad_segs=4) for s in shapes])
    covered = sum(r.line.intersection(cover).length for r in req.lines)
    covered += POINT_EQUIVALENT_M * sum(1 for p in req.points if cover.covers(p))
    return float(covered)


def coverage(plan: MissionPlan, scenario: Scenario, *, default_camera: Camera | None = None) -> float:
    """Served length over required length across all targets, measured on the flown inspection geometry.

    An inspection serves only its own target, within COVER_TOLERANCE_M; a point target counts as
    POINT_EQUIVALENT_M (1 m) of required length, served when a hover of that target is within the tolerance.
    A scenario with nothing required is fully covered (1.0).
    """
    flown: dict[str, list[list[list[float]]]] = {}
    for sortie in plan.sorties:
        for inspection in sortie.inspections:
            flown.setdefault(inspection.target_id, []).append(inspection.coordinates)
    required = served = 0.0
    for req in requirements_of(scenario, default_camera=default_camera):
        required += req.length_m
        served += min(req.length_m, covered_length_m(req, flown.get(req.target.id, [])))
    return 1.0 if required <= 0 else served / required
