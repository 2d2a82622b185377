"""The planner's takeoff-shift pass (planner.deconflict): conflicts cleared by the smallest shift within each
sortie's slack, paths untouched; a sortie no shift clears is not flown, its tasks unserved naming the conflict."""
from __future__ import annotations

import math

import pytest

from airspace.windows import TimeWindow
from missions.conflicts import IntentIndex, find_conflicts, sortie_table
from missions.intent_models import DeconflictionOptions
from missions.intents import plan_projector
from missions.verify import SEPARATION, verify_plan
from planner import PlanOptions, plan
from planner.deconflict import held_after, retime_to_clear
from tests.helpers.plan_factory import CROSSING, crossing_day, crossing_scenario, small_scenario, time_at

DAY = (8 * 3600.0, 17.5 * 3600.0)


def _shifts(before, after) -> dict[str, float]:
    old = {s.sortie_id: s for s in before.sorties}
    return {s.sortie_id: (s.takeoff - old[s.sortie_id].takeoff).total_seconds() for s in after.sorties
            if s.takeoff != old[s.sortie_id].takeoff}


def test_a_crossing_is_cleared_by_shifting_one_sortie_as_little_as_possible():
    scenario, day = crossing_day(0.0)
    cleared = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert find_conflicts(cleared, scenario).conflicts == ()
    assert verify_plan(cleared, scenario).ok
    (moved, shift), = _shifts(day, cleared).items()
    # Paths, distances and inspection order stay; only the clock moves, inspections with it.
    before = next(s for s in day.sorties if s.sortie_id == moved)
    after = next(s for s in cleared.sorties if s.sortie_id == moved)
    assert after.waypoints == before.waypoints and after.distance_m == before.distance_m
    assert (after.inspections[0].start - before.inspections[0].start).total_seconds() == pytest.approx(shift)
    # A second less would not do (the shift is the nearest clearing one, whole seconds aside).
    again = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert _shifts(day, again) == {moved: shift}
    assert cleared.warnings == []


def test_the_intent_moves_with_the_sortie():
    scenario, day = crossing_day(0.0)
    cleared = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    (moved, shift), = _shifts(day, cleared).items()
    before = next(s for s in day.sorties if s.sortie_id == moved).intent
    after = next(s for s in cleared.sorties if s.sortie_id == moved).intent
    assert [(v.time_start - w.time_start).total_seconds() for v, w in zip(after, before)] == \
        pytest.approx([shift] * len(before), abs=2e-3)


def _pinned_crossing():
    # Each river's window fits its inspection to the second: neither sortie can move.
    pinned = {"EW": TimeWindow(start="09:01:23", end="09:05:24"), "NS": TimeWindow(start="09:01:05", end="09:05:43")}
    base = crossing_scenario()
    scenario = crossing_scenario(targets=[t.model_copy(update={"window": pinned[t.id]})
                                          for t in base.resolved_targets()])
    return crossing_day(0.0, scenario=scenario)


def test_without_room_to_shift_the_sortie_is_not_flown_and_its_task_names_the_conflict_with_the_numbers():
    scenario, day = _pinned_crossing()
    assert SEPARATION in verify_plan(day, scenario).kinds()
    kept = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert _shifts(day, kept) == {} and kept.warnings == []
    # Both pinned: B, which takes off first, is placed first; A meets it and is not flown.
    assert [s.sortie_id for s in kept.sorties] == ["B"]
    (task,) = kept.unserved
    assert (task.task_id, task.reason.value) == ("EW#1", "conflict")
    # The numbers are the detector's own on the day as planned: place, minutes, heights, gaps.
    (met,) = find_conflicts(day, scenario).conflicts
    assert (met.first.id, met.second.id) == ("A", "B")
    assert met.describe() == ("sortie A (drone HW-1) and sortie B (drone HS-1) conflict at (114.42000, 30.50000), "
                              "09:02:24-09:03:56: footprints overlap, heights overlap (75-85 m and 75-85 m), "
                              "times overlap (4 pairs of volumes)")
    assert task.detail == (f"its sortie A (takeoff 09:00:00) is not flown: {met.describe()}, closer than the minima "
                           "30 m / 15 m / 30 s; no takeoff between 0 s earlier and 0 s later clears it (its slack is "
                           "0 s earlier to 0 s later, max_takeoff_shift_s 1800 s)")
    # The summary follows: A's distance and river are gone, and the plan verifies.
    a = next(s for s in day.sorties if s.sortie_id == "A")
    assert kept.summary.sorties == 1 and kept.summary.unserved_tasks == 1
    assert kept.summary.total_distance_m == pytest.approx(day.summary.total_distance_m - a.distance_m, abs=0.01)
    assert kept.summary.coverage < day.summary.coverage
    assert verify_plan(kept, scenario).ok


