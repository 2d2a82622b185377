"""Civil daylight from the NOAA solar equations, checked against published sunrise/sunset tables.

Sunrise/sunset use the 90.833 deg zenith (refraction + solar radius); civil daylight uses 96 deg.
"""
from __future__ import annotations

import datetime as dt

import pytest

from airspace.windows import TimeWindow, seconds_from_clock
from missions.daylight import civil_daylight, operating_window_of, sun_times
from missions.models import Scenario

SUNRISE_ZENITH = 90.833


def _minutes(moment: dt.datetime) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


# Published table for 2022-12-27 (juke.outofmemory.cn/pretty/3490341.html, 日出日落时间表), Beijing time.
PUBLISHED_2022_12_27 = [
    ("Beijing", 116.40, 39.90, "07:34", "16:55"),
    ("Shanghai", 121.47, 31.23, "06:51", "16:58"),
    ("Kunming", 102.71, 25.04, "07:52", "18:27"),
    ("Hefei", 117.27, 31.86, "07:09", "17:14"),
    ("Chengdu", 104.07, 30.67, "07:59", "18:09"),
    ("Changchun", 125.32, 43.82, "07:11", "16:07"),
]


@pytest.mark.parametrize("city, lon, lat, rise, set_", PUBLISHED_2022_12_27)
def test_sunrise_and_sunset_match_published_table_within_3_minutes(city, lon, lat, rise, set_):
    sunrise, sunset = sun_times(dt.date(2022, 12, 27), lon, lat, "Asia/Shanghai", SUNRISE_ZENITH)
    assert abs(_minutes(sunrise) - seconds_from_clock(rise) / 60) <= 3
    assert abs(_minutes(sunset) - seconds_from_clock(set_) / 60) <= 3


def test_wuhan_midsummer_sunrise_and_sunset_match_table():
    # Wuhan (114.30 E, 30.59 N), 2024-06-21: sunrise 05:20, sunset 19:28 (timeanddate.com Wuhan table).
    sunrise, sunset = sun_times(dt.date(2024, 6, 21), 114.30, 30.59, "Asia/Shanghai", SUNRISE_ZENITH)
    assert abs(_minutes(sunrise) - (5 * 60 + 20)) <= 3
    assert abs(_minutes(sunset) - (19 * 60 + 28)) <= 3


def test_civil_daylight_in_wuhan_starts_about_25_minutes_before_sunrise():
    day = dt.date(2026, 11, 21)
    window = civil_daylight(day, 114.30, 30.59, "Asia/Shanghai")
    sunrise, sunset = sun_times(day, 114.30, 30.59, "Asia/Shanghai", SUNRISE_ZENITH)
    before = _minutes(sunrise) - window.start_s / 60
    after = window.end_s / 60 - _minutes(sunset)
    # At 30.6 N in late November civil twilight lasts ~25 minutes (sun sinks 5.2 deg at ~12 deg/hour slant).
    assert 22 <= before <= 28 and 22 <= after <= 28
    assert window.start.startswith("06:2") and window.end.startswith("17:4")


def test_civil_daylight_follows_the_time_zone():
    day = dt.date(2026, 11, 21)
    shanghai = civil_daylight(day, 114.30, 30.59, "Asia/Shanghai")
    utc = civil_daylight(day, 114.30, 30.59, "Asia/Urumqi")  # UTC+6: two hours earlier on the clock
    assert shanghai.start_s - utc.start_s == pytest.approx(2 * 3600, abs=1)


def test_polar_night_has_no_civil_daylight():
    with pytest.raises(ValueError, match="does not cross"):
        civil_daylight(dt.date(2026, 12, 21), 15.0, 85.0, "UTC")


def _scenario(window):
    return Scenario(
        name="w", date=dt.date(2026, 11, 21), operating_window=window,
        drone_models=[{"id": "m", "cruise_speed_ms": 15, "inspection_speed_ms": 8, "endurance_min": 45,
                       "max_wind_ms": 12}],
        hangars=[{"id": "A", "lon": 114.20, "lat": 30.50, "drone_model": "m", "operating_radius_m": 7000,
                  "recharge_min": 32},
                 {"id": "B", "lon": 114.40, "lat": 30.68, "drone_model": "m", "operating_radius_m": 7000,
                  "recharge_min": 32}],
    )


def test_operating_window_of_returns_the_given_window():
    window = TimeWindow(start="08:00", end="17:30")
    assert operating_window_of(_scenario(window)) == window


def test_operating_window_of_defaults_to_civil_daylight_at_hangar_centroid():
    expected = civil_daylight(dt.date(2026, 11, 21), 114.30, 30.59, "Asia/Shanghai")
    assert operating_window_of(_scenario(None)) == expected
