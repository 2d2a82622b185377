"""planner.flight.costs: the points the solver moves between, transit legs priced in the wind (ground speed held,
time = length / ground speed), bent legs at the worst heading per metre, and the cost of flying a task.

Lengths and azimuths by pyproj.Geod (the UTM grid here is within 0.04 % of it); energies from the power curve at
the airspeed the wind triangle needs.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from airspace.paths import LegalAirspace
from airspace.projection import Projector
from missions.models import InspectionTask, Weather
from planner.flight.costs import ServiceCost, TransitCosts, build_sites, service_cost
from planner.flight.energy import FlightEnergy, grid_north_deg
from planner.problem.epochs import Epoch
from tests.helpers.plan_factory import HANGAR, drone_model, place
from tests.helpers.problem_days import azimuth, box, hangar, metres

PROJECTOR = Projector.for_lonlat(*HANGAR)
MODEL = drone_model()  # 15 m/s cruise, 8 m/s inspection, 21 m/s airspeed limit, 5 m/s climb and descent
CURVE = MODEL.power_curve
DAY = Epoch(0, 8 * 3600, 17 * 3600)


def _point(task_id: str, east_m: float, north_m: float = 0.0, altitude: float = 50.0, hover: float = 30.0):
    return InspectionTask(task_id=task_id, target_id=task_id, kind="point", coordinates=[place(east_m, north_m)],
                          length_m=0.0, altitude_m=altitude, priority=3, hover_s=hover)


def _line(task_id: str, east_from: float, east_to: float, altitude: float = 80.0) -> InspectionTask:
    coords = [place(east_from), place(east_to)]
    return InspectionTask(task_id=task_id, target_id=task_id, kind="river", coordinates=coords,
                          length_m=metres(*coords), altitude_m=altitude, priority=3)


def _flight(wind: float, wind_from: float) -> FlightEnergy:
    weather = Weather(wind_speed_ms=wind, wind_from_deg=wind_from, shear_exponent=0)
    return FlightEnergy.of(MODEL, weather, grid_north_deg(PROJECTOR, *HANGAR))


def _costs(tasks, zones=()):
    site = build_sites([hangar()], tasks, PROJECTOR)
    airspace = LegalAirspace(list(zones), clearance_m=20.0, projector=PROJECTOR)
    return site, TransitCosts(site, airspace, [DAY], 100.0)


def test_sites_are_the_hangars_then_each_task_start_and_end():
    tasks = [_point("P", 1000), _line("L", 2000, 3000)]
    site = build_sites([hangar("H1"), hangar("H2", 500)], tasks, PROJECTOR)
    assert site.hangar_index == {"H1": 0, "H2": 1}
    assert site.task_start == {"P": 2, "L": 3} and site.task_end == {"P": 2, "L": 4}
    assert site.lonlat.tolist() == [place(0), place(500), place(1000), place(2000), place(3000)]
    x, y = PROJECTOR.forward(site.lonlat[:, 0], site.lonlat[:, 1])
    assert np.allclose(site.xy, np.column_stack([x, y]))


def test_a_leg_in_a_crosswind_keeps_its_ground_speed_and_pays_for_the_crab():
    site, costs = _costs([_point("P", 3000)])
    flight = _flight(5.0, 0.0)  # from the north, across an eastward leg
    arcs = costs.transit(flight, DAY)
    here, there = tuple(site.lonlat[0]), tuple(site.lonlat[1])
    seconds = metres(here, there) / 15.0
    az = math.radians(azimuth(here, there))
    air = math.hypot(15 * math.sin(az), 15 * math.cos(az) + 5.0)  # |v_ground - wind|, wind blowing south
    assert arcs.seconds[0, 1] == pytest.approx(seconds, rel=1e-3)
    assert arcs.energy[0, 1] == pytest.approx(seconds * float(CURVE.level(air)), rel=1e-3)
    assert air == pytest.approx(math.hypot(15, 5), rel=1e-4)


def test_a_headwind_beyond_the_airspeed_limit_slows_the_leg_and_a_tailwind_does_not_speed_it():
    site, costs = _costs([_point("P", 3000)])
    arcs = costs.transit(_flight(10.0, 90.0), DAY)  # 10 m/s from the east
    length = metres(tuple(site.lonlat[0]), tuple(site.lonlat[1]))
    # Out, east into it: 21 m/s of air make 11 m/s over the ground. Back: 15 m/s held, 5 m/s of air.
    assert arcs.seconds[0, 1] == pytest.approx(length / 11.0, rel=1e-3)
    assert arcs.energy[0, 1] == pytest.approx(length / 11.0 * float(CURVE.level(21.0)), rel=1e-3)
    assert arcs.seconds[1, 0] == pytest.approx(length / 15.0, rel=1e-3)
    assert arcs.energy[1, 0] == pytest.approx(length / 15.0 * float(CURVE.level(5.0)), rel=2e-3)
    # The same costs in another wind (a replanned day) price the arcs anew, not from the cache of the first.
    refused = costs.transit(_flight(20.5, 90.0), DAY)  # 0.5 m/s over the ground is below the 1 m/s minimum
    assert np.isinf(refused.seconds[0, 1]) and np.isinf(refused.energy[0, 1])
    assert refused.seconds[1, 0] == pytest.approx(length / 15.0, rel=1e-3)


def test_a_leg_bent_round_a_zone_is_priced_at_the_worst_heading_per_metre():
    zone = box("Z", 1000, -300, 1400, 300)
    site, costs = _costs([_point("P", 2500)], [zone])
    path = costs.transit_path(tuple(site.lonlat[0]), tuple(site.lonlat[1]), DAY)
    assert len(path) > 2
    bent_m = sum(metres(a, b) for a, b in zip(path, path[1:]))
    assert bent_m > metres(tuple(site.lonlat[0]), tuple(site.lonlat[1])) + 100
    assert costs.legal[0][0, 1] == pytest.approx(bent_m, rel=1e-3)
    calm = costs.transit(_flight(0.0, 0.0), DAY)
    assert calm.seconds[0, 1] == pytest.approx(bent_m / 15.0 * 1.001, rel=1e-3)  # bound rounded up by 0.1 %
    assert calm.energy[0, 1] == pytest.approx(bent_m / 15.0 * float(CURVE.level(15.0)) * 1.001, rel=1e-3)
    # In a 10 m/s wind the worst heading is dead into it: 11 m/s over the ground.
    _, costs = _costs([_point("P", 2500)], [zone])  # a new day: arcs are cached per drone model
    windy = costs.transit(_flight(10.0, 90.0), DAY)
    assert windy.seconds[0, 1] == pytest.approx(bent_m / 11.0, rel=2e-3)
    assert len(costs.bends(0, 1, DAY)) == len(path) - 2


def test_a_point_inside_a_zone_has_no_legal_transit():
    site, costs = _costs([_point("P", 2500)], [box("Z", 2000, -300, 3000, 300)])
    arcs = costs.transit(_flight(0.0, 0.0), DAY)
    assert np.isinf(costs.legal[0][0, 1]) and np.isinf(arcs.seconds[0, 1]) and np.isinf(arcs.energy[1, 0])


def test_a_line_is_inspected_at_its_speed_in_the_wind_either_way():
    task = _line("L", 0, 1000)  # east, at 80 m, from 100 m transit
    flight = _flight(6.0, 90.0)
    length = task.length_m
    forward = service_cost(task, flight, False, 100.0, PROJECTOR)
    backward = service_cost(task, flight, True, 100.0, PROJECTOR)
    down, up = 20 * float(CURVE.power(6.0, -5.0)) / 5, 20 * float(CURVE.power(6.0, 5.0)) / 5
    assert forward.descend_s == forward.climb_s == 4.0
    assert (forward.descend_e, forward.climb_e) == pytest.approx((down, up))
    # 8 m/s over the ground both ways: 14 m/s of air into the wind, 2 m/s with it.
    assert forward.inspect_s == pytest.approx(length / 8, rel=1e-3)
    assert backward.inspect_s == pytest.approx(length / 8, rel=1e-3)
    assert forward.inspect_e == pytest.approx(length / 8 * float(CURVE.level(14.0)), rel=1e-3)
    assert backward.inspect_e == pytest.approx(length / 8 * float(CURVE.level(2.0)), rel=1e-3)
    assert forward.total_s == pytest.approx(8.0 + length / 8, rel=1e-3)


def test_a_point_hovers_at_the_power_of_holding_station_and_none_can_above_the_limit():
    task = _point("P", 1000, altitude=50.0, hover=30.0)
    cost = service_cost(task, _flight(6.0, 0.0), False, 100.0, PROJECTOR)
    assert cost.inspect_s == 30.0
    assert cost.inspect_e == pytest.approx(30 * float(CURVE.level(6.0)))
    assert (cost.descend_s, cost.climb_s) == (10.0, 10.0)
    stormy = service_cost(task, _flight(21.5, 0.0), False, 100.0, PROJECTOR)
    assert math.isinf(stormy.inspect_s) and math.isinf(stormy.total_s) and math.isinf(stormy.total_e)
    assert ServiceCost(1, 2, 3, 4, 5, 6).total_s == 6 and ServiceCost(1, 2, 3, 4, 5, 6).total_e == 15
