"""Properties of plan() over generated scenarios: verified, fully accounted for, reproducible, on time.

Scenarios are built from hypothesis strategies (hangars, models, zones incl. time-windowed closures, line /
shoreline / point / corridor targets, wind, windows) so a failure shrinks to a small readable scenario.
"""
from __future__ import annotations

import datetime as dt
import math
import time

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from airspace.geometry import Geometry
from airspace.projection import Projector
from airspace.windows import TimeWindow
from airspace.zones import Restriction, Zone
from missions.models import (
    AirspaceSpec, Camera, DroneModel, Hangar, MissionPlan, Scenario, Target, UnservedReason, Weather,
)
from missions.verify import verify_plan
from planner import PlanOptions, plan
from tests.helpers.determinism import comparable

# Reproducible in CI: derandomized examples, no example database written into the work tree.
settings.register_profile(
    "trust", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CENTRE = (114.40, 30.52)  # Wuhan, Optics Valley
PROJECTOR = Projector.for_lonlat(*CENTRE)
CX, CY = PROJECTOR.forward(*CENTRE)
TIME_LIMIT_S = 1.0
SOLUTION_LIMIT = 40  # binds before the time limit on these sizes, so a seed fixes the plan
# plan() builds tasks, legal paths and cost matrices before the solver starts; on a loaded 2-core CI box that
# and the sortie rebuild take a few seconds beyond the solver's own limit.
TIME_MARGIN_S = 6.0
PLAN_EXAMPLES = 60
SEED_EXAMPLES = 25

# ------------------------------------------------------------------------------------------------ strategies
def _lonlat(x_m: float, y_m: float) -> list[float]:
    lon, lat = PROJECTOR.inverse(CX + x_m, CY + y_m)
    return [round(float(lon), 7), round(float(lat), 7)]


# Metres on a 100 m lattice: shrinking lands on round numbers a person can read.
offsets = st.integers(-60, 60).map(lambda k: k * 100.0)
clock_hours = st.integers(6, 18)


@st.composite
def windows(draw, earliest: int = 6, latest: int = 19) -> TimeWindow:
    start = draw(st.integers(earliest * 2, latest * 2 - 1))  # half hours
    end = draw(st.integers(start + 1, latest * 2))
    return TimeWindow(start=f"{start // 2:02d}:{30 * (start % 2):02d}", end=f"{end // 2:02d}:{30 * (end % 2):02d}")


def _ring(cx: float, cy: float, radius: float, sides: int, turn: float, inner: float = 1.0) -> list[list[float]]:
    """A star-shaped ring (valid for any `inner` > 0): every other vertex pulled in to `inner` x radius."""
    ring = []
    for k in range(sides):
        r = radius * (inner if k % 2 else 1.0)
        angle = turn + 2 * math.pi * k / sides
        ring.append(_lonlat(cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return ring + [ring[0]]


@st.composite
def sometimes(draw, strategy, one_in: int = 4):
    """None mostly, a value one time in `one_in`: windows and closures should not empty every day."""
    return draw(strategy) if draw(st.integers(1, one_in)) == one_in else None


@st.composite
def drone_models(draw, index: int) -> DroneModel:
    cruise = draw(st.sampled_from([10.0, 12.0, 15.0, 18.0]))
    return DroneModel(
        id=f"m{index}", cruise_speed_ms=cruise, inspection_speed_ms=draw(st.sampled_from([8.0, 6.0, cruise, 4.0])),
        endurance_min=draw(st.sampled_from([45.0, 30.0, 55.0, 20.0])),
        reserve_fraction=draw(st.sampled_from([0.1, 0.2, 0.3])),
        max_wind_ms=draw(st.sampled_from([12.0, 8.0, 6.0])), climb_speed_ms=draw(st.sampled_from([3.0, 5.0])),
        camera=draw(st.one_of(st.none(), st.just(Camera(sensor_width_mm=17.3, focal_length_mm=12.3,
                                                         image_width_px=5280)))),
    )


@st.composite
def hangars(draw, index: int, models: list[DroneModel]) -> Hangar:
    lon, lat = _lonlat(draw(offsets), draw(offsets))
    # Shrinking goes to the first listed value of each choice: a drone, a 5 km radius, no window.
    return Hangar(
        id=f"H{index + 1}", lon=lon, lat=lat, drone_model=draw(st.sampled_from([m.id for m in models])),
        drones=draw(st.integers(1, 6).map(lambda v: 0 if v == 6 else 1 + v % 2)),  # an empty hangar now and then
        operating_radius_m=draw(st.sampled_from([5000.0, 8000.0, 3000.0])),
        recharge_min=draw(st.sampled_from([0.0, 20.0, 32.0])),
        window=draw(sometimes(windows(7, 18))),
    )


@st.composite
def zones(draw, index: int, anchors: list[Hangar], earlier: list[Zone]) -> Zone:
    lower = draw(st.sampled_from([0.0, 0.0, 60.0, 150.0]))
    x, y = draw(offsets), draw(offsets)
    place = draw(st.integers(1, 6))
    if place >= 5:  # around a hangar: launches and landings must respect it too
        anchor = draw(st.sampled_from(anchors))
        x, y = (v - c for v, c in zip(PROJECTOR.forward(anchor.lon, anchor.lat), (CX, CY)))
        x, y = x + draw(st.integers(-5, 5)) * 100.0, y + draw(st.integers(-5, 5)) * 100.0
    elif place == 4 and earlier:  # against an earlier zone: overlaps and narrow gaps between zones
        centre = draw(st.sampled_from(earlier)).geometry.shape.centroid
        x, y = (v - c for v, c in zip(PROJECTOR.forward(centre.x, centre.y), (CX, CY)))
        x, y = x + draw(st.integers(-15, 15)) * 100.0, y + draw(st.integers(-15, 15)) * 100.0
    radius = draw(st.integers(3, 15)) * 100.0
    # Concave (star) zones too: a leg between two spikes is the classic place for a path check to cut a corner.
    outer = _ring(x, y, radius, draw(st.integers(4, 12)), draw(st.floats(0, 1)),
                  draw(st.sampled_from([1.0, 0.7, 0.35])))
    shape = draw(st.sampled_from(["polygon", "polygon", "donut", "multi"]))
    if shape == "donut":  # a ring-shaped zone: its hole is open airspace reachable only from above the band
        geometry = Geometry(type="Polygon", coordinates=[outer, _ring(x, y, radius * 0.3, 8, 0.0)[::-1]])
    elif shape == "multi":
        dx = radius * 2 + draw(st.integers(1, 10)) * 100.0
        geometry = Geometry(type="MultiPolygon", coordinates=[[outer], [_ring(x + dx, y, radius * 0.6, 6, 0.3)]])
    else:
        geometry = Geometry(type="Polygon", coordinates=[outer])
    return Zone(
        id=f"Z{index + 1}", restriction=draw(st.sampled_from(list(Restriction))),
        lower_m=lower, upper_m=lower + draw(st.sampled_from([30.0, 120.0, 500.0])), geometry=geometry,
        active=draw(st.one_of(st.none(), st.lists(windows(7, 18), min_size=1, max_size=2))),
    )


@st.composite
def targets(draw, index: int, anchors: list[Hangar]) -> Target:
    shape = draw(st.sampled_from(["line", "shoreline", "point", "corridor"]))
    common = dict(priority=draw(st.integers(1, 5)), window=draw(sometimes(windows(7, 18))),
                  altitude_m=draw(st.sampled_from([40.0, 60.0, 80.0, 110.0])))
    # Near a hangar (most targets a city patrols are), sometimes anywhere: both reach paths get exercised.
    anchor = draw(st.sampled_from(anchors))
    ax, ay = PROJECTOR.forward(anchor.lon, anchor.lat)
    near = st.integers(-30, 30).map(lambda k: k * 100.0)
    x, y = (ax - CX + draw(near), ay - CY + draw(near)) if draw(st.booleans()) is False else (draw(offsets),
                                                                                              draw(offsets))
    if shape == "point":
        return Target(id=f"P{index + 1}", kind="point", geometry=Geometry(type="Point", coordinates=_lonlat(x, y)),
                      hover_s=draw(st.sampled_from([0.0, 30.0, 90.0])), **common)
    if shape == "shoreline":
        ring = _ring(x, y, draw(st.integers(2, 12)) * 100.0, draw(st.integers(5, 10)), draw(st.floats(0, 1)))
        return Target(id=f"S{index + 1}", kind="shoreline", geometry=Geometry(type="Polygon", coordinates=[ring]),
                      **common)
    # A zero step would repeat a vertex; (0, 0) becomes one step east rather than a filtered draw.
    steps = draw(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)).map(lambda s: s if s != (0, 0)
                                                                                    else (1, 0)),
                          min_size=1, max_size=4))
    coords = [[x, y]]
    for dx, dy in steps:
        coords.append([coords[-1][0] + dx * 100.0, coords[-1][1] + dy * 100.0])
    line = Geometry(type="LineString", coordinates=[_lonlat(px, py) for px, py in coords])
    kind = draw(st.sampled_from(["river", "road", "pipeline"]))
    width = draw(st.sampled_from([60.0, 150.0])) if shape == "corridor" else None
    return Target(id=f"L{index + 1}", kind=kind, geometry=line, corridor_width_m=width, **common)