def test_a_dropped_sorties_drone_is_held_while_what_it_met_is_in_the_sky():
    # What refill offers the drone again: A, flown wholly before or after the span, meets nothing; inside it, B.
    scenario, day = _pinned_crossing()
    options = DeconflictionOptions()
    kept = retime_to_clear(day, scenario, options, DAY, clearance_m=20)
    a, b = (next(s for s in day.sorties if s.sortie_id == name) for name in ("A", "B"))
    (lo, hi), = held_after([a], kept, scenario, options).values()
    b_crosses = scenario.seconds_after_midnight(b.takeoff) + time_at(b, *CROSSING)
    assert lo < b_crosses < hi
    projector = plan_projector(kept, scenario)
    index = IntentIndex(sortie_table(b, scenario, projector, options.intent), options.separation)
    table = sortie_table(a, scenario, projector, options.intent)
    takeoff, landing = (scenario.seconds_after_midnight(t) for t in (a.takeoff, a.landing))
    assert index.conflicts(table) != []
    assert index.conflicts(table.shifted(lo - landing)) == []
    assert index.conflicts(table.shifted(hi - takeoff)) == []
    # The span is B's volumes at the crossing (09:02:24-09:03:56) with the 30 s minimum and A's timing uncertainty
    # either side: about 4 min, not the rest of the day.
    assert 92 + 2 * 30 < hi - lo < 5 * 60


def test_a_pinned_sortie_that_still_conflicts_is_kept_and_named_in_the_warnings():
    scenario, day = _pinned_crossing()
    kept = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20, pinned=frozenset({"A", "B"}))
    assert sorted(s.sortie_id for s in kept.sorties) == ["A", "B"] and kept.unserved == []
    (met,) = find_conflicts(day, scenario).conflicts
    assert kept.warnings == [f"{met.describe()}; A has flown or is flying, so it is kept as it is"]


def test_a_pinned_sortie_is_placed_first_and_the_free_one_it_meets_is_not_flown():
    # Unpinned, B (first to take off) is placed and A dropped; with A flown, B is the one that goes.
    scenario, day = _pinned_crossing()
    kept = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20, pinned=frozenset({"A"}))
    assert [s.sortie_id for s in kept.sorties] == ["A"] and kept.warnings == []
    (task,) = kept.unserved
    assert task.task_id == "NS#1" and task.detail.startswith("its sortie B (takeoff ")
    assert "sortie B (drone HS-1) and sortie A (drone HW-1) conflict at (114.42000, 30.50000)" in task.detail
    assert verify_plan(kept, scenario).ok


def _filed_all_day():
    import datetime as dt

    import shapely

    from airspace.geometry import Geometry
    from missions.intent_models import ExternalVolume

    utc = dt.timezone.utc
    box = shapely.box(114.4195, 30.4995, 114.4205, 30.5005)  # 100 m around the crossing, filed 08:00-17:30
    filed = ExternalVolume(intent_id="OP-7", operator="city-survey", geometry=Geometry.from_shape(box), lower_m=40,
                           upper_m=120, start=dt.datetime(2026, 11, 21, 0, 0, tzinfo=utc),
                           end=dt.datetime(2026, 11, 21, 9, 30, tzinfo=utc))
    return crossing_scenario(airspace={"intents": [filed]})


def test_a_sortie_through_a_volume_filed_all_day_is_not_flown_naming_the_intent():
    scenario, day = crossing_day(0.0, scenario=_filed_all_day())
    kept = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert kept.sorties == [] and sorted(u.task_id for u in kept.unserved) == ["EW#1", "NS#1"]
    met = {c.first.id: c for c in find_conflicts(day, scenario).external}
    for task in kept.unserved:
        sortie = "A" if task.task_id == "EW#1" else "B"
        assert task.reason.value == "conflict"
        assert "intent OP-7 of city-survey" in met[sortie].describe()
        assert task.detail.startswith(f"its sortie {sortie} (takeoff ")
        assert f"is not flown: {met[sortie].describe()}, closer than the minima 30 m / 15 m / 30 s; " in task.detail
    assert verify_plan(kept, scenario).ok


def test_plan_leaves_unserved_what_only_a_volume_filed_all_day_blocks():
    scenario = _filed_all_day()
    result = plan(scenario, PlanOptions(time_limit_s=5, seed=0, solution_limit=40))
    assert result.sorties == [] and result.summary.coverage == 0.0
    assert {u.task_id: u.reason.value for u in result.unserved} == {"EW#1": "conflict", "NS#1": "conflict"}
    for task in result.unserved:
        assert " and intent OP-7 of city-survey conflict at " in task.detail
        # The shift searched is the limit, though the sortie's own slack runs to the end of the day.
        assert "no takeoff between 0 s earlier and 1800 s later clears it" in task.detail
        assert "max_takeoff_shift_s 1800 s" in task.detail
    assert verify_plan(result, scenario).ok


