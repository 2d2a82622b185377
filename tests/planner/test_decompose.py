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
from planner.fleet.reach import reach_table
from planner.problem.task_airspace import TaskWithEpochs
from missions.tasks import tasks_from_targets
from tests.helpers.determinism import comparable


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


def test_a_hangar_with_no_free_time_makes_its_group_no_candidate_for_the_tasks_it_reaches():
    # A replan: one hangar's drone is lost. Tasks that hangar alone of its group reaches go to another group with
    # free drone time within reach, not to its group for the free time of hangars that cannot reach them (they came
    # back no_capacity from there).
    scenario = synthetic_scenario(12, hangars=16, drones_per_hangar=1, line_km=60, points=10, zones=0, closures=0)
    projector = Projector.for_lonlat(scenario.hangars[0].lon, scenario.hangars[0].lat)
    tasks, _ = tasks_from_targets(scenario, max_leg_m=3000)
    items = [TaskWithEpochs(t, frozenset()) for t in tasks]
    window = (8 * 3600, 17 * 3600)
    reach = reach_table(tasks, list(scenario.hangars), projector)
    groups = partition(scenario, items, projector, max_hangars=4, window=window, transit_m=100.0)
    group_of = {h: g.name for g in groups for h in g.hangar_ids}
    ids = [h.id for h in scenario.hangars]

    def lonely(lost: str) -> set[str]:
        """Tasks within reach of `lost` and of a hangar of another group, and of no other hangar of its group."""
        found = set()
        for task, r in zip(tasks, reach):
            near = [ids[h] for h in r.hangars]
            mates = [h for h in near if group_of[h] == group_of[lost]]
            if mates == [lost] and any(group_of[h] != group_of[lost] for h in near):
                found.add(task.task_id)
        return found

    lost = max(ids, key=lambda h: len(lonely(h)))
    assert lonely(lost), "some hangar must share tasks with another group only"
    # Its group mates have the most free time of all: balancing by free time alone would send the tasks to them.
    spare = np.array([0.0 if h == lost else 36_000.0 if group_of[h] == group_of[lost] else 600.0 for h in ids])
    again = partition(scenario, items, projector, max_hangars=4, window=window, transit_m=100.0, spare_s=spare)
    owner = {t.task.task_id: g.name for g in again for t in g.tasks}
    assert sorted(owner) == sorted(t.task_id for t in tasks)
    assert all(owner[t] != group_of[lost] for t in lonely(lost))


@pytest.mark.slow
def test_grouped_plan_verifies_and_process_pool_matches_in_process():
    scenario = synthetic_scenario(13, hangars=8, drones_per_hangar=1, line_km=40, points=8, zones=1, closures=0)
    options = PlanOptions(time_limit_s=20, seed=3, solution_limit=20, max_group_hangars=3)
    local = plan(scenario, options)
    report = verify_plan(local, scenario)
    assert report.ok, [str(v) for v in report.violations]
    pooled = plan(scenario, options.model_copy(update={"workers": 2}))
    assert comparable(local, workers=True) == comparable(pooled, workers=True)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_plan_as_local():
    scenario = synthetic_scenario(14, hangars=6, drones_per_hangar=1, line_km=25, points=6, zones=1, closures=0)
    options = PlanOptions(time_limit_s=20, seed=1, solution_limit=15, max_group_hangars=3, workers=2)
    local = plan(scenario, options)
    distributed = plan(scenario, options.model_copy(update={"executor": "dask"}))
    assert verify_plan(distributed, scenario).ok
    assert comparable(local, executor=True) == comparable(distributed, executor=True)
    assert distributed.summary.sorties > 0


def test_progress_across_groups_ends_at_the_plan_objective():
    scenario = synthetic_scenario(15, hangars=4, drones_per_hangar=1, line_km=12, points=3, zones=0, closures=0)
    seen = []
    result = plan(scenario, PlanOptions(time_limit_s=4, max_group_hangars=2,
                                        progress=lambda objective, elapsed: seen.append(objective)))
    assert verify_plan(result, scenario).ok
    assert len(seen) >= 2
    assert seen[-1] == result.summary.objective