@st.composite
def scenarios(draw) -> Scenario:
    models = [draw(drone_models(k)) for k in range(draw(st.integers(1, 2)))]
    hangar_list = [draw(hangars(k, models)) for k in range(draw(st.integers(1, 4)))]
    zone_list: list[Zone] = []
    for k in range(draw(st.integers(0, 4))):
        zone_list.append(draw(zones(k, hangar_list, zone_list)))
    target_list = [draw(targets(k, hangar_list)) for k in range(draw(st.integers(1, 6)))]
    authorised = draw(st.lists(st.sampled_from([z.id for z in zone_list]), unique=True, max_size=2)) \
        if zone_list else []
    return Scenario(
        name="generated", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
        operating_window=draw(sometimes(windows(6, 19), one_in=2)),  # None: civil daylight of the date
        # Strong wind one day in four: enough to ground models, not so often that nothing flies.
        weather=Weather(wind_speed_ms=draw(st.sampled_from([0.0, 3.0, 5.0])) if draw(st.integers(1, 4)) < 4
                        else draw(st.sampled_from([7.0, 10.0, 14.0])),
                        wind_from_deg=float(draw(st.integers(0, 359)))),
        drone_models=models, hangars=hangar_list,
        airspace=AirspaceSpec(ceiling_m=draw(st.sampled_from([120.0, 90.0])), zones=zone_list,
                              authorised=authorised),
        targets=target_list,
    )


