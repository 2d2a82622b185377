"""Wind triangle: ground speed along a track, so A->B and B->A take different times.

Values checked by hand from ground speed = sqrt(V^2 - w_perp^2) + w_par.
"""
import math

import numpy as np
import pytest

from planner.flight.wind import ground_speed, track_time_s, wind_vector


def test_wind_from_north_blows_south():
    east, north = wind_vector(5.0, 0.0)
    assert east == pytest.approx(0.0, abs=1e-12)
    assert north == pytest.approx(-5.0)


def test_tailwind_headwind_and_crosswind():
    east, north = wind_vector(5.0, 0.0)  # blowing toward the south
    assert ground_speed(0.0, -100.0, 15.0, east, north) == pytest.approx(20.0)  # flying south: tailwind
    assert ground_speed(0.0, 100.0, 15.0, east, north) == pytest.approx(10.0)  # flying north: headwind
    assert ground_speed(100.0, 0.0, 15.0, east, north) == pytest.approx(math.sqrt(15**2 - 5**2))  # crosswind


def test_there_and_back_differ_and_sum_exceeds_still_air():
    east, north = wind_vector(6.0, 45.0)
    there = track_time_s([0, 3000], [0, 4000], 15.0, east, north)[0]
    back = track_time_s([3000, 0], [4000, 0], 15.0, east, north)[0]
    assert there != pytest.approx(back)
    assert there + back > 2 * 5000 / 15.0  # wind never helps a round trip


def test_wind_stronger_than_airspeed_cannot_hold_track():
    east, north = wind_vector(10.0, 90.0)
    assert np.isnan(ground_speed(0.0, 100.0, 8.0, east, north))  # 10 m/s crosswind, 8 m/s airspeed
    assert np.isinf(track_time_s([0, 0], [0, 100], 8.0, east, north)[0])