# ------------------------------------------------------------------------------------------------ national size
def _far_and_near(far_lines: int = 150):
    """One hangar at Wuhan with two near points, and many lines hundreds of kilometres away (a national layer)."""
    import datetime as dt

    from airspace.geometry import Geometry
    from airspace.windows import TimeWindow
    from airspace.zones import Restriction, Zone
    from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target

    far = [Target(id=f"FAR{k}", kind="river", altitude_m=80, geometry=Geometry(type="LineString", coordinates=[
        [100.0 + k * 0.1, 25.0], [100.05 + k * 0.1, 25.02], [100.1 + k * 0.1, 25.0]])) for k in range(far_lines)]
    near = [Target(id=f"N{k}", kind="point", altitude_m=50, hover_s=20,
                   geometry=Geometry(type="Point", coordinates=[114.40 + 0.01 * k, 30.51])) for k in range(2)]
    zone = lambda zid, lon, lat: Zone(id=zid, restriction=Restriction.PROHIBITED, geometry=Geometry(  # noqa: E731
        type="Polygon", coordinates=[[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01],
                                      [lon, lat]]]))
    return Scenario(
        name="national", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
        operating_window=TimeWindow(start="08:00", end="17:00"),
        drone_models=[DroneModel(id="m", cruise_speed_ms=15, inspection_speed_ms=8, endurance_min=45,
                                 max_wind_ms=12)],
        hangars=[Hangar(id="H1", lon=114.40, lat=30.50, drone_model="m", drones=1, operating_radius_m=6000,
                        recharge_min=30)],
        airspace=AirspaceSpec(zones=[zone("NEAR-Z", 114.43, 30.47), zone("FAR-Z", 116.0, 32.0)]),
        targets=far + near)


def test_tasks_beyond_every_radius_are_reported_before_any_group_sees_them():
    import pyproj

    scenario = _far_and_near()
    result = plan(scenario, PlanOptions(time_limit_s=3, seed=0, solution_limit=50))
    assert verify_plan(result, scenario).ok
    beyond = [u for u in result.unserved if u.reason.value == "out_of_reach"]
    assert {u.target_id for u in beyond} == {f"FAR{k}" for k in range(150)}
    # The group saw only the two near points: no matrix held the far lines.
    (group,) = [g for g in result.summary.groups if g.round == 0]
    assert group.tasks == 2 and result.summary.served_tasks == 2
    geod = pyproj.Geod(ellps="WGS84")
    for item in beyond[:20]:
        lons, lats = zip(*[(c[0], c[1]) for c in item.coordinates])
        dist = geod.inv([114.40] * len(lons), [30.50] * len(lats), lons, lats)[2]
        near_km, far_km = min(dist) / 1000, max(dist) / 1000
        far = next(f"{far_km:.{d}f}" for d in (1, 2, 3) if f"{far_km:.{d}f}" != f"{6.0:.{d}f}" or d == 3)
        near = next(f"{near_km:.{d}f}" for d in (1, 2, 3) if f"{near_km:.{d}f}" != f"{6.0:.{d}f}" or d == 3)
        expected = (f"{near}-{far} km" if far_km - near_km >= 0.05 else f"{far} km")
        assert item.detail == f"{expected} from the nearest hangar, H1: beyond its 6.0 km operating radius"


def test_a_group_sees_only_the_zones_that_can_touch_its_sorties_one_group_included():
    from planner.plan import prepare

    scenario = _far_and_near(far_lines=1)
    city, _ = prepare(scenario, PlanOptions())
    assert [z.id for z in city.group_scenario(("H1",)).zones()] == ["NEAR-Z"]  # FAR-Z is 250 km away
    assert city.group_scenario(("H1",)).targets == []  # a group's job carries no targets


def test_reach_agrees_with_geodesic_distances_far_from_the_projection_meridian():
    import pyproj

    from airspace.projection import Projector
    from missions.models import Hangar, InspectionTask
    from planner.fleet.reach import reach_table

    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(3)
    # Hangars 15 degrees of longitude off the projection's central meridian (scale ~1.03 there).
    projector = Projector.for_lonlat(114.0, 30.0)
    hangars = [Hangar(id=f"H{k}", lon=99.0 + 0.3 * k, lat=30.0, drone_model="m", drones=1,
                      operating_radius_m=8000, recharge_min=30) for k in range(5)]
    tasks = []
    for k in range(400):
        h = hangars[k % 5]
        lon, lat, _ = geod.fwd(h.lon, h.lat, float(rng.uniform(0, 360)), float(rng.uniform(0, 12_000)))
        tasks.append(InspectionTask(task_id=f"T{k}", target_id="T", kind="point", coordinates=[[lon, lat]],
                                    length_m=0, altitude_m=50, priority=3))
    table = reach_table(tasks, hangars, projector)
    checked = 0
    for task, reach in zip(tasks, table):
        lon, lat = task.coordinates[0]
        for i, h in enumerate(hangars):
            true = geod.inv(h.lon, h.lat, lon, lat)[2]
            if abs(true - h.operating_radius_m) < 10:  # projection round-off at the very edge
                continue
            checked += 1
            assert (i in reach.hangars) == (true <= h.operating_radius_m), (task.task_id, h.id, true)
            if i in reach.hangars:
                assert reach.farthest_m[reach.hangars.index(i)] == pytest.approx(true, rel=2e-3)
    assert checked > 1500
