"""Conflict detection between operational intents: the day's own sorties against each other and against the
volumes other operators filed, with the separation minima of airspace.separation.

Volumes go into columnar tables (numpy, metric footprints) and an IntentIndex (STRtree over footprint envelopes,
then time, height and exact distance filters). A planner pass asks the index, sortie by sortie:

    index = IntentIndex(external_table(scenario, projector), minima)   # what is already in the sky
    for sortie in sorties_in_takeoff_order:
        table = sortie_table(sortie, scenario, projector, options.intent)
        delay = index.earliest_clear_offset(table, max_offset_s=1800)  # or try another height, or reroute
        ...                                                            # re-time the sortie by `delay`
        index.add(table.shifted(delay))                                # it is now in the sky too

`index.conflicts(table)` lists what a candidate would conflict with; both calls cost one index query.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np
import shapely

from airspace.projection import Projector
from airspace.separation import SeparationMinima, interval_gap, separated
from airspace.windows import clock_from_seconds
from missions.intent_models import DeconflictionOptions, IntentOptions
from missions.intents import intent_of, plan_projector, volume_paths
from missions.models import MissionPlan, Scenario, Sortie

logger = logging.getLogger(__name__)

REBUILD_AFTER = 2_000  # volumes added to an index before its STRtree is rebuilt (added ones are scanned)


@dataclass(frozen=True)
class Owner:
    """Who a volume belongs to: one of the plan's sorties, or another operator's intent."""

    kind: str  # "sortie" | "intent"
    id: str
    drone_id: str | None = None  # volumes of one drone never conflict with each other
    operator: str | None = None

    def label(self) -> str:
        if self.kind == "sortie":
            return f"sortie {self.id} (drone {self.drone_id})"
        return f"intent {self.id}" + (f" of {self.operator}" if self.operator else "")


@dataclass(frozen=True)
class VolumeTable:
    """Many 4D volumes as arrays: metric footprint centre lines (or outlines) widened by `buffer`, height bands
    (m above ground) and time intervals (s after the scenario's local midnight)."""

    owners: tuple[Owner, ...]
    owner: np.ndarray  # index into owners, per volume
    geoms: np.ndarray  # shapely geometries, metric
    buffer: np.ndarray
    low: np.ndarray
    high: np.ndarray
    start: np.ndarray
    end: np.ndarray
    sequence: np.ndarray  # index of the volume within its owner's intent
    # Per volume: equal keys for one drone's volumes; filled in from the owners unless given.
    drone: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    def __post_init__(self) -> None:
        if len(self.drone) != len(self.owner):
            # External intents get a key of their own: they never share a drone with anything.
            keys = np.array([o.drone_id if o.drone_id is not None else f"\0{o.kind}:{o.id}" for o in self.owners]
                            + [""], dtype=object)
            object.__setattr__(self, "drone", keys[self.owner] if len(self.owner) else keys[:0])

    def __len__(self) -> int:
        return len(self.geoms)

    @classmethod
    def empty(cls) -> "VolumeTable":
        z = np.zeros(0)
        return cls((), np.zeros(0, dtype=int), np.array([], dtype=object), z, z, z, z, z, np.zeros(0, dtype=int))

    @classmethod
    def concat(cls, tables: list["VolumeTable"]) -> "VolumeTable":
        tables = [t for t in tables if len(t.owners)]
        if not tables:
            return cls.empty()
        owners: list[Owner] = []
        shifted = []
        for t in tables:
            shifted.append(t.owner + len(owners))
            owners += t.owners
        return cls(tuple(owners), np.concatenate(shifted), np.concatenate([t.geoms for t in tables]),
                   *(np.concatenate([getattr(t, name) for t in tables])
                     for name in ("buffer", "low", "high", "start", "end", "sequence", "drone")))

    def shifted(self, offset_s: float) -> "VolumeTable":
        """The same volumes `offset_s` later (a delayed takeoff)."""
        return replace(self, start=self.start + offset_s, end=self.end + offset_s)


def sortie_table(sortie: Sortie, scenario: Scenario, projector: Projector, options: IntentOptions) -> VolumeTable:
    """The volumes of one sortie (its stored intent, or one drawn with `options`) as a table."""
    volumes = intent_of(sortie, options)
    if not volumes or not _finite(sortie):
        return VolumeTable.empty()
    n = len(volumes)
    return VolumeTable(
        owners=(Owner("sortie", sortie.sortie_id, sortie.drone_id),), owner=np.zeros(n, dtype=int),
        geoms=volume_paths(sortie, volumes, projector),
        buffer=np.array([v.buffer_m for v in volumes], dtype=float),
        low=np.array([v.altitude_lower_m for v in volumes], dtype=float),
        high=np.array([v.altitude_upper_m for v in volumes], dtype=float),
        start=_clock_seconds(scenario, sortie, [v.time_start for v in volumes]),
        end=_clock_seconds(scenario, sortie, [v.time_end for v in volumes]),
        sequence=np.arange(n),
    )


def _clock_seconds(scenario: Scenario, sortie: Sortie, moments: list) -> np.ndarray:
    """Clock seconds of many instants of one sortie: its takeoff's reading plus elapsed time (a flight never
    spans a clock change, airspace.clock), without a clock conversion per instant."""
    if sortie.takeoff.tzinfo is None or any(m.tzinfo is None for m in moments):
        return np.array([scenario.seconds_after_midnight(m) for m in moments], dtype=float)
    origin = sortie.takeoff.timestamp()
    return scenario.seconds_after_midnight(sortie.takeoff) + np.array([m.timestamp() for m in moments]) - origin


def _finite(sortie: Sortie) -> bool:
    # A plan holding NaN or infinite numbers is reported by the verifier; no intent can be drawn for it.
    return all(np.isfinite([w.lon, w.lat, w.alt_m, w.t_s, w.hover_s]).all() for w in sortie.waypoints)


def plan_table(plan: MissionPlan, scenario: Scenario, projector: Projector,
               options: IntentOptions | None = None) -> VolumeTable:
    """Every sortie's volumes (stored intents; drawn with `options` or the plan's own for sorties without)."""
    options = options or (plan.deconfliction.intent if plan.deconfliction else IntentOptions())
    return VolumeTable.concat([sortie_table(s, scenario, projector, options) for s in plan.sorties])


def external_table(scenario: Scenario, projector: Projector) -> VolumeTable:
    """Other operators' volumes the scenario lists (airspace.intents), as filed: no buffer added."""
    volumes = scenario.airspace.external_volumes()
    if not volumes:
        return VolumeTable.empty()
    owners: dict[tuple[str, str | None], int] = {}
    for v in volumes:
        owners.setdefault((v.intent_id, v.operator), len(owners))
    owner = np.array([owners[(v.intent_id, v.operator)] for v in volumes], dtype=int)
    sequence = np.zeros(len(volumes), dtype=int)
    seen: dict[int, int] = {}
    for i, o in enumerate(owner):
        sequence[i] = seen.get(int(o), 0)
        seen[int(o)] = sequence[i] + 1
    return VolumeTable(
        owners=tuple(Owner("intent", key[0], None, key[1]) for key in owners), owner=owner,
        geoms=np.array([projector.to_metric(v.geometry.shape) for v in volumes], dtype=object),
        buffer=np.zeros(len(volumes)),
        low=np.array([v.lower_m for v in volumes], dtype=float),
        high=np.array([v.upper_m for v in volumes], dtype=float),
        start=np.array([scenario.seconds_after_midnight(v.start) for v in volumes], dtype=float),
        end=np.array([scenario.seconds_after_midnight(v.end) for v in volumes], dtype=float),
        sequence=sequence,
    )


# ------------------------------------------------------------------------------------------------ conflicts
@dataclass(frozen=True)
class Conflict:
    """Two owners whose volumes come closer than the minima: the first such pair of volumes, and how many."""

    first: Owner
    second: Owner
    lon: float  # midway between the two footprints where they come closest
    lat: float
    start_s: float  # when (s after local midnight): the overlap of the two occupied intervals, or the gap
    end_s: float
    first_band_m: tuple[float, float]  # heights each may be at, above ground
    second_band_m: tuple[float, float]
    horizontal_gap_m: float
    vertical_gap_m: float
    time_gap_s: float
    volume_pairs: int

    def describe(self) -> str:
        when = clock_from_seconds(self.start_s) if abs(self.end_s - self.start_s) < 1 else \
            f"{clock_from_seconds(min(self.start_s, self.end_s))}-{clock_from_seconds(max(self.start_s, self.end_s))}"
        bands = (f"{self.first_band_m[0]:g}-{self.first_band_m[1]:g} m and "
                 f"{self.second_band_m[0]:g}-{self.second_band_m[1]:g} m")
        horizontal = "footprints overlap" if self.horizontal_gap_m <= 0 else \
            f"footprints {self.horizontal_gap_m:.0f} m apart"
        vertical = f"heights overlap ({bands})" if self.vertical_gap_m <= 0 else \
            f"heights {self.vertical_gap_m:.0f} m apart ({bands})"
        timing = "times overlap" if self.time_gap_s <= 0 else f"times {self.time_gap_s:.0f} s apart"
        return (f"{self.first.label()} and {self.second.label()} conflict at ({self.lon:.5f}, {self.lat:.5f}), "
                f"{when}: {horizontal}, {vertical}, {timing}"
                + (f" ({self.volume_pairs} pairs of volumes)" if self.volume_pairs > 1 else ""))


@dataclass(frozen=True)
class ConflictReport:
    conflicts: tuple[Conflict, ...]
    volumes: int
    external_volumes: int
    seconds: float
    minima: SeparationMinima

    @property
    def own(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.second.kind == "sortie"]

    @property
    def external(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.second.kind == "intent"]

    def summary(self) -> str:
        return (f"{len(self.own)} sortie pair(s) and {len(self.external)} sortie/intent pair(s) in conflict "
                f"({self.volumes} volumes, {self.external_volumes} filed by others; minima "
                f"{self.minima.horizontal_m:g} m, {self.minima.vertical_m:g} m, {self.minima.time_s:g} s; "
                f"{self.seconds:.2f} s)")


@dataclass
class IntentIndex:
    """Volumes already in the sky, queried by candidates: `conflicts`, `earliest_clear_offset`, `add`."""

    table: VolumeTable
    minima: SeparationMinima
    _tree: shapely.STRtree | None = field(default=None, init=False, repr=False)
    _indexed: int = field(default=0, init=False, repr=False)

    def add(self, table: VolumeTable) -> None:
        self.table = VolumeTable.concat([self.table, table])

    def _pairs(self, query: VolumeTable, *, ignore_time: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(query index, table index) of volume pairs closer than the minima (in time too unless ignore_time),
        never two volumes of one drone."""
        if not len(query) or not len(self.table):
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        if self._tree is None or len(self.table) - self._indexed > REBUILD_AFTER:
            self._tree, self._indexed = shapely.STRtree(self.table.geoms[: len(self.table)]), len(self.table)
        reach = self.minima.horizontal_m + float(query.buffer.max()) + float(self.table.buffer.max())
        bounds = shapely.bounds(query.geoms)
        boxes = shapely.box(bounds[:, 0] - reach, bounds[:, 1] - reach, bounds[:, 2] + reach, bounds[:, 3] + reach)
        qi, tj = self._tree.query(boxes)
        if len(self.table) > self._indexed:  # volumes added since the tree was built: compare their envelopes
            extra = np.arange(self._indexed, len(self.table))
            eb = shapely.bounds(self.table.geoms[extra])
            near = ((bounds[:, None, 0] - reach <= eb[None, :, 2]) & (eb[None, :, 0] <= bounds[:, None, 2] + reach)
                    & (bounds[:, None, 1] - reach <= eb[None, :, 3]) & (eb[None, :, 1] <= bounds[:, None, 3] + reach))
            ei, ej = np.nonzero(near)
            qi, tj = np.concatenate([qi, ei]), np.concatenate([tj, extra[ej]])
        return self._filter(query, qi, tj, ignore_time)

    def _filter(self, query: VolumeTable, qi: np.ndarray, tj: np.ndarray, ignore_time: bool):
        t = self.table
        keep = query.drone[qi] != t.drone[tj]
        qi, tj = qi[keep], tj[keep]
        vgap = interval_gap(query.low[qi], query.high[qi], t.low[tj], t.high[tj])
        tgap = np.full(len(qi), -np.inf) if ignore_time else \
            interval_gap(query.start[qi], query.end[qi], t.start[tj], t.end[tj])
        # Height and time first: cheap, and they remove most pairs before any distance is measured.
        keep = ~separated(np.zeros(len(qi)), vgap, tgap, self.minima)
        qi, tj, vgap, tgap = qi[keep], tj[keep], vgap[keep], tgap[keep]
        hgap = shapely.distance(query.geoms[qi], t.geoms[tj]) - query.buffer[qi] - t.buffer[tj]
        keep = ~separated(hgap, vgap, tgap, self.minima)
        return qi[keep], tj[keep]

    def conflicts(self, query: VolumeTable) -> list[Conflict]:
        """Conflicts of the candidate volumes `query` with the indexed ones, one per pair of owners."""
        qi, tj = self._pairs(query)
        return _group(query, self.table, qi, tj, self.minima)

    def met_span(self, query: VolumeTable) -> tuple[float, float] | None:
        """From the first start to the last end (clock s) of the indexed volumes `query` conflicts with, or None."""
        _, tj = self._pairs(query)
        if not len(tj):
            return None
        return float(self.table.start[tj].min()), float(self.table.end[tj].max())

    def blocked_offsets(self, query: VolumeTable) -> list[tuple[float, float]]:
        """Takeoff offsets (s, negative: earlier) at which `query` would conflict with something indexed, as
        sorted, disjoint open intervals. Exact: each pair of volumes close in space and height forbids the open
        interval of offsets that bring their times closer than the time minimum."""
        qi, tj = self._pairs(query, ignore_time=True)
        t, need = self.table, self.minima.time_s
        # Shifted by d, the time gap is max(t.start - q.end - d, q.start + d - t.end): below `need` for d strictly
        # between t.start - q.end - need and t.end - q.start + need.
        lo = t.start[tj] - query.end[qi] - need
        hi = t.end[tj] - query.start[qi] + need
        merged: list[tuple[float, float]] = []
        for a, b in sorted(zip(lo.tolist(), hi.tolist())):
            if merged and a < merged[-1][1]:  # overlapping open intervals merge; touching ones leave a free point
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def earliest_clear_offset(self, query: VolumeTable, max_offset_s: float, min_offset_s: float = 0.0
                              ) -> float | None:
        """The smallest takeoff delay in [min_offset_s, max_offset_s] after which `query` conflicts with nothing
        indexed, or None."""
        candidate = min_offset_s
        for a, b in self.blocked_offsets(query):
            if a < candidate < b:
                candidate = b
        return candidate if candidate <= max_offset_s else None

    def nearest_clear_offset(self, query: VolumeTable, earliest_s: float, latest_s: float) -> float | None:
        """The takeoff offset of smallest size in [earliest_s, latest_s] (earliest_s <= 0 <= latest_s) that clears
        `query`, or None; a delay wins a tie with an advance."""
        for a, b in self.blocked_offsets(query):
            if a < 0.0 < b:
                options = [x for x in (b, a) if earliest_s <= x <= latest_s]
                return min(options, key=abs) if options else None
        return 0.0


def _group(query: VolumeTable, table: VolumeTable, qi: np.ndarray, tj: np.ndarray,
           minima: SeparationMinima) -> list[Conflict]:
    if not len(qi):
        return []
    pairs: dict[tuple[int, int], list[int]] = {}
    for k, (a, b) in enumerate(zip(query.owner[qi], table.owner[tj])):
        pairs.setdefault((int(a), int(b)), []).append(k)
    out = []
    for (a, b), ks in pairs.items():
        ks_arr = np.array(ks)
        begin = np.maximum(query.start[qi[ks_arr]], table.start[tj[ks_arr]])
        k = int(ks_arr[np.argmin(begin)])
        i, j = qi[k], tj[k]
        line = shapely.shortest_line(query.geoms[i], table.geoms[j])
        out.append(_conflict(query.owners[a], table.owners[b], line, query, i, table, j, len(ks), minima))
    return out


def _conflict(first: Owner, second: Owner, line, query: VolumeTable, i: int, table: VolumeTable, j: int,
              count: int, minima: SeparationMinima) -> Conflict:
    mid = line.interpolate(0.5, normalized=True)
    return Conflict(
        first=first, second=second, lon=mid.x, lat=mid.y,  # metric here; find_conflicts converts to lon/lat
        start_s=float(max(query.start[i], table.start[j])), end_s=float(min(query.end[i], table.end[j])),
        first_band_m=(float(query.low[i]), float(query.high[i])),
        second_band_m=(float(table.low[j]), float(table.high[j])),
        horizontal_gap_m=float(line.length - query.buffer[i] - table.buffer[j]),
        vertical_gap_m=float(interval_gap(query.low[i], query.high[i], table.low[j], table.high[j])),
        time_gap_s=float(interval_gap(query.start[i], query.end[i], table.start[j], table.end[j])),
        volume_pairs=count,
    )


def find_conflicts(plan: MissionPlan, scenario: Scenario, options: DeconflictionOptions | None = None,
                   projector: Projector | None = None) -> ConflictReport:
    """Every pair of the plan's sorties (of different drones) and every sortie/filed intent pair in conflict.

    Options default to the plan's own (plan.deconfliction), else lowalt's defaults."""
    started = time.perf_counter()
    options = options or plan.deconfliction or DeconflictionOptions()
    projector = projector or plan_projector(plan, scenario)
    own = plan_table(plan, scenario, projector, options.intent)
    others = external_table(scenario, projector)
    index = IntentIndex(own, options.separation)
    qi, tj = index._pairs(own)
    keep = own.owner[qi] < own.owner[tj]  # each pair of sorties once, in plan order
    conflicts = _group(own, own, qi[keep], tj[keep], options.separation)
    if len(others):
        conflicts += IntentIndex(others, options.separation).conflicts(own)
    conflicts = [_to_lonlat(c, projector) for c in conflicts]
    conflicts.sort(key=lambda c: (c.start_s, c.first.id, c.second.kind, c.second.id))
    report = ConflictReport(tuple(conflicts), len(own), len(others), time.perf_counter() - started,
                            options.separation)
    logger.info("deconfliction of %s: %s", plan.scenario, report.summary())
    return report


def _to_lonlat(conflict: Conflict, projector: Projector) -> Conflict:
    lon, lat = projector.inverse(conflict.lon, conflict.lat)
    return replace(conflict, lon=float(lon), lat=float(lat))