# ------------------------------------------------------------------------------------------------ checks
def _options(seed: int = 0, time_limit_s: float = TIME_LIMIT_S) -> PlanOptions:
    return PlanOptions(time_limit_s=time_limit_s, seed=seed, solution_limit=SOLUTION_LIMIT)


def _served_and_unserved(result: MissionPlan) -> tuple[list[str], list[str]]:
    return [t for s in result.sorties for t in s.tasks], [u.task_id for u in result.unserved]


def _fingerprint(result: MissionPlan) -> dict:
    """Everything of a plan that must not change between two runs of one seed (not the wall-clock time)."""
    return comparable(result)


def assert_plan_trustworthy(result: MissionPlan, scenario: Scenario) -> None:
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    served, unserved = _served_and_unserved(result)
    # Every task is flown exactly once or listed unserved exactly once, never both.
    listed = [t.task_id for t in result.tasks]
    assert sorted(served + [u for u in unserved if u in set(listed)]) == sorted(listed)
    assert len(set(served)) == len(served) and len(set(unserved)) == len(unserved)
    assert not set(served) & set(unserved)
    # An unserved task says why, in words and as one of the documented reasons.
    for item in result.unserved:
        assert isinstance(item.reason, UnservedReason)
        assert item.detail.strip(), item
        assert item.coordinates, item
    # No target silently vanishes: each one is inspected or has an unserved piece.
    inspected = {i.target_id for s in result.sorties for i in s.inspections}
    unserved_targets = {u.target_id for u in result.unserved}
    for target in scenario.resolved_targets():
        assert target.id in inspected | unserved_targets, f"target {target.id} neither inspected nor unserved"
    # The summary counts what the plan holds.
    assert result.summary.served_tasks == len(served)
    assert result.summary.unserved_tasks == len(unserved)
    assert 0.0 <= result.summary.coverage <= 1.0 + 1e-9


