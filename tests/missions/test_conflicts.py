"""Conflict detection between intents (missions.conflicts): sortie pairs, filed intents, and the index API a
planner pass calls (conflicts of a candidate, blocked and clearing takeoff offsets, incremental adds)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from airspace.geometry import Geometry
from missions.conflicts import IntentIndex, VolumeTable, external_table, find_conflicts, plan_table, sortie_table
from missions.intent_models import DeconflictionOptions, ExternalVolume, IntentOptions
from missions.intents import plan_projector
from tests.helpers.plan_factory import CROSSING, crossing_day, crossing_scenario, replace_sortie

UTC = dt.timezone.utc
MINIMA = DeconflictionOptions().separation


def test_two_sorties_crossing_at_the_same_minute_conflict_once_named_both_at_the_crossing():
    scenario, plan = crossing_day(0.0)
    report = find_conflicts(plan, scenario)
    (conflict,) = report.conflicts
    assert (conflict.first.id, conflict.second.id) == ("A", "B")
    assert (conflict.lon, conflict.lat) == pytest.approx(CROSSING, abs=2e-5)
    crossing = scenario.seconds_after_midnight(plan.sorties[0].takeoff) + 204.0  # A reaches it 204 s out
    assert conflict.start_s <= crossing <= conflict.end_s
    assert conflict.horizontal_gap_m <= 0 and conflict.vertical_gap_m <= 0 and conflict.time_gap_s <= 0
    text = conflict.describe()
    assert "sortie A (drone HW-1) and sortie B (drone HS-1) conflict at (114.42000, 30.50000)" in text
    assert "footprints overlap, heights overlap (75-85 m and 75-85 m), times overlap" in text
    assert report.own == [conflict] and report.external == []


def test_ten_minutes_apart_or_30_m_above_nothing_conflicts():
    assert find_conflicts(*reversed(crossing_day(600.0))).conflicts == ()
    scenario, plan = crossing_day(0.0, b_altitude_m=50.0)  # bands 75-85 and 45-55: 20 m apart, minimum 15
    assert find_conflicts(plan, scenario).conflicts == ()


def test_twenty_metres_above_is_too_close_and_the_text_gives_the_gap():
    scenario, plan = crossing_day(0.0, b_altitude_m=60.0)  # bands 75-85 and 55-65: 10 m apart
    (conflict,) = find_conflicts(plan, scenario).conflicts
    assert conflict.vertical_gap_m == pytest.approx(10.0)
    assert "heights 10 m apart (75-85 m and 55-65 m)" in conflict.describe()


def test_wider_minima_or_buffers_find_more():
    scenario, plan = crossing_day(0.0, b_altitude_m=50.0)
    loose = DeconflictionOptions(separation={"horizontal_m": 30, "vertical_m": 25, "time_s": 30})
    assert len(find_conflicts(plan, scenario, loose).conflicts) == 1


def test_one_drones_sorties_never_conflict_with_each_other():
    scenario, plan = crossing_day(0.0)
    same = replace_sortie(plan, 1, drone_id="HW-1")
    assert find_conflicts(same, scenario).conflicts == ()


def _filed(geometry, start, end, lower=40.0, upper=120.0, intent_id="OP-7") -> ExternalVolume:
    return ExternalVolume(intent_id=intent_id, operator="city-survey", geometry=Geometry.from_shape(geometry),
                          lower_m=lower, upper_m=upper, start=start, end=end)


def _with_filed(*volumes: ExternalVolume):
    scenario = crossing_scenario(airspace={"intents": list(volumes)})
    return crossing_day(600.0, scenario=scenario)


def test_a_sortie_through_another_operators_volume_conflicts_with_it():
    import shapely

    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)  # 100 m around the crossing
    morning = dt.datetime(2026, 11, 21, 0, 30, tzinfo=UTC), dt.datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
    scenario, plan = _with_filed(_filed(box, *morning))
    report = find_conflicts(plan, scenario)
    assert {c.first.id for c in report.external} == {"A", "B"}
    assert all(c.second.label() == "intent OP-7 of city-survey" for c in report.external)
    assert report.external_volumes == 1


def test_a_filed_volume_at_another_hour_or_height_is_no_conflict():
    import shapely

    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)
    afternoon = dt.datetime(2026, 11, 21, 6, 0, tzinfo=UTC), dt.datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    morning = dt.datetime(2026, 11, 21, 0, 30, tzinfo=UTC), dt.datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
    scenario, plan = _with_filed(_filed(box, *afternoon), _filed(box, *morning, lower=125, upper=300, intent_id="HI"))
    assert find_conflicts(plan, scenario).conflicts == ()


# ------------------------------------------------------------------------------------------------ index API
def _tables(offset_s: float):
    scenario, plan = crossing_day(offset_s)
    projector = plan_projector(plan, scenario)
    a, b = (sortie_table(s, scenario, projector, IntentOptions()) for s in plan.sorties)
    return a, b


def test_earliest_clear_offset_is_exact_and_minimal():
    a, b = _tables(0.0)
    index = IntentIndex(a, MINIMA)
    assert index.conflicts(b)
    delay = index.earliest_clear_offset(b, max_offset_s=3600)
    assert delay is not None and delay > 0
    assert index.conflicts(b.shifted(delay)) == []
    assert index.conflicts(b.shifted(delay - 0.5)) != []
    assert index.earliest_clear_offset(b, max_offset_s=delay - 1) is None
    assert index.earliest_clear_offset(b.shifted(delay), max_offset_s=0) == 0


def test_nearest_clear_offset_takes_the_smaller_shift_either_way():
    a, b = _tables(0.0)
    index = IntentIndex(a, MINIMA)
    blocked = [(lo, hi) for lo, hi in index.blocked_offsets(b) if lo < 0 < hi]
    (lo, hi), = blocked
    best = index.nearest_clear_offset(b, -3600, 3600)
    assert best == min((lo, hi), key=abs)
    assert index.conflicts(b.shifted(best)) == []
    assert index.nearest_clear_offset(b, -1, 1) is None
    assert index.nearest_clear_offset(b.shifted(hi), -1, 1) == 0


def test_blocked_offsets_are_disjoint_and_sorted():
    a, b = _tables(0.0)
    blocked = IntentIndex(a, MINIMA).blocked_offsets(b)
    assert blocked and all(lo < hi for lo, hi in blocked)
    assert all(x[1] <= y[0] for x, y in zip(blocked, blocked[1:]))


def test_added_volumes_are_found_before_and_after_the_tree_is_rebuilt(monkeypatch):
    a, b = _tables(0.0)
    index = IntentIndex(VolumeTable.empty(), MINIMA)
    assert index.conflicts(b) == []
    index.add(a)
    assert [c.second.id for c in index.conflicts(b)] == ["A"]  # scanned (not yet in the tree)
    monkeypatch.setattr("missions.conflicts.REBUILD_AFTER", 0)
    index.add(VolumeTable.empty())
    assert [c.second.id for c in index.conflicts(b)] == ["A"]  # from the rebuilt tree


def test_tables_concatenate_and_shift():
    a, b = _tables(0.0)
    both = VolumeTable.concat([a, b])
    assert len(both) == len(a) + len(b) and [o.id for o in both.owners] == ["A", "B"]
    assert np.array_equal(both.owner, np.r_[np.zeros(len(a)), np.ones(len(b))])
    assert np.allclose(a.shifted(60).start, a.start + 60)


def test_plan_and_external_tables_of_the_crossing_day():
    import shapely

    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)
    t = dt.datetime(2026, 11, 21, 0, 30, tzinfo=UTC), dt.datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
    scenario, plan = _with_filed(_filed(box, *t))
    projector = plan_projector(plan, scenario)
    own = plan_table(plan, scenario, projector)
    assert len(own) == sum(len(s.intent) for s in plan.sorties)
    filed = external_table(scenario, projector)
    assert len(filed) == 1 and filed.buffer.tolist() == [0.0]
    assert filed.start.tolist() == [8.5 * 3600] and filed.end.tolist() == [9.5 * 3600]  # Shanghai is UTC+8
