"""The one airspace rule: must a drone stay out of this zone at these heights during this time?

Planner, exporters, check_path and the verifier all ask here; each measures geometry and times itself.

Height convention, "a limit may be reached, not exceeded": a zone occupies the heights above its floor up
to and including its top, and a zone whose floor is the ground (lower_m <= 0) includes the ground. So a
flight exactly at a raised floor (a zone from 60 m, a grid cell's lowered ceiling) is below the zone, a
flight exactly at a zone's top is inside it, and a flight exactly at the airspace ceiling is legal.
Time convention: a zone applies at every moment of its active windows, both ends included.
"""
from __future__ import annotations

import math
from typing import Iterable

from airspace.zones import Restriction, Zone


def is_keep_out(zone: Zone, authorised: Iterable[str] = ()) -> bool:
    """Prohibited zones always; authorisation-required ones unless the scenario lists their id as authorised."""
    restriction = Restriction(zone.restriction)
    if restriction is Restriction.PROHIBITED:
        return True
    if restriction is Restriction.AUTHORISATION_REQUIRED:
        return zone.id not in set(authorised)
    return False


def active_during(zone: Zone, t0_s: float, t1_s: float) -> bool:
    """True if the zone applies at any moment of [t0_s, t1_s] (seconds after local midnight)."""
    if zone.active is None:
        return True
    return any(t0_s <= w.end_s and t1_s >= w.start_s for w in zone.active)


def band_meets(zone: Zone, low_m: float, high_m: float) -> bool:
    """True if some height in [low_m, high_m] is inside the zone's band (see the height convention)."""
    above_floor = high_m > zone.lower_m or (zone.lower_m <= 0.0 and high_m >= zone.lower_m)
    return above_floor and low_m <= zone.upper_m


def band_fraction(zone: Zone, z0_m: float, z1_m: float) -> tuple[float, float] | None:
    """The parameters s in [0, 1] of a segment climbing linearly from z0_m to z1_m whose height is inside the
    zone's band, as (first, last), or None. A segment that only touches the raised floor is outside."""
    return linear_fraction(z0_m, z1_m, zone.lower_m, zone.upper_m, include_low=zone.lower_m <= 0.0)


def above_ceiling_fraction(z0_m: float, z1_m: float, ceiling_m: float) -> tuple[float, float] | None:
    """The parameters of a segment that fly above the ceiling (exactly at it is legal)."""
    return linear_fraction(z0_m, z1_m, ceiling_m, math.inf, include_low=False)


def linear_fraction(v0: float, v1: float, low: float, high: float, *,
                    include_low: bool = True) -> tuple[float, float] | None:
    """Parameters s in [0, 1] where v0 + s (v1 - v0) lies in [low, high] ((low, high] if not include_low)."""
    if v0 == v1:
        inside = (v0 >= low if include_low else v0 > low) and v0 <= high
        return (0.0, 1.0) if inside else None
    sa, sb = (low - v0) / (v1 - v0), (high - v0) / (v1 - v0)
    lo, hi = max(0.0, min(sa, sb)), min(1.0, max(sa, sb))
    if lo > hi or (not include_low and lo == hi and _at(v0, v1, lo) == low):
        return None
    return lo, hi


def _at(v0: float, v1: float, s: float) -> float:
    return v0 + s * (v1 - v0)


def applicable_fractions(zone: Zone, z0_m: float, z1_m: float, t0_s: float, t1_s: float) -> list[tuple[float, float]]:
    """Parameter intervals of a segment, flown from height z0_m at t0_s to z1_m at t1_s (both linear), during
    which the zone applies to it: inside its band while one of its windows is open. Geometry is the caller's."""
    band = band_fraction(zone, z0_m, z1_m)
    if band is None:
        return []
    windows = [(0.0, 1.0)] if zone.active is None else [
        r for w in zone.active if (r := linear_fraction(t0_s, t1_s, w.start_s, w.end_s)) is not None]
    pieces = [(max(band[0], w0), min(band[1], w1)) for w0, w1 in windows]
    return [(s0, s1) for s0, s1 in pieces if s0 <= s1]


def keep_out_zones(zones: Iterable[Zone], t0_s: float, t1_s: float, low_m: float, high_m: float,
                   authorised: Iterable[str] = ()) -> list[Zone]:
    """Zones a drone must stay out of while between `low_m` and `high_m` during [t0_s, t1_s]."""
    allowed = set(authorised)
    return [zone for zone in zones
            if is_keep_out(zone, allowed) and active_during(zone, t0_s, t1_s) and band_meets(zone, low_m, high_m)]