# ------------------------------------------------------------------------------------------------ properties
@pytest.mark.slow
@settings(settings.get_profile("trust"), max_examples=PLAN_EXAMPLES)
@given(scenarios())
def test_every_generated_plan_verifies_accounts_for_every_task_and_returns_on_time(scenario):
    note(scenario.model_dump_json(exclude_defaults=True))
    started = time.perf_counter()
    result = plan(scenario, _options())
    elapsed = time.perf_counter() - started
    event(f"sorties: {min(len(result.sorties), 3)}{'+' if len(result.sorties) >= 3 else ''}")
    event(f"unserved reasons: {sorted({u.reason.value for u in result.unserved})}")
    assert_plan_trustworthy(result, scenario)
    assert elapsed <= TIME_LIMIT_S + TIME_MARGIN_S, f"plan took {elapsed:.1f} s for a {TIME_LIMIT_S} s limit"
    # The plan file is the contract with the docks: read back, it is the same plan and still verifies.
    again = MissionPlan.model_validate_json(result.model_dump_json())
    assert again == result
    assert verify_plan(again, scenario).ok


@pytest.mark.slow
@settings(settings.get_profile("trust"), max_examples=SEED_EXAMPLES)
@given(scenarios(), st.integers(0, 3))
def test_same_scenario_and_seed_give_the_same_plan(scenario, seed):
    note(scenario.model_dump_json(exclude_defaults=True))
    # A clock that never stops the solver first: on a loaded machine 1 s could end a run before its solution
    # limit, and then two runs of one seed differ by where the clock stopped them, not by the planner.
    first = plan(scenario, _options(seed, time_limit_s=60.0))
    second = plan(scenario, _options(seed, time_limit_s=60.0))
    assert _fingerprint(first) == _fingerprint(second)
    assert_plan_trustworthy(first, scenario)


@pytest.mark.slow
@settings(settings.get_profile("trust"), max_examples=10)
@given(scenarios())
def test_a_longer_time_limit_is_respected_without_a_solution_limit(scenario):
    # Without a solution limit the solver runs until its clock stops: the wall time must follow that clock.
    limit = 2.0
    started = time.perf_counter()
    result = plan(scenario, PlanOptions(time_limit_s=limit, seed=0))
    elapsed = time.perf_counter() - started
    assert elapsed <= limit + TIME_MARGIN_S, f"plan took {elapsed:.1f} s for a {limit} s limit"
    assert_plan_trustworthy(result, scenario)


def test_strategies_produce_valid_scenarios_of_every_target_shape():
    # Guards the generator itself: every target kind and zone class is reachable and the models accept them.
    seen_kinds, seen_restrictions = set(), set()

    @settings(settings.get_profile("trust"), max_examples=150)
    @given(scenarios())
    def collect(scenario):
        for t in scenario.resolved_targets():
            seen_kinds.add("corridor" if t.corridor_width_m else t.geometry.type)
        seen_restrictions.update(z.restriction for z in scenario.zones())
        assert 1 <= len(scenario.hangars) <= 4

    collect()
    assert seen_kinds == {"Point", "Polygon", "LineString", "corridor"}
    assert seen_restrictions == set(Restriction)
