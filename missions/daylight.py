"""Civil daylight (sun no more than 6 degrees below the horizon) of a day at a place, NOAA solar equations.

The default operating window of a scenario when it gives none: drones fly in civil daylight.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from zoneinfo import ZoneInfo

from airspace.clock import DAY_S, DayClock
from airspace.windows import TimeWindow

logger = logging.getLogger(__name__)

CIVIL_TWILIGHT_DEG = 6.0  # sun depression angle that ends civil twilight
_ZENITH_CIVIL = 90.0 + CIVIL_TWILIGHT_DEG


def _julian_century(moment_utc: dt.datetime) -> float:
    julian_day = moment_utc.timestamp() / 86400.0 + 2440587.5
    return (julian_day - 2451545.0) / 36525.0


def _sun(jc: float) -> tuple[float, float]:
    """(equation of time in minutes, declination in degrees) for a Julian century (NOAA spreadsheet)."""
    mean_long = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360.0
    mean_anom = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
    ecc = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    m = math.radians(mean_anom)
    centre = (math.sin(m) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
              + math.sin(2 * m) * (0.019993 - 0.000101 * jc) + math.sin(3 * m) * 0.000289)
    omega = math.radians(125.04 - 1934.136 * jc)
    apparent_long = mean_long + centre - 0.00569 - 0.00478 * math.sin(omega)
    mean_obliq = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0
    obliq = mean_obliq + 0.00256 * math.cos(omega)
    declination = math.degrees(math.asin(math.sin(math.radians(obliq)) * math.sin(math.radians(apparent_long))))
    y = math.tan(math.radians(obliq / 2.0)) ** 2
    l0 = math.radians(mean_long)
    eq_time = 4.0 * math.degrees(
        y * math.sin(2 * l0) - 2 * ecc * math.sin(m) + 4 * ecc * y * math.sin(m) * math.cos(2 * l0)
        - 0.5 * y * y * math.sin(4 * l0) - 1.25 * ecc * ecc * math.sin(2 * m))
    return eq_time, declination


def _event_utc(day: dt.date, lon: float, lat: float, zenith_deg: float, rising: bool) -> dt.datetime | None:
    """UTC moment the sun crosses `zenith_deg` on `day` (None: it never does that day)."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc)
    minutes = 720.0 - 4.0 * lon  # first guess: solar noon
    for _ in range(3):  # re-evaluate the sun at the event itself; converges to seconds
        eq_time, decl = _sun(_julian_century(midnight + dt.timedelta(minutes=minutes)))
        phi, delta = math.radians(lat), math.radians(decl)
        cos_ha = math.cos(math.radians(zenith_deg)) / (math.cos(phi) * math.cos(delta)) - math.tan(phi) * math.tan(delta)
        if not -1.0 <= cos_ha <= 1.0:
            return None
        hour_angle = math.degrees(math.acos(cos_ha))
        noon = 720.0 - 4.0 * lon - eq_time
        minutes = noon - 4.0 * hour_angle if rising else noon + 4.0 * hour_angle
    return midnight + dt.timedelta(minutes=minutes)


def sun_times(day: dt.date, lon: float, lat: float, timezone: str, zenith_deg: float = _ZENITH_CIVIL
              ) -> tuple[dt.datetime, dt.datetime]:
    """Local (aware) times the sun rises past and sets past `zenith_deg` (90.833 for sunrise/sunset)."""
    tz = ZoneInfo(timezone)
    # The local day may start on the previous UTC date; solve on the UTC date of local noon.
    utc_day = dt.datetime.combine(day, dt.time(12), tzinfo=tz).astimezone(dt.timezone.utc).date()
    rise = _event_utc(utc_day, lon, lat, zenith_deg, rising=True)
    set_ = _event_utc(utc_day, lon, lat, zenith_deg, rising=False)
    if rise is None or set_ is None:
        raise ValueError(f"the sun does not cross {zenith_deg:.3f} deg zenith at lon={lon}, lat={lat} on {day}")
    return rise.astimezone(tz), set_.astimezone(tz)


def civil_daylight(day: dt.date, lon: float, lat: float, timezone: str) -> TimeWindow:
    """Civil dawn to civil dusk of `day` at (lon, lat), as a local clock-time window (seconds rounded)."""
    dawn, dusk = sun_times(day, lon, lat, timezone)
    clock = DayClock(day, timezone)
    start_s = max(0.0, clock.seconds(dawn))
    end_s = min(float(DAY_S), clock.seconds(dusk))
    # Round inward so the window never includes a second of darkness.
    return TimeWindow.from_seconds(math.ceil(start_s), math.floor(end_s))


def operating_window_of(scenario) -> TimeWindow:
    """The scenario's operating window, or civil daylight of its date at the hangars' centroid."""
    if scenario.operating_window is not None:
        return scenario.operating_window
    if not scenario.hangars:
        raise ValueError("a scenario without hangars and operating_window has no place to take daylight from")
    lon = sum(h.lon for h in scenario.hangars) / len(scenario.hangars)
    lat = sum(h.lat for h in scenario.hangars) / len(scenario.hangars)
    window = civil_daylight(scenario.date, lon, lat, scenario.timezone)
    logger.info("operating window: civil daylight %s-%s at lon=%.4f lat=%.4f on %s",
                window.start, window.end, lon, lat, scenario.date)
    return window
