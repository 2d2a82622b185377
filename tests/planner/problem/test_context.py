"""planner.problem.context: the frozen object a group's problem is built from, and what it derives once: each
model's flight in the day's wind turned into the group's UTM grid, hangar positions, the radius guard."""
from __future__ import annotations

import dataclasses
import math

import pytest

from tests.helpers.plan_factory import drone_model
from tests.helpers.problem_days import day, group, hangar, point


def _context():
    slow = drone_model(id="slow", cruise_speed_ms=10)
    scenario = day([point("P", 1000)], hangars=[hangar("H1", radius=4000), hangar("H2", 2000, 1000, model="slow",
                                                                                  radius=2500)],
                   models=[drone_model(), slow], wind=6.0, wind_from=0.0)
    return scenario, group(scenario)[0].ctx


def test_the_context_is_frozen():
    _, ctx = _context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.transit_m = 50.0


def test_flights_turn_the_true_north_wind_into_the_grid_by_the_meridian_convergence():
    scenario, ctx = _context()
    assert ctx.projector.epsg == 32650  # UTM 50N, central meridian 117 E
    lon = sum(h.lon for h in scenario.hangars) / 2
    lat = sum(h.lat for h in scenario.hangars) / 2
    # Convergence west of the central meridian: grid north lies west of true north, so true north has a positive
    # grid bearing of atan(tan(117 - lon) sin lat) (spherical formula, good to 0.01 deg here).
    expected = math.degrees(math.atan(math.tan(math.radians(117 - lon)) * math.sin(math.radians(lat))))
    assert expected == pytest.approx(1.32, abs=0.01)
    assert set(ctx.flights) == {"m3d", "slow"} and set(ctx.models) == {"m3d", "slow"}
    for model_id, flight in ctx.flights.items():
        assert flight.model is ctx.models[model_id]
        assert flight.grid_north_deg == pytest.approx(expected, abs=0.01)
        east, north = flight.wind_at(100.0)  # 6 m/s from true north blows to grid bearing 180 + convergence
        assert math.hypot(east, north) == pytest.approx(6.0)
        assert math.degrees(math.atan2(east, north)) % 360 == pytest.approx(180 + expected, abs=0.01)


def test_hangar_positions_and_the_radius_guard_come_from_the_scenario():
    scenario, ctx = _context()
    for h in scenario.hangars:
        x, y = ctx.projector.forward(h.lon, h.lat)
        assert tuple(ctx.hangar_xy[h.id]) == pytest.approx((x, y))
    guard = ctx.radius_guard
    assert guard.radii == {"H1": 4000.0, "H2": 2500.0}
    assert guard.site_hangar == {"H1": 0, "H2": 1}
    assert ctx.radius_guard is guard  # computed once
