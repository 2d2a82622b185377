"""Decomposition: hangar groups, one owner per task, parallel and distributed executors agree with local.

The Dask test starts its own LocalCluster; the same seed and budget must give the same plan.
"""
from __future__ import annotations

import numpy as np
import pytest

from airspace.projection import Projector
from missions.synthetic import synthetic_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan
from planner.fleet.decompose import bisect_hangars, partition
from planner.problem.task_airspace import TaskWithEpochs
from missions.tasks import tasks_from_targets


def test_bisection_gives_balanced_groups_no_larger_than_asked():
    scenario = synthetic_scenario(11, hangars=30, drones_per_hangar=1, line_km=5, points=0, zones=0, closures=0)
    xy = np.array([[h.lon, h.lat] for h in scenario.hangars])
    groups = bisect_hangars(list(scenario.hangars), xy, max_size=8)
    assert sorted(i for g in groups for i in g) == list(range(30))
    assert all(4 <= len(g) <= 8 for g in groups)


def test_every_task_goes_to_exactly_one_group_that_can_reach_it():
    scenario = synthetic_scenario(12, hangars=16, drones_per_hangar=1, line_km=60, points=10, zones=0, closures=0)
    projector = Projector.for_lonlat(scenario.hangars[0].lon, scenario.hangars[0].lat)
    tasks, _ = tasks_from_targets(scenario, max_leg_m=3000)
    items = [TaskWithEpochs(t, frozenset()) for t in tasks]
    groups = partition(scenario, items, projector, max_hangars=4, window=(8 * 3600, 17 * 3600), transit_m=100.0)
    assert len(groups) == 4
    owners = [g.name for g in groups for _ in g.tasks]
    assert len(owners) == len(tasks)
    assert sorted(t.task.task_id for g in groups for t in g.tasks) == sorted(t.task_id for t in tasks)
    hangars = {h.id: h for h in scenario.hangars}
    for group in groups:
        for item in group.tasks:
            # The owning group has a hangar within reach of the task's start (when anyone has).
            lon, lat = item.task.coordinates[0][:2]
            x, y = projector.forward(lon, lat)
            dists = [np.hypot(*(np.array(projector.forward(hangars[h].lon, hangars[h].lat)) - (x, y)))
                     for h in group.hangar_ids]
            assert min(dists) <= max(h.operating_radius_m for h in scenario.hangars)


@pytest.mark.slow
def test_grouped_plan_verifies_and_process_pool_matches_in_process():
    scenario = synthetic_scenario(13, hangars=8, drones_per_hangar=1, line_km=40, points=8, zones=1, closures=0)
    options = PlanOptions(time_limit_s=20, seed=3, solution_limit=20, max_group_hangars=3)
    local = plan(scenario, options)
    report = verify_plan(local, scenario)
    assert report.ok, [str(v) for v in report.violations]
    pooled = plan(scenario, options.model_copy(update={"workers": 2}))
    strip = {"summary": {"solve_time_s"}, "options": {"workers"}}
    assert local.model_dump(exclude=strip) == pooled.model_dump(exclude=strip)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_plan_as_local():
    scenario = synthetic_scenario(14, hangars=6, drones_per_hangar=1, line_km=25, points=6, zones=1, closures=0)
    options = PlanOptions(time_limit_s=20, seed=1, solution_limit=15, max_group_hangars=3, workers=2)
    local = plan(scenario, options)
    distributed = plan(scenario, options.model_copy(update={"executor": "dask"}))
    assert verify_plan(distributed, scenario).ok
    strip = {"summary": {"solve_time_s"}, "options": {"executor"}}
    assert local.model_dump(exclude=strip) == distributed.model_dump(exclude=strip)
    assert distributed.summary.sorties > 0


def test_progress_across_groups_ends_at_the_plan_objective():
    scenario = synthetic_scenario(15, hangars=4, drones_per_hangar=1, line_km=12, points=3, zones=0, closures=0)
    seen = []
    result = plan(scenario, PlanOptions(time_limit_s=4, max_group_hangars=2,
                                        progress=lambda objective, elapsed: seen.append(objective)))
    assert verify_plan(result, scenario).ok
    assert len(seen) >= 2
    assert seen[-1] == result.summary.objective
