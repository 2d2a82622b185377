"""Decomposition strands nothing: tasks a group leaves undone go to free drones within reach in any group.

Stranding is judged by missions.stranding (straight-line lower bounds, no planner code): after the repair pass
no task is unserved for capacity or time while a drone within reach has the free time to fly it alone.
"""
from __future__ import annotations

from collections import Counter

import pytest

from missions.stranding import stranded_tasks
from missions.verify import verify_plan
from planner import PlanOptions, plan
from planner.fleet import group_solve
from tests.helpers.determinism import comparable
from tests.helpers.fleet_days import hotspot, solver_timeout


def _verified(result, scenario):
    report = verify_plan(result, scenario)
    assert report.ok, [str(v) for v in report.violations]
    return result


OPTIONS = dict(time_limit_s=12, max_group_hangars=2, seed=0, solution_limit=200)


@pytest.mark.slow
def test_repair_leaves_no_task_beside_a_free_drone_and_without_it_they_say_time_limit():
    scenario = hotspot()
    without = _verified(plan(scenario, PlanOptions(**OPTIONS, repair_rounds=0)), scenario)
    stranded = stranded_tasks(without, scenario)
    # Without repair the west group leaves work the east group's free drones could fly: every such task says so
    # (time_limit: a free drone could fly it), none claims the fleet is full.
    assert stranded, "the case must strand work without repair"
    reasons = {u.task_id: u.reason.value for u in without.unserved}
    assert {reasons[s.task_id] for s in stranded} == {"time_limit"}
    repaired = _verified(plan(scenario, PlanOptions(**OPTIONS)), scenario)
    assert stranded_tasks(repaired, scenario) == []
    assert repaired.summary.repaired_tasks > 0
    # Each stranded task fitted a free gap alone; together they need not all fit, but some must be flown.
    assert repaired.summary.served_tasks > without.summary.served_tasks
    assert {u.reason.value for u in repaired.unserved} <= {"no_capacity"}
    # Repair sorties join the drones' own numbering: S1, S2, ... in takeoff order.
    for drone in {s.drone_id for s in repaired.sorties}:
        flown = sorted((s for s in repaired.sorties if s.drone_id == drone), key=lambda s: s.takeoff)
        assert [s.sortie_id for s in flown] == [f"{drone}-S{k}" for k in range(1, len(flown) + 1)]
    assert any(g.round >= 1 for g in repaired.summary.groups)


@pytest.mark.slow
def test_a_group_that_finds_no_plan_is_repaired_by_its_neighbours_and_warns(monkeypatch):
    scenario = hotspot()
    real = group_solve.solve
    calls = Counter()

    def first_group_times_out(problem, params, *args, **kwargs):
        calls["n"] += 1
        return solver_timeout(problem, params) if calls["n"] == 1 else real(problem, params, *args, **kwargs)

    monkeypatch.setattr(group_solve, "solve", first_group_times_out)
    result = _verified(plan(scenario, PlanOptions(**OPTIONS)), scenario)
    first = [g for g in result.summary.groups if g.round == 0]
    assert [g.status for g in first] == ["no solution within the time limit", "feasible"]
    assert any(w.startswith("group-01 (2 hangars, 15 tasks): the solver found no plan within its") for w in result.warnings)
    assert stranded_tasks(result, scenario) == []
    # The failed group's tasks were flown by someone, or every drone within reach is busy (no_capacity).
    assert {u.reason.value for u in result.unserved} <= {"no_capacity"}
    assert result.summary.repaired_tasks >= 10


@pytest.mark.slow
def test_the_repair_pass_is_deterministic_for_a_seed_and_solution_limit():
    scenario = hotspot()
    first = plan(scenario, PlanOptions(**OPTIONS))
    second = plan(scenario, PlanOptions(**OPTIONS))
    assert comparable(first) == comparable(second)
    _verified(first, scenario)
