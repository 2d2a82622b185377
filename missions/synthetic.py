"""Generated scenarios of any size, for tests, property checks and scale benchmarks.

Deterministic for a seed: hangars on a jittered grid, wandering river/road lines, lakes, points, zones, closures.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from airspace.geometry import Geometry
from airspace.projection import Projector
from airspace.windows import TimeWindow
from airspace.zones import Restriction, Zone
from missions.models import AirspaceSpec, Camera, DroneModel, Hangar, Scenario, Target, Weather

CENTRE = (114.40, 30.52)  # Wuhan, Optics Valley


def synthetic_scenario(
    seed: int = 0,
    *,
    hangars: int = 4,
    drones_per_hangar: int = 2,
    line_km: float = 40.0,
    points: int = 6,
    lakes: int = 1,
    corridors: int = 1,
    zones: int = 2,
    closures: int = 1,
    wind_ms: float = 5.0,
    windows: bool = True,
    spacing_m: float = 6000.0,
    operating_radius_m: float = 7000.0,
    line_piece_km: float = 6.0,
    name: str | None = None,
) -> Scenario:
    rng = np.random.default_rng(seed)
    projector = Projector.for_lonlat(*CENTRE)
    cx, cy = projector.forward(*CENTRE)
    side = max(1, math.ceil(math.sqrt(hangars)))
    hangar_xy = []
    for k in range(hangars):
        row, col = divmod(k, side)
        hangar_xy.append((cx + (col - (side - 1) / 2) * spacing_m + rng.uniform(-500, 500),
                          cy + (row - (side - 1) / 2) * spacing_m + rng.uniform(-500, 500)))
    hangar_points = [Point(p) for p in hangar_xy]
    extent = shapely.MultiPoint(hangar_points).buffer(operating_radius_m * 0.75).envelope

    def to_lonlat(geom):
        return Geometry.from_shape(projector.to_wgs84(geom))

    def random_inside(margin: float = 0.0):
        minx, miny, maxx, maxy = extent.bounds
        return (rng.uniform(minx + margin, maxx - margin), rng.uniform(miny + margin, maxy - margin))

    # Zones first, so hangars can keep out of them.
    zone_models: list[Zone] = []
    for k in range(zones + closures):
        for _ in range(50):
            x, y = random_inside(1000)
            radius = rng.uniform(300, 1200)
            poly = _blob(rng, x, y, radius)
            if not any(poly.buffer(200).contains(h) for h in hangar_points):
                break
        is_closure = k >= zones
        restriction = Restriction.PROHIBITED if (is_closure or k % 2 == 0) else Restriction.AUTHORISATION_REQUIRED
        active = None
        if is_closure:
            start_h = int(rng.integers(9, 13))
            active = [TimeWindow(start=f"{start_h:02d}:00", end=f"{start_h + 2:02d}:30")]
        zone_models.append(Zone(
            id=f"{'TFR' if is_closure else 'Z'}-{k + 1}", name=f"{'Closure' if is_closure else 'Zone'} {k + 1}",
            restriction=restriction, lower_m=0.0, upper_m=120.0 if k % 3 else 300.0,
            geometry=to_lonlat(poly), active=active,
        ))

    targets: list[Target] = []
    remaining = line_km * 1000.0
    number = 0
    while remaining > 200:
        number += 1
        length = min(remaining, line_piece_km * 1000.0 * rng.uniform(0.6, 1.2))
        remaining -= length
        line = _wander(rng, hangar_xy[int(rng.integers(len(hangar_xy)))], length, operating_radius_m * 0.8)
        kind = ("river", "road", "pipeline")[number % 3]
        width = float(rng.choice([80.0, 150.0])) if number <= corridors else None
        targets.append(Target(
            id=f"L{number}", name=f"{kind} {number}", kind=kind, geometry=to_lonlat(line),
            altitude_m=float(rng.choice([60.0, 80.0])), priority=int(rng.integers(1, 6)),
            corridor_width_m=width,
            window=TimeWindow(start="09:00", end="15:00") if windows and number % 4 == 0 else None,
        ))
    for k in range(lakes):
        x, y = hangar_xy[k % len(hangar_xy)]
        lake = _blob(rng, x + rng.uniform(-2500, 2500), y + rng.uniform(-2500, 2500), rng.uniform(500, 1200))
        targets.append(Target(id=f"LAKE{k + 1}", name=f"Lake {k + 1}", kind="shoreline", geometry=to_lonlat(lake),
                              altitude_m=70.0, priority=3))
    for k in range(points):
        hx, hy = hangar_xy[int(rng.integers(len(hangar_xy)))]
        angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(300, operating_radius_m * 0.7)
        p = Point(hx + dist * math.cos(angle), hy + dist * math.sin(angle))
        targets.append(Target(
            id=f"P{k + 1}", name=f"Bridge {k + 1}", kind="point", geometry=to_lonlat(p), altitude_m=50.0,
            priority=int(rng.integers(2, 6)), hover_s=float(rng.choice([20.0, 30.0, 60.0])),
            window=TimeWindow(start="10:00", end="12:00") if windows and k % 3 == 0 else None,
        ))

    models = [
        DroneModel(id="m3d", name="Matrice 3D-like", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45,
                   reserve_fraction=0.2, max_wind_ms=8, climb_speed_ms=5,
                   camera=Camera(sensor_width_mm=17.3, focal_length_mm=12.3, image_width_px=5280)),
        DroneModel(id="m4d", name="Matrice 4D-like", cruise_speed_ms=15, inspection_speed_ms=10, endurance_min=50,
                   reserve_fraction=0.2, max_wind_ms=12, climb_speed_ms=6,
                   camera=Camera(sensor_width_mm=17.3, focal_length_mm=12.3, image_width_px=5280)),
    ]
    hangar_models = []
    for k, (x, y) in enumerate(hangar_xy):
        lon, lat = projector.inverse(x, y)
        hangar_models.append(Hangar(
            id=f"H{k + 1:02d}", name=f"Hangar {k + 1}", lon=float(lon), lat=float(lat),
            drone_model=models[k % 2].id, drones=drones_per_hangar, operating_radius_m=operating_radius_m,
            recharge_min=32, window=TimeWindow(start="08:30", end="16:30") if k % 3 == 2 else None,
        ))
    return Scenario(
        name=name or f"synthetic-{seed}",
        date=dt.date(2026, 11, 21),
        timezone="Asia/Shanghai",
        operating_window=TimeWindow(start="08:00", end="17:00"),
        weather=Weather(wind_speed_ms=wind_ms, wind_from_deg=float(rng.uniform(0, 360))),
        drone_models=models,
        hangars=hangar_models,
        airspace=AirspaceSpec(ceiling_m=120.0, zones=zone_models, authorised=[z.id for z in zone_models
                                                                             if z.restriction is Restriction.AUTHORISATION_REQUIRED][:1]),
        targets=targets,
    )


def _blob(rng, x: float, y: float, radius: float) -> Polygon:
    """A lumpy convex-ish polygon: a circle with its radius wobbled, always valid."""
    angles = np.sort(rng.uniform(0, 2 * math.pi, 12))
    radii = radius * rng.uniform(0.7, 1.0, 12)
    poly = Polygon(zip(x + radii * np.cos(angles), y + radii * np.sin(angles)))
    return poly if poly.is_valid else poly.convex_hull


def _wander(rng, origin: tuple[float, float], length: float, max_from_origin: float) -> LineString:
    """A river-like line: a random walk with smooth turns that stays near its hangar."""
    x, y = origin[0] + rng.uniform(-1500, 1500), origin[1] + rng.uniform(-1500, 1500)
    heading = rng.uniform(0, 2 * math.pi)
    step = 250.0
    coords = [(x, y)]
    for _ in range(max(2, int(length / step))):
        heading += rng.normal(0, 0.25)
        nx, ny = x + step * math.cos(heading), y + step * math.sin(heading)
        if math.hypot(nx - origin[0], ny - origin[1]) > max_from_origin:
            heading += math.pi / 2  # turn back toward the hangar rather than leave its reach
            continue
        x, y = nx, ny
        coords.append((x, y))
    line = LineString(coords)
    return line if line.is_simple else shapely.simplify(line, 1.0)
