"""Freed time (planner.refill): a sortie deconfliction drops frees its drone, so the tasks left undone beside it are
flown in that time, or their reasons name the freed gap and why it cannot take them. Plan and replan alike.

The day: sorties A (HW-1, river EW) and B (HS-1, river NS) cross with their windows fitting their inspections to the
second (tests.helpers.plan_factory.crossing_day), so deconfliction drops A; point PW, 3 km west of HW and beyond
HS's reach, was left no_capacity while A and HW-1's other work filled its time.
"""
from __future__ import annotations

import logging

from airspace.windows import TimeWindow, seconds_from_clock
from missions.intents import with_intents
from missions.models import MissionPlan, Scenario, Target
from missions.stranding import flyable_alone, stranded_tasks
from missions.verify import verify_plan
from planner import PlanOptions, plan
from planner.deconflict import retime_to_clear
from planner.fleet.budget import Budget
from planner.fleet.undone import PlanBudget, no_capacity
from planner.plan import operating_window, prepare
from planner.refill import first_look, numbered_after, refill
from planner.replan import replan
from tests.helpers.fleet_days import packed_dock
from tests.helpers.plan_factory import build_sortie, crossing_day, crossing_scenario

OPTIONS = PlanOptions(time_limit_s=10, seed=0, solution_limit=50)
WINDOWS = {"EW": TimeWindow(start="09:01:23", end="09:05:24"), "NS": TimeWindow(start="09:01:05", end="09:05:43")}


def _day(hover_s: int, end: str, busy_later: bool) -> tuple[Scenario, MissionPlan, MissionPlan, object]:
    """(scenario, the day before deconfliction, the day after it, refill's arguments). `busy_later`: HW-1 also flies
    point PC at 09:45, leaving it only the time before that (less its recharge) once A is dropped."""
    base = crossing_scenario()
    targets = [t.model_copy(update={"window": WINDOWS[t.id]}) for t in base.resolved_targets()]
    targets.append(Target.model_validate({"id": "PW", "kind": "point", "altitude_m": 60, "hover_s": hover_s,
                                          "geometry": {"type": "Point", "coordinates": [114.37, 30.50]}}))
    if busy_later:
        targets.append(Target.model_validate({"id": "PC", "kind": "point", "altitude_m": 60, "hover_s": 60,
                                              "geometry": {"type": "Point", "coordinates": [114.40, 30.505]}}))
    scenario, day = crossing_day(0.0, scenario=crossing_scenario(
        targets=targets, operating_window={"start": "08:55", "end": end}))
    city, _ = prepare(scenario, OPTIONS)
    sorties = list(day.sorties)
    if busy_later:
        sorties.append(build_sortie(scenario, "C", "HW-1", 9 * 3600 + 45 * 60, [city.tasks["PC#pt1"].task]))
    look = first_look(city, ["PW#pt1"])
    before = day.model_copy(update={"sorties": sorties, "tasks": [t.task for t in city.tasks.values()],
                                    "unserved": [no_capacity(city, look["PW#pt1"], sorties)]})

    def deconflict(plan: MissionPlan, pinned: frozenset[str] = frozenset()) -> MissionPlan:
        return retime_to_clear(plan, scenario, OPTIONS.deconfliction, operating_window(scenario),
                               OPTIONS.clearance_m, pinned)

    before = with_intents(before)
    after = deconflict(before)
    return scenario, before, after, (city, look, deconflict)


def _refilled(scenario, before, after, args):
    city, look, deconflict = args
    return refill(before, after, scenario, city, dict(look), Budget(OPTIONS.time_limit_s),
                  PlanBudget(OPTIONS.time_limit_s, 1, 1), 0.5, deconflict, OPTIONS.deconfliction)


def _reason(plan: MissionPlan, task_id: str):
    return next(u for u in plan.unserved if u.task_id == task_id)