def test_when_the_sortie_cannot_move_far_enough_the_one_it_meets_moves_instead():
    # Shifting B by d conflicts for d in (-152 s, +326 s). B may move 100 s either way (room 200 s): not enough.
    # A may only move later, by up to 170 s (room 170 s), so A is placed first; B then meets it, and A moves
    # the 152 s that clear them.
    windows = {"EW": TimeWindow.from_seconds(32483.999, 32723.997 + 170),
               "NS": TimeWindow.from_seconds(32465.422 - 100, 32742.574 + 100)}
    base = crossing_scenario()
    scenario = crossing_scenario(targets=[t.model_copy(update={"window": windows[t.id]})
                                          for t in base.resolved_targets()])
    scenario, day = crossing_day(0.0, scenario=scenario)
    cleared = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert _shifts(day, cleared) == {"A": pytest.approx(152.1, abs=1.0)}
    assert cleared.warnings == [] and verify_plan(cleared, scenario).ok


def test_a_zero_shift_limit_moves_nothing_and_drops_the_sortie_that_meets_one_placed_first():
    scenario, day = crossing_day(0.0)
    kept = retime_to_clear(day, scenario, DeconflictionOptions(max_takeoff_shift_s=0), DAY, clearance_m=20)
    assert _shifts(day, kept) == {} and len(kept.sorties) == 1
    (task,) = kept.unserved
    assert "no takeoff between 0 s earlier and 0 s later clears it" in task.detail
    assert "max_takeoff_shift_s 0 s" in task.detail
    assert verify_plan(kept, scenario).ok


def test_resolve_false_only_names_the_conflicts():
    scenario, day = crossing_day(0.0)
    kept = retime_to_clear(day, scenario, DeconflictionOptions(resolve=False), DAY, clearance_m=20)
    assert kept.sorties == day.sorties
    assert kept.warnings == [f"not deconflicted (resolve: false): {c.describe()}"
                             for c in find_conflicts(day, scenario).conflicts] and kept.warnings


def _near_zone(active: list[dict]) -> dict:
    # A part-time prohibited zone 11 m north of A's path, within the 20 m clearance.
    return {"id": "TFR", "restriction": "prohibited", "lower_m": 0, "upper_m": 120,
            "geometry": {"type": "Polygon", "coordinates": [[[114.405, 30.5001], [114.408, 30.5001],
                                                             [114.408, 30.502], [114.405, 30.502],
                                                             [114.405, 30.5001]]]},
            "active": active}


def test_a_sortie_flying_by_a_part_time_zone_while_it_is_active_stays_the_other_one_moves():
    scenario = crossing_scenario(airspace={"zones": [_near_zone([{"start": "08:30", "end": "09:30"}])]})
    scenario, day = crossing_day(0.0, scenario=scenario)
    cleared = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    assert list(_shifts(day, cleared)) == ["B"]
    assert verify_plan(cleared, scenario).ok


