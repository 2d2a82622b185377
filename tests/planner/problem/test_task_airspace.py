"""planner.problem.task_airspace: tasks cut where they run into keep-out zones between their height and transit
height; pieces under a closure fly only when it is inactive, pieces under a permanent zone are unserved.

Piece ends lie clearance + EDGE_MARGIN_M (20 + 15 m) outside the zone; lengths checked with pyproj.Geod.
"""
from __future__ import annotations

import re

import pytest

from airspace.projection import Projector
from missions.models import InspectionTask, UnservedReason
from planner.problem.epochs import epochs_for
from planner.problem.task_airspace import EDGE_MARGIN_M, MIN_PIECE_M, split_tasks_by_airspace
from tests.helpers.plan_factory import HANGAR, place
from tests.helpers.problem_days import box, metres

H = 3600
PROJECTOR = Projector.for_lonlat(*HANGAR)
WINDOW = (8 * H, 17 * H)


def _line(east_from: float, east_to: float, altitude: float = 80.0, kind: str = "river") -> InspectionTask:
    coords = [place(east_from), place(east_to)]
    return InspectionTask(task_id="T", target_id="T", kind=kind, coordinates=coords,
                          length_m=metres(*coords), altitude_m=altitude, priority=3)


def _split(tasks, zones, transit=100.0, ceiling=120.0):
    epochs = epochs_for(WINDOW, zones, [], 600)
    kept, unserved = split_tasks_by_airspace(tasks, zones, [], epochs, PROJECTOR, 20.0, transit, ceiling)
    return epochs, kept, unserved


def test_a_line_through_a_morning_closure_is_cut_in_three_and_the_middle_waits_for_the_afternoon():
    zone = box("TFR", 800, -100, 1200, 100, active=[("08:00", "12:00")])
    epochs, kept, unserved = _split([_line(0, 2000)], [zone])
    assert unserved == [] and len(epochs) == 2
    assert [k.task.task_id for k in kept] == ["T/1", "T/2", "T/3"]
    assert [k.blocked_epochs for k in kept] == [frozenset(), frozenset({0}), frozenset()]
    edge = 20.0 + EDGE_MARGIN_M
    west, east = place(800 - edge), place(1200 + edge)
    expected = [metres(place(0), west), metres(west, east), metres(east, place(2000))]
    for item, length in zip(kept, expected):
        coords = item.task.coordinates
        assert item.task.length_m == pytest.approx(length, rel=2e-3)  # grid metres, 0.04 % off the ellipsoid
        assert metres(coords[0], coords[-1]) == pytest.approx(length, abs=0.5)
    assert kept[0].task.coordinates[0] == pytest.approx(place(0))
    assert kept[2].task.coordinates[-1] == pytest.approx(place(2000))


def test_a_piece_inside_a_zone_active_all_day_is_unserved_with_the_zone_band_and_heights():
    zone = box("NFZ", 800, -100, 1200, 100, lower=0, upper=120)
    _, kept, unserved = _split([_line(0, 2000)], [zone])
    assert [k.task.task_id for k in kept] == ["T/1", "T/3"]
    (lost,) = unserved
    assert (lost.task_id, lost.reason) == ("T/2", UnservedReason.BLOCKED_BY_AIRSPACE)
    assert lost.detail == ("inside keep-out zone NFZ (prohibited, 0-120 m), within 20 m clearance, at its 80 m "
                           "inspection height or on the climb to 100 m, whenever the fleet may fly (08:00-17:00)")


def test_zones_out_of_the_band_between_task_and_transit_height_do_not_cut():
    above = box("HIGH", 800, -100, 1200, 100, lower=100, upper=500)  # floor at the 100 m transit height
    below = box("LOW", 800, -100, 1200, 100, lower=0, upper=60)  # a 60 m roof under an 80 m inspection
    advisory = box("ADV", 800, -100, 1200, 100, restriction="advisory")
    for zone in (above, below, advisory):
        _, kept, unserved = _split([_line(0, 2000)], [zone])
        assert unserved == [] and [(k.task.task_id, k.blocked_epochs) for k in kept] == [("T", frozenset())], zone.id
    # A task flown at 50 m under a 60 m roof is inside it.
    _, kept, unserved = _split([_line(0, 2000, altitude=50.0)], [below])
    assert [u.task_id for u in unserved] == ["T/2"] and "(prohibited, 0-60 m)" in unserved[0].detail


def test_a_task_above_the_ceiling_is_unserved_with_both_heights():
    _, kept, unserved = _split([_line(0, 2000, altitude=130.0)], [])
    assert kept == []
    assert [(u.reason, u.detail) for u in unserved] == [
        (UnservedReason.BLOCKED_BY_AIRSPACE, "inspection altitude 130 m is above the 120 m airspace ceiling")]


def test_a_sliver_between_two_zones_is_reported_not_flown():
    # Zone edges at 800 m and 873 m east: 73 m apart, 70 m of it clearance and margin, a 3 m sliver between.
    zones = [box("Z1", 500, -100, 800, 100), box("Z2", 873, -100, 1100, 100)]
    _, kept, unserved = _split([_line(0, 1500)], zones)
    assert [k.task.task_id for k in kept] == ["T/1", "T/5"]
    slivers = [u for u in unserved if "sliver" in u.detail]
    (sliver,) = slivers
    assert sliver.task_id == "T/3"
    (length,) = re.fullmatch(r"([\d.]+) m sliver beside keep-out zones, too short to fly", sliver.detail).groups()
    gap = metres(place(800), place(873)) - 2 * (20.0 + EDGE_MARGIN_M)
    assert float(length) == pytest.approx(gap, abs=0.1) and float(length) < MIN_PIECE_M
    assert sorted(u.task_id for u in unserved) == ["T/2", "T/3", "T/4"]
