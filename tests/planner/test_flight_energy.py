"""planner.flight.energy: legs held at their ground speed, slowed only by the airspeed limit, priced in energy.

Values by hand from the wind triangle |v_ground - w| and the model's power curve.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from missions.models import DroneModel, Weather
from planner.flight.energy import MIN_GROUND_SPEED_MS, FlightEnergy

MODEL = DroneModel(id="m3d", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=40,
                   max_wind_ms=12)  # a DJI Matrice 3D by its id: 21 m/s airspeed limit


def _flight(wind_ms: float, from_deg: float = 0.0) -> FlightEnergy:
    # Zero shear: the same wind at every height keeps the hand numbers simple.
    return FlightEnergy.of(MODEL, Weather(wind_speed_ms=wind_ms, wind_from_deg=from_deg, shear_exponent=0))


def test_a_leg_within_the_airspeed_limit_is_flown_at_its_route_speed():
    flight, curve = _flight(5.0), MODEL.power_curve  # from the north
    seconds, energy = flight.horizontal(0.0, 3000.0, 100.0, 15.0)  # north, into it: 20 m/s of air
    assert float(seconds) == pytest.approx(200.0)
    assert float(energy) == pytest.approx(200.0 * float(curve.level(20.0)))
    seconds, energy = flight.horizontal(3000.0, 0.0, 100.0, 15.0)  # east: crab at sqrt(15^2 + 5^2)
    assert float(seconds) == pytest.approx(200.0)
    assert float(energy) == pytest.approx(200.0 * float(curve.level(math.hypot(15, 5))))


def test_a_headwind_beyond_the_limit_slows_the_leg_to_what_the_limit_allows():
    flight = _flight(10.0)
    assert float(flight.ground_speed(0.0, 1000.0, 100.0, 15.0)) == pytest.approx(11.0)  # 21 - 10
    seconds, energy = flight.horizontal(0.0, 1100.0, 100.0, 15.0)
    assert float(seconds) == pytest.approx(100.0)
    assert float(energy) == pytest.approx(100.0 * float(MODEL.power_curve.level(21.0)))


def test_a_leg_that_cannot_make_1_m_s_is_refused_with_the_airspeed_it_needs():
    flight = _flight(20.5)
    seconds, energy = flight.horizontal(0.0, 1000.0, 100.0, 15.0)
    assert np.isinf(seconds) and np.isinf(energy)
    assert flight.refusal(0.0, 1000.0, 100.0, 15.0) == (
        f"heading 0 deg into 20.5 m/s wind at 100 m, m3d would need 21.5 m/s airspeed to make even "
        f"{MIN_GROUND_SPEED_MS:g} m/s over the ground; its limit is 21 m/s")
    assert flight.refusal(1000.0, 0.0, 100.0, 15.0) is None  # across it, 4.6 m/s over the ground
    assert "cannot even hold position" in _flight(22.0).refusal(1000.0, 0.0, 100.0, 15.0)


def test_wind_costs_energy_on_a_round_trip_at_cruise_speed():
    calm = 2 * float(_flight(0.0).horizontal(0.0, 5000.0, 100.0, 15.0)[1])
    windy = _flight(6.0, 30.0)
    there = float(windy.horizontal(3000.0, 4000.0, 100.0, 15.0)[1])
    back = float(windy.horizontal(-3000.0, -4000.0, 100.0, 15.0)[1])
    assert there != pytest.approx(back)
    assert there + back > calm


def test_bounds_over_headings_cover_every_heading():
    flight = _flight(9.0, 70.0)
    s_bound, e_bound = flight.per_metre_bound(100.0, 15.0)
    bearing = np.radians(np.arange(0.0, 360.0, 0.37))
    seconds, energy = flight.horizontal(np.sin(bearing), np.cos(bearing), 100.0, 15.0)
    assert np.all(seconds <= s_bound) and np.all(energy <= e_bound)
    assert s_bound == pytest.approx(1 / (21 - 9), rel=2e-3)  # dead into the wind
    _, back = flight.horizontal(-np.sin(bearing), -np.cos(bearing), 100.0, 15.0)
    trip_e = flight.round_trip_per_metre(100.0, 15.0)[1]
    assert np.all((energy + back) / 2 <= trip_e) and trip_e < e_bound


def test_climbs_pay_for_height_and_descents_draw_level_power_in_the_wind():
    flight, curve = _flight(8.0), MODEL.power_curve
    seconds, energy = flight.vertical(0.0, 100.0)
    assert seconds == pytest.approx(20.0)
    assert energy == pytest.approx(20.0 * (float(curve.level(8.0)) + curve.induced * 5 / curve.induced_velocity_ms))
    seconds, energy = flight.vertical(100.0, 40.0)
    assert (seconds, energy) == pytest.approx((12.0, 12.0 * float(curve.level(8.0))))
    assert flight.station_power(60.0) == pytest.approx(float(curve.level(8.0)))


def test_tracks_in_a_rotated_grid_meet_the_wind_at_their_true_heading():
    # In a grid whose north is 10 deg east of true north, the grid bearing 10 deg is true north.
    grid = FlightEnergy.of(MODEL, Weather(wind_speed_ms=5, wind_from_deg=0, shear_exponent=0), grid_north_deg=10.0)
    track = (math.sin(math.radians(10)) * 1000, math.cos(math.radians(10)) * 1000)
    assert grid.headwind(*track, 100.0) == pytest.approx(5.0)
    assert float(grid.horizontal(*track, 100.0, 15.0)[1]) == pytest.approx(
        float(_flight(5.0).horizontal(0.0, 1000.0, 100.0, 15.0)[1]))


def test_true_north_in_wuhans_utm_grid_is_the_meridian_convergence():
    from airspace.projection import Projector
    from planner.flight.energy import grid_north_deg

    # Zone 50 (central meridian 117 E): at 114.4 E, 30.5 N meridians lean toward the central meridian, so true
    # north lies (117 - 114.4) sin(30.5) = 1.32 deg east of grid north.
    projector = Projector.for_lonlat(114.4, 30.5)
    assert grid_north_deg(projector, 114.4, 30.5) == pytest.approx((117 - 114.4) * math.sin(math.radians(30.5)),
                                                                   abs=0.01)
