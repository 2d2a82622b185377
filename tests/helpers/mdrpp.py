"""MD-RPP-RRV failure-scenario instances (Sathyamurthy, Herrmann & Azarm, arXiv:2303.03481) read, and turned into a
lowalt day: depots become hangars, required edges line targets, the vehicle failures drone failures at clock times.

The instances are graphs without coordinates. Vertices are placed by classical multidimensional scaling of the
shortest-path distances (so straight lines approximate the graph's distances); one edge-weight unit is the share of
a drone's range that the vehicle capacity is of the weight, so a trip of the instance is a sortie's worth of flying.
Source: Eashwar-S/Rescheduling-multi-depot-multi-trip-rural-postman-problem-instances (MIT), copied unchanged to
the shared benchmarks folder (read in place, never copied into the repo).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from airspace.geometry import Geometry
from airspace.projection import Projector
from airspace.windows import TimeWindow, clock_from_seconds
from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target, Weather

# The project's shared folder beside the repo (or beside the folder of its worktrees).
FAILURE_DIR = next((p / "shared" / "benchmarks" / "mdrpp" / "md_rpp_rrv_failure_scenarios"
                    for p in Path(__file__).resolve().parents[3:5]
                    if (p / "shared" / "benchmarks" / "mdrpp").is_dir()), Path("shared/benchmarks/mdrpp/missing"))
COPIED_DIR = Path(__file__).resolve().parents[1] / "data" / "mdrpp"
CENTRE = (114.30, 30.55)  # any place: the instance has no geography; near the demo so the projection is familiar
DAY_START_S = 8 * 3600
RANGE_SHARE = 0.5  # the vehicle capacity is this share of the drone's range at cruise on its usable battery
MODEL = DroneModel(id="mdrpp", name="Matrice 4D-like", cruise_speed_ms=15, inspection_speed_ms=10, endurance_min=50,
                   reserve_fraction=0.2, max_wind_ms=12, climb_speed_ms=6)

_EDGE = re.compile(r"^\((\d+),(\d+)\)\s+edge weight\s+([\d.]+)")
_FAILURE = re.compile(r"Vehicle (\d+) will fail in ([\d.]+) time units")


@dataclass(frozen=True)
class Instance:
    name: str
    vertices: int
    capacity: float
    vehicles: int
    recharge: float
    depots: tuple[int, ...]
    required: tuple[tuple[int, int, float], ...]
    other: tuple[tuple[int, int, float], ...]  # non-required edges: only distances
    failures: tuple[tuple[int, float], ...]  # (vehicle, 1-based; time units after the start)


def load_instance(path: str | Path) -> Instance:
    header: dict[str, str] = {}
    required, other, failures = [], [], []
    section = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        edge = _EDGE.match(line)
        failure = _FAILURE.search(line)
        if edge:
            (required if section == "required" else other).append((int(edge[1]), int(edge[2]), float(edge[3])))
        elif failure:
            failures.append((int(failure[1]), float(failure[2])))
        elif line.startswith("LIST_REQUIRED_EDGES"):
            section = "required"
        elif line.startswith("LIST_NON_REQUIRED_EDGES"):
            section = "other"
        elif ":" in line:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
    return Instance(name=header["NAME"], vertices=int(header["NUMBER OF VERTICES"]),
                    capacity=float(header["VEHICLE CAPACITY"]), vehicles=int(header["NUMBER OF VEHICLES"]),
                    recharge=float(header["RECHARGE TIME"]),
                    depots=tuple(int(d) for d in header["DEPOT"].split(",") if d.strip()),
                    required=tuple(required), other=tuple(other), failures=tuple(failures))


def shortest_paths(instance: Instance) -> np.ndarray:
    """All-pairs shortest path weights (Floyd-Warshall; the instances have at most a few hundred vertices)."""
    n = instance.vertices
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    for u, v, w in instance.required + instance.other:
        dist[u - 1, v - 1] = dist[v - 1, u - 1] = min(dist[u - 1, v - 1], w)
    for k in range(n):
        dist = np.minimum(dist, dist[:, k:k + 1] + dist[k:k + 1, :])
    return dist


def layout(instance: Instance) -> np.ndarray:
    """(n, 2) positions in weight units whose straight distances approximate the shortest paths (classical MDS)."""
    dist = shortest_paths(instance)
    finite = np.where(np.isfinite(dist), dist, np.nanmax(dist[np.isfinite(dist)]))
    n = len(finite)
    centring = np.eye(n) - np.ones((n, n)) / n
    gram = -0.5 * centring @ (finite ** 2) @ centring
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[::-1][:2]
    return vectors[:, top] * np.sqrt(np.maximum(values[top], 0.0))


def unit_m(instance: Instance) -> float:
    """Metres per weight unit: the capacity is RANGE_SHARE of the drone's cruise range on its usable battery."""
    usable_s = MODEL.endurance_min * 60.0 * (1.0 - MODEL.reserve_fraction)
    return RANGE_SHARE * usable_s * MODEL.cruise_speed_ms / instance.capacity


