"""missions.physics: Zeng et al.'s rotor power curve, its fit to a drone's figures, wind by height, the triangle.

Reference numbers come from the paper's Table I and its reported speeds, DJI's spec figures and hand algebra.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from missions.models import DroneModel, Weather
from missions.physics import AIRCRAFT_FIGURES, PowerCurve, WindProfile, airspeed_needed, fastest_ground_speed, wind_vector
from missions.physics.power import fit_power_curve

# Zeng, Xu & Zhang 2019, Table I: W = 20 N, rho = 1.225, A = 0.503 m^2, s = 0.05, d0 = 0.6, U_tip = 120 m/s,
# P0 = 79.86 W, Pi = 88.63 W, v0 = sqrt(W / (2 rho A)).
ZENG = PowerCurve(79.86, 88.63, 0.5 * 0.6 * 1.225 * 0.05 * 0.503, math.sqrt(20 / (2 * 1.225 * 0.503)), 120.0)


def _model(**kw) -> DroneModel:
    values = dict(id="m", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=40, max_wind_ms=12)
    values.update(kw)
    return DroneModel(**values)


def test_zeng_example_rotorcraft_hovers_at_168_w_and_flies_best_at_10_2_and_18_3_m_s():
    assert float(ZENG.level(0.0)) == pytest.approx(168.49)
    assert float(ZENG.level(10.0)) == pytest.approx(126.02, abs=0.01)  # by hand from eq. (12)
    speeds = np.linspace(0.0, 40.0, 40001)
    power = ZENG.level(speeds)
    # The paper's maximum-endurance and maximum-range speeds (power least; power per speed least).
    assert speeds[np.argmin(power)] == pytest.approx(10.2, abs=0.05)
    assert speeds[1:][np.argmin(power[1:] / speeds[1:])] == pytest.approx(18.3, abs=0.05)


def test_climbing_adds_the_weight_times_the_climb_rate_and_descending_adds_nothing():
    # Pi v_c / v0 = (1 + k) W v_c with Zeng's k = 0.1: 22 W for every m/s of climb.
    assert float(ZENG.climb_extra(5.0)) == pytest.approx(1.1 * 20 * 5, rel=0.02)
    assert float(ZENG.power(0.0, -4.0)) == float(ZENG.level(0.0))


@pytest.mark.parametrize("aircraft", sorted(AIRCRAFT_FIGURES))
def test_curve_fitted_to_dji_figures_hovers_and_flies_as_published(aircraft):
    figures = AIRCRAFT_FIGURES[aircraft]
    model = _model(endurance_min=figures.hover_min, dji={"aircraft": aircraft})
    curve = model.power_curve
    assert 1 / curve.hover == pytest.approx(figures.hover_min * 60)
    best = figures.max_flight_speed_ms
    assert 1 / float(curve.level(best)) == pytest.approx(figures.max_flight_min * 60)
    slope = float(curve.level(best + 0.01) - curve.level(best - 0.01)) / 0.02
    assert slope == pytest.approx(0.0, abs=1e-9)
    assert model.airspeed_limit_ms == figures.max_speed_ms == 21.0
    assert model.battery_energy_wh == figures.battery_wh


def test_the_aircraft_is_the_one_the_exporter_declares_and_other_drones_get_the_matrice_3d_shape():
    assert _model(id="m4td").figures == AIRCRAFT_FIGURES["m4td"]  # an id naming a DJI aircraft
    assert _model(id="east", dji={"aircraft": "m4d"}).figures == AIRCRAFT_FIGURES["m4d"]
    assert _model(id="m30").figures is None  # a DJI drone without published energy figures here
    model = _model(endurance_min=30)
    assert model.figures is None
    assert model.rated_flight_min == pytest.approx(30 * 50 / 40)
    assert model.rated_flight_speed_ms == 10.0
    assert model.battery_energy_wh is None
    assert model.airspeed_limit_ms == pytest.approx(21.0)  # 1.4 x the 15 m/s cruise
    assert _model(max_airspeed_ms=18).airspeed_limit_ms == 18


def test_figures_no_rotor_curve_can_fit_are_refused_naming_the_fields():
    with pytest.raises(ValidationError) as caught:
        _model(endurance_min=40, max_flight_time_min=30, max_flight_time_speed_ms=12)
    message = str(caught.value)
    assert "endurance_min 40, max_flight_time_min 30 and max_flight_time_speed_ms 12 do not fit together" in message
    with pytest.raises(ValueError, match="no rotor power curve"):
        fit_power_curve(2400, 3000, 40, 5.0)


def test_usable_battery_is_the_share_above_the_reserve():
    assert _model(reserve_fraction=0.25).usable_battery == pytest.approx(0.75)


def test_wind_from_north_blows_south():
    east, north = wind_vector(5.0, 0.0)
    assert east == pytest.approx(0.0, abs=1e-12) and north == pytest.approx(-5.0)


def test_wind_grows_with_height_by_the_one_seventh_power_law():
    profile = Weather(wind_speed_ms=9, wind_from_deg=90).profile
    assert float(profile.speed_at(10)) == pytest.approx(9.0)
    assert float(profile.speed_at(100)) == pytest.approx(9 * 10 ** (1 / 7))  # 12.5 m/s
    assert float(profile.speed_at(0)) == 0.0
    east, north = profile.at(100)
    assert float(east) < 0 and float(north) == pytest.approx(0.0, abs=1e-9)  # from the east, blowing west
    urban = Weather(wind_speed_ms=9, wind_from_deg=90, shear_exponent=0.3, reference_height_m=20).profile
    assert float(urban.speed_at(80)) == pytest.approx(9 * 4 ** 0.3)


def test_wind_layers_are_interpolated_by_height_and_held_beyond_them():
    weather = Weather(wind_speed_ms=4, layers=[{"height_m": 100, "speed_ms": 10, "from_deg": 0},
                                               {"height_m": 50, "speed_ms": 6, "from_deg": 90}])
    profile = weather.profile
    east, north = (float(v) for v in profile.at(75))
    assert (east, north) == pytest.approx((-3.0, -5.0))  # halfway between (-6, 0) and (0, -10)
    assert float(profile.speed_at(20)) == pytest.approx(6.0) and float(profile.speed_at(120)) == pytest.approx(10.0)
    assert float(profile.on_segment(50, 100)[1]) == pytest.approx(-5.0)  # the mean height of a climb
    with pytest.raises(ValidationError, match="two layers at the same height_m"):
        Weather(layers=[{"height_m": 50, "speed_ms": 1, "from_deg": 0}, {"height_m": 50, "speed_ms": 2, "from_deg": 0}])


def test_airspeed_is_ground_velocity_minus_wind_and_the_limit_caps_ground_speed():
    east, north = wind_vector(5.0, 0.0)  # blowing south
    assert float(airspeed_needed(0.0, 15.0, east, north)) == pytest.approx(20.0)  # north into it
    assert float(airspeed_needed(0.0, -15.0, east, north)) == pytest.approx(10.0)  # south with it
    assert float(airspeed_needed(15.0, 0.0, east, north)) == pytest.approx(math.hypot(15, 5))  # crabbing east
    assert float(fastest_ground_speed(0.0, 1.0, east, north, 21.0)) == pytest.approx(16.0)
    assert float(fastest_ground_speed(1.0, 0.0, east, north, 21.0)) == pytest.approx(math.sqrt(21**2 - 25))
    assert np.isnan(fastest_ground_speed(1.0, 0.0, 0.0, -25.0, 21.0))  # crosswind beyond the airspeed


def test_calm_profile_has_no_wind_anywhere():
    assert float(WindProfile.calm().speed_at(100)) == 0.0


def test_a_route_speed_above_the_airspeed_limit_is_a_warning_naming_the_field():
    from missions.synthetic import synthetic_scenario
    from missions.validation import semantic_problems

    scenario = synthetic_scenario(1, hangars=1, line_km=2, points=0, lakes=0, zones=0, closures=0)
    slow = [m.model_copy(update={"max_airspeed_ms": 12.0}) for m in scenario.drone_models]
    problems = semantic_problems(scenario.model_copy(update={"drone_models": slow}), "day.yaml")
    assert [(p.severity, p.feature, p.field) for p in problems if "airspeed" in p.message] == [
        ("warning", "drone_models[0] (m3d)", "cruise_speed_ms"),
        ("warning", "drone_models[1] (m4d)", "cruise_speed_ms"),
    ]
    assert problems[0].message == ("15 m/s over the ground is above the 12 m/s airspeed limit (max_airspeed_ms): "
                                   "even in still air those legs are flown at 12 m/s")