def test_the_drone_a_dropped_sortie_frees_flies_the_task_left_beside_it():
    scenario, before, after, args = _day(hover_s=120, end="09:30", busy_later=False)
    # Before deconfliction PW truly had no drone; A's drop leaves HW-1 free all morning beside it.
    assert stranded_tasks(before, scenario) == []
    assert [s.sortie_id for s in after.sorties] == ["B"]
    assert [(s.task_id, s.drone_id) for s in stranded_tasks(after, scenario)] == [("PW#pt1", "HW-1")]
    done = _refilled(scenario, before, after, args)
    result = done.plan
    assert verify_plan(result, scenario).ok
    assert stranded_tasks(result, scenario) == []
    (flown,) = [s for s in result.sorties if s.drone_id == "HW-1"]
    assert flown.tasks == ["PW#pt1"] and done.placed == 1
    # B is kept where it was; EW, whose window meets B wherever it is packed, has no drone left: both reasons say so.
    assert next(s for s in result.sorties if s.sortie_id == "B") == next(s for s in after.sorties if s.sortie_id == "B")
    ew = _reason(result, "EW#1")
    assert ew.reason.value == "no_capacity"
    assert ew.detail.startswith("no capacity: every drone within reach (2: HS, HW) is flying, recharging, through "
                                "its 4 sorties or under a closure whenever it could be flown (its window "
                                "09:01:23-09:05:24): none has a free gap")
    assert "; it was planned before: its sortie " in ew.detail and " and sortie B (drone HS-1) conflict at " in ew.detail
    assert result.summary.served_tasks == 2 and result.summary.unserved_tasks == 1


def test_a_freed_gap_too_short_for_the_task_is_named_with_its_length_and_the_need():
    scenario, before, after, args = _day(hover_s=1200, end="10:30", busy_later=True)
    old = _reason(after, "PW#pt1")
    # As the plan stood before the drop: HW-1's only gap was the 10 minutes after C's recharge.
    assert "the longest free gap is 10 min (HW-1 10:19-10:30), and it needs 27 min alone from HW" in old.detail
    result = _refilled(scenario, before, after, args).plan
    assert verify_plan(result, scenario).ok
    assert stranded_tasks(result, scenario) == []
    new = _reason(result, "PW#pt1")
    assert new.reason.value == "no_capacity"
    # A's drop freed HW-1 from the window's start to C's takeoff less its 32 min recharge: the text says so.
    assert "the longest free gap is 18 min (HW-1 08:55-09:13), and it needs 27 min alone from HW" in new.detail
    assert [s.sortie_id for s in result.sorties if s.drone_id == "HW-1"] == ["C"]
    # EW fits that gap alone but meets B however it is flown: its reason stays the conflict of the last try.
    ew = _reason(result, "EW#1")
    assert ew.reason.value == "conflict" and ew.detail.startswith("its sortie HW-1-S1 (takeoff ")


def test_new_sorties_take_numbers_after_every_one_the_drone_used():
    scenario, before, _, _ = _day(hover_s=120, end="09:30", busy_later=False)
    b = next(s for s in before.sorties if s.sortie_id == "B")
    named = numbered_after([b, b.model_copy(update={"sortie_id": "x", "takeoff": b.landing})],
                           {"HS-1-S1", "HS-1-S3", "HW-1-S7"})
    assert [s.sortie_id for s in named] == ["HS-1-S4", "HS-1-S5"]
    assert all(i.sortie_id == "HS-1-S4" for i in named[0].inspections)


def test_the_same_day_is_refilled_the_same_way():
    scenario, before, after, args = _day(hover_s=120, end="09:30", busy_later=False)
    first = _refilled(scenario, before, after, args).plan
    second = _refilled(scenario, before, after, args).plan
    assert first.model_dump() == second.model_dump()


def test_a_replan_flies_the_time_its_dropped_sorties_free(caplog):
    # The packed dock replanned at 08:30: deconfliction drops a new sortie, and without refill its 6 tasks stayed
    # `conflict` and 27 others `no_capacity` ("none has a free gap") beside the freed drone.
    scenario = packed_dock(64, "11:30")
    options = PlanOptions(time_limit_s=12, seed=0, solution_limit=200)
    day = plan(scenario, options)
    caplog.clear()  # the plan's own refill logs the same line when the root logger is at INFO (pytest --log-level)
    with caplog.at_level(logging.INFO, logger="planner.refill"):
        result = replan(scenario, day, "08:30", options=options)
    assert any(r.getMessage().startswith("freed time, round 1: ") for r in caplog.records), "no sortie was dropped"
    merged = result.plan
    assert verify_plan(merged, result.scenario).ok
    assert {u.reason.value for u in merged.unserved} == {"no_capacity"}
    tasks = {t.task_id: t for t in merged.tasks}
    assert [u.task_id for u in merged.unserved if flyable_alone(
        tasks[u.task_id], result.scenario, merged.sorties, merged.summary.transit_altitude_m, 4,
        start_s=seconds_from_clock("08:30")) is not None] == []