def drone_ids(instance: Instance) -> list[str]:
    """Vehicle k (1-based) -> its drone id: vehicles dealt to the depots in turn."""
    per_depot: dict[int, int] = {}
    ids = []
    for k in range(instance.vehicles):
        depot = instance.depots[k % len(instance.depots)]
        per_depot[depot] = per_depot.get(depot, 0) + 1
        ids.append(f"D{depot:03d}-{per_depot[depot]}")
    return ids


def failure_clock_s(instance: Instance, units: float) -> int:
    """Clock seconds of a failure `units` weight units into the day (a unit is flown at cruise speed)."""
    return int(DAY_START_S + units * unit_m(instance) / MODEL.cruise_speed_ms)


def scenario_from_instance(instance: Instance) -> Scenario:
    xy = layout(instance) * unit_m(instance)
    projector = Projector.for_lonlat(*CENTRE)
    cx, cy = projector.forward(*CENTRE)

    def lonlat(k: int) -> tuple[float, float]:
        lon, lat = projector.inverse(cx + xy[k - 1, 0], cy + xy[k - 1, 1])
        return float(lon), float(lat)

    counts: dict[int, int] = {}
    for drone in drone_ids(instance):
        depot = int(drone[1:4])
        counts[depot] = counts.get(depot, 0) + 1
    recharge_min = instance.recharge * unit_m(instance) / MODEL.cruise_speed_ms / 60.0
    radius = RANGE_SHARE * instance.capacity * unit_m(instance) * 0.9  # a round trip to the edge leaves some range
    hangars = [Hangar(id=f"D{d:03d}", name=f"depot {d}", lon=lonlat(d)[0], lat=lonlat(d)[1], drone_model=MODEL.id,
                      drones=counts.get(d, 0), operating_radius_m=round(radius), recharge_min=round(recharge_min, 2))
               for d in instance.depots]
    targets = []
    for u, v, _ in instance.required:
        line = shapely.LineString([lonlat(u), lonlat(v)])
        if line.length == 0:
            continue  # two vertices at one place: nothing to fly (MDS placed them together)
        targets.append(Target(id=f"E{u}-{v}", kind="road", geometry=Geometry.from_shape(line), altitude_m=60.0))
    return Scenario(name=instance.name, date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
                    operating_window=TimeWindow(start=clock_from_seconds(DAY_START_S)[:5], end="17:00"),
                    weather=Weather(wind_speed_ms=0.0, wind_from_deg=0.0), drone_models=[MODEL], hangars=hangars,
                    airspace=AirspaceSpec(ceiling_m=120.0, zones=[], authorised=[]), targets=targets)


def instance_paths(family: str = "gdb") -> list[Path]:
    """The failure-scenario files of one family (gdb, bccm, eglese) in their numeric order; [] when not checked out."""
    folder = FAILURE_DIR / family
    if not folder.is_dir():  # without the shared folder: the two instances the tests need, copied (ATTRIBUTION.md)
        folder = COPIED_DIR / family
        if not folder.is_dir():
            return []
    return sorted(folder.glob("*.txt"), key=lambda p: int(p.stem.split(".")[-1]))
