"""A failure-scenario instance of the MD-RPP-RRV benchmark (arXiv:2303.03481) as a lowalt day, replanned at each
vehicle failure in turn: every merged day verifies, and the orphaned work a drone still in service can fly is flown.
"""
from __future__ import annotations

import numpy as np
import pytest

from airspace.windows import clock_from_seconds
from planner import PlanOptions, plan, replan
from planner.replan import Changes
from planner.replan.changes import DroneFailure
from tests.helpers.mdrpp import (drone_ids, failure_clock_s, instance_paths, layout, load_instance,
                                 scenario_from_instance, shortest_paths, unit_m)
from tests.helpers.replan_days import verified

GDB = instance_paths("gdb")
pytestmark = pytest.mark.skipif(not GDB, reason="no MD-RPP-RRV gdb instance (shared folder or tests/data/mdrpp)")
OPTIONS = PlanOptions(time_limit_s=20, seed=0, solution_limit=100)


def test_an_instance_reads_with_its_depots_edges_and_failures():
    instance = load_instance(GDB[0])  # gdb.1
    assert (instance.name, instance.vertices, instance.capacity, instance.vehicles, instance.recharge) == \
        ("gdb.1", 11, 40.0, 5, 80.0)
    assert instance.depots == (1, 3, 7, 9, 11)
    assert len(instance.required) == 10 and len(instance.other) == 9
    assert instance.required[0] == (1, 7, 19.0)
    assert instance.failures == ((3, 13.0), (5, 27.0), (2, 21.0))


def test_the_layout_keeps_the_graph_distances_roughly_and_the_day_scales_them_to_the_drone():
    instance = load_instance(GDB[0])
    xy = layout(instance)
    dist = shortest_paths(instance)
    straight = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    upper = np.triu_indices(len(xy), 1)
    assert np.corrcoef(straight[upper], dist[upper])[0, 1] > 0.9
    scenario = scenario_from_instance(instance)
    assert [h.id for h in scenario.hangars] == ["D001", "D003", "D007", "D009", "D011"]
    assert drone_ids(instance) == ["D001-1", "D003-1", "D007-1", "D009-1", "D011-1"]
    assert unit_m(instance) == 450.0  # 40 units are half of 40 min usable at 15 m/s
    assert clock_from_seconds(failure_clock_s(instance, 13.0)) == "08:06:30"  # 13 x 450 m at 15 m/s after 08:00
    assert len(scenario.targets) == 10


def test_replanning_at_each_failure_keeps_every_merged_day_legal_and_recovers_the_orphaned_work():
    instance = load_instance(GDB[1])  # gdb.2: one failure
    scenario = scenario_from_instance(instance)
    current, merged = scenario, verified(plan(scenario, OPTIONS), scenario)
    ids = drone_ids(instance)
    orphaned = recoverable = recovered = 0
    for vehicle, units in sorted(instance.failures, key=lambda f: f[1]):
        at_s = failure_clock_s(instance, units)
        changes = Changes(failures=[DroneFailure(drone=ids[vehicle - 1], at=clock_from_seconds(at_s))])
        result = replan(current, merged, at_s, changes, OPTIONS)
        verified(result.plan, result.scenario)
        orphaned += result.diff.orphaned
        recoverable += result.diff.recoverable
        recovered += round((result.diff.recovered_share or 0) * result.diff.recoverable)
        current, merged = result.scenario, result.plan
    assert orphaned > 0 and recoverable > 0
    assert recovered / recoverable >= 0.95