def test_a_part_time_zone_near_the_path_bounds_the_shift_by_its_hours():
    # A lands 09:08:56; the zone near its path opens at 09:09: A may take off earlier, not later. B is pinned by
    # its river's window, so A must move, and moves earlier.
    base = crossing_scenario()
    pinned = [t.model_copy(update={"window": TimeWindow(start="09:01:05", end="09:05:43")}) if t.id == "NS" else t
              for t in base.resolved_targets()]
    scenario = crossing_scenario(targets=pinned, airspace={"zones": [_near_zone([{"start": "09:09", "end": "12:00"}])]})
    scenario, day = crossing_day(0.0, scenario=scenario)
    cleared = retime_to_clear(day, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    (moved, shift), = _shifts(day, cleared).items()
    assert moved == "A" and shift < 0
    assert verify_plan(cleared, scenario).ok


def test_plan_draws_intents_records_the_options_and_clears_simultaneous_launches():
    scenario = small_scenario()  # one hangar, two drones: both would launch at the window's start
    result = plan(scenario, PlanOptions(time_limit_s=2, seed=0, solution_limit=40))
    assert all(s.intent for s in result.sorties)
    assert result.deconfliction == DeconflictionOptions()
    assert find_conflicts(result, scenario).conflicts == ()
    assert verify_plan(result, scenario).ok


def test_a_sortie_pinned_by_its_drones_next_flight_moves_later_and_pushes_that_flight_along():
    # Both first sorties may not take off earlier (their hangars open at their takeoff) and each drone's second
    # sortie follows after exactly the 32 min recharge, so neither may move later on its own: the one placed second
    # moves later and its drone's second sortie is pushed by the same amount, which stays within the day.
    from missions.intents import with_intents
    from tests.helpers.plan_factory import build_plan, build_sortie

    base, day = crossing_day(0.0)
    a, b = (next(s for s in day.sorties if s.sortie_id == sid) for sid in ("A", "B"))
    clock = base.seconds_after_midnight
    hangars = [h.model_copy(update={"window": TimeWindow.from_seconds(math.ceil(clock(s.takeoff)), 17 * 3600)})
               for h, s in zip(base.hangars, (a, b))]
    scenario = base.model_copy(update={"hangars": hangars})
    recharge_s = 32 * 60
    hop = {0: [(114.401, 30.501)]}
    a2 = build_sortie(scenario, "A2", "HW-1", clock(a.landing) + recharge_s, [], via=hop)
    b2 = build_sortie(scenario, "B2", "HS-1", clock(b.landing) + recharge_s, [],
                      via={0: [(114.421, 30.481)]})
    tight = with_intents(build_plan(scenario, day.tasks, [a, b, a2, b2]))
    assert SEPARATION in verify_plan(tight, scenario).kinds()
    cleared = retime_to_clear(tight, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    shifts = _shifts(tight, cleared)
    first = "B" if "B" in shifts else "A"
    assert set(shifts) == {first, f"{first}2"} and shifts[first] > 0
    assert shifts[f"{first}2"] == pytest.approx(shifts[first], abs=1.0)
    assert cleared.warnings == [] and verify_plan(cleared, scenario).ok


def test_the_sortie_met_moves_later_pushing_its_drones_next_flight_when_the_other_cannot_move():
    # A's river window fits its inspection to the second; B may not take off earlier (its hangar opens at its
    # takeoff) and B2 follows after exactly the recharge. Both have no room: B (first to take off) is placed
    # first, A meets it and cannot move, so B moves later and pushes B2 along rather than A being dropped.
    from missions.intents import with_intents
    from tests.helpers.plan_factory import build_plan, build_sortie

    base = crossing_scenario()
    windows = {"EW": TimeWindow(start="09:01:23", end="09:05:24")}
    base = crossing_scenario(targets=[t.model_copy(update={"window": windows.get(t.id)})
                                      for t in base.resolved_targets()])
    base, day = crossing_day(0.0, scenario=base)
    b = next(s for s in day.sorties if s.sortie_id == "B")
    clock = base.seconds_after_midnight
    hangars = [h.model_copy(update={"window": TimeWindow.from_seconds(math.ceil(clock(b.takeoff)), 17 * 3600)})
               if h.id == b.hangar_id else h for h in base.hangars]
    scenario = base.model_copy(update={"hangars": hangars})
    b2 = build_sortie(scenario, "B2", "HS-1", clock(b.landing) + 32 * 60, [], via={0: [(114.421, 30.481)]})
    tight = with_intents(build_plan(scenario, day.tasks, [*day.sorties, b2]))
    cleared = retime_to_clear(tight, scenario, DeconflictionOptions(), DAY, clearance_m=20)
    shifts = _shifts(tight, cleared)
    assert set(shifts) == {"B", "B2"} and shifts["B"] > 0
    assert shifts["B2"] == pytest.approx(shifts["B"], abs=1.0)
    assert cleared.unserved == [] and cleared.warnings == [] and verify_plan(cleared, scenario).ok


@pytest.mark.parametrize("points, end", [(64, "11:30"), (80, "10:30"), (48, "12:00")])
def test_a_packed_dock_day_verifies_its_drones_staggered_what_cannot_fly_named(points, end):
    from missions.intent_models import DeconflictionOptions as Options
    from planner.problem.slots import dock_interval_s
    from tests.helpers.fleet_days import packed_dock

    scenario = packed_dock(points, end)
    options = PlanOptions(time_limit_s=10, seed=0, solution_limit=200)
    result = plan(scenario, options)
    assert verify_plan(result, scenario).ok
    assert find_conflicts(result, scenario).conflicts == ()
    firsts = sorted(min(s.takeoff for s in result.sorties if s.drone_id == d) for d in ("D1-1", "D1-2"))
    assert (firsts[1] - firsts[0]).total_seconds() >= dock_interval_s(options) - 1e-6
    for task in (u for u in result.unserved if u.reason.value == "conflict"):
        assert " is not flown: sortie " in task.detail and "closer than the minima 30 m / 15 m / 30 s" in task.detail
    # Unresolved, the same day as routing plans it fails the verifier: the two drones meet over the dock.
    raw = plan(scenario, options.model_copy(update={"deconfliction": Options(resolve=False)}))
    if points == 64:
        assert SEPARATION in verify_plan(raw, scenario).kinds()
