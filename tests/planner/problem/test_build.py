"""planner.problem.build: a hangar group's RoutingProblem matches its scenario: depots, one vehicle per sortie slot
chained per drone, visit windows, the vehicles allowed per visit, penalties by priority.

Expected values by hand from the scenario: clock times, recharge minutes, model speeds, Geod distances.
"""
from __future__ import annotations

import math

import pytest

from missions.models import UnservedReason
from planner.problem.build import PRIORITY_WEIGHT, solo_round_trip
from planner.problem.objective import SORTIE_FIXED_COST_S
from planner.problem.matrices import UNREACHABLE
from tests.helpers.plan_factory import drone_model
from tests.helpers.problem_days import day, group, hangar, line, metres, point

H = 3600
SLOW = drone_model(id="slow", cruise_speed_ms=10, inspection_speed_ms=5, endurance_min=30, reserve_fraction=0.25)


def _two_hangars():
    """H1 (two M3D-like drones, 3 km, 30 min recharge, all day) and H2 7 km east (one slow drone, 2.5 km, 20 min,
    12:00-16:00); A and the line R only H1 reaches, B only H2, C (window 09:00-09:30) only H2, outside its hours."""
    return day(
        [point("A", 1500, hover=60, priority=5), point("B", 7000, 500, window=("13:00", "14:00")),
         line("R", (1000, 1000), (2000, 1000)), point("C", 7000, -500, window=("09:00", "09:30"))],
        hangars=[hangar("H1", radius=3000, drones=2), hangar("H2", 7000, model="slow", radius=2500,
                                                            recharge_min=20, window=("12:00", "16:00"))],
        models=[drone_model(), SLOW])


def test_vehicles_are_the_sortie_slots_of_each_drone_with_its_hangar_window_recharge_and_battery():
    prepared, _ = group(_two_hangars(), max_sorties_per_drone=2)
    built = prepared.built
    problem = built.problem
    assert built.depot_hangars == ["H1", "H2"] and problem.num_depots == 2
    assert [(s.drone_id, s.model_id) for s in built.slots] == [("H1-1", "m3d")] * 2 + [("H1-2", "m3d")] * 2 + [
        ("H2-1", "slow")] * 2
    got = [(v.depot, v.window, v.chain, v.recharge, v.fixed_cost, v.energy_capacity) for v in problem.vehicles]
    # H1's two drones are staggered by the 180 s dock interval (planner.problem.slots.dock_interval_s).
    assert got == [(0, (8 * H * 10, (17 * H - 180) * 10), 0, 30 * 60 * 10, 1200, 8_000_000)] * 2 + [
        (0, ((8 * H + 180) * 10, 17 * H * 10), 1, 30 * 60 * 10, 1200, 8_000_000)] * 2 + [
        (1, (12 * H * 10, 16 * H * 10), 2, 20 * 60 * 10, 1200, 7_500_000)] * 2
    assert SORTIE_FIXED_COST_S == 120
    # Two models, one epoch: two profiles, each a square matrix over 2 depots and the visits.
    assert [v.profile for v in problem.vehicles] == [0, 0, 0, 0, 1, 1]
    n = 2 + len(problem.visits)
    assert [m.shape for m in problem.time_matrices] == [(n, n)] * 2
    # A wait draws still-air hover power: a battery per 45 min (M3D) or 30 min (slow), per decisecond, rounded up.
    assert [v.idle_energy_rate for v in problem.vehicles] == [math.ceil(1e7 / (45 * 60) / 10)] * 4 + [
        math.ceil(1e7 / (30 * 60) / 10)] * 2


def test_visits_allow_only_the_slots_that_reach_them_and_carry_the_task_window():
    prepared, _ = group(_two_hangars(), max_sorties_per_drone=2)
    built = prepared.built
    by_task = {}
    for visit, info in zip(built.problem.visits, built.visits):
        assert built.tasks[visit.task].task_id == info.task_id
        by_task.setdefault(info.task_id.split("#")[0], []).append((info.reverse, visit.window, visit.allowed_vehicles))
    h1, h2 = (0, 1, 2, 3), (4, 5)
    assert by_task["A"] == [(False, None, h1)]
    assert by_task["R"] == [(False, None, h1), (True, None, h1)]  # a reversible line: either way
    # B at 50 m: the slow drone descends 50 m in 10 s and hovers 30 s, so it arrives over B from 12:59:50 and
    # by 13:59:20.
    assert by_task["B"] == [(False, ((13 * H - 10) * 10, (14 * H - 40) * 10), h2)]
    assert "C" not in by_task


def test_tasks_no_slot_can_fly_leave_with_their_reason_before_the_solver():
    prepared, _ = group(_two_hangars(), max_sorties_per_drone=2)
    built = prepared.built
    (lost,) = built.unserved
    assert (lost.task_id, lost.reason) == ("C#pt1", UnservedReason.WINDOW_IMPOSSIBLE)
    assert lost.detail == "its window 09:00-09:30 does not meet H2's flying time 12:00-16:00"
    assert [t.task_id for t in built.tasks] == ["A#pt1", "B#pt1", "R#1"]
    assert built.problem.num_tasks == 3


def test_penalties_are_the_cheapest_solo_sortie_weighted_by_priority():
    scenario = _two_hangars()
    prepared, _ = group(scenario, max_sorties_per_drone=2)
    built = prepared.built
    h1, h2 = scenario.hangars
    a = built.tasks[0].coordinates[0]
    b = built.tasks[1].coordinates[0]
    # A from H1: climb 100 m (20 s), out at 15 m/s, down 50 m (10 s), hover 60 s, up (10 s), back, land (20 s).
    solo_a = 20 + 2 * metres((h1.lon, h1.lat), a) / 15 + 10 + 60 + 10 + 20
    solo_b = 20 + 2 * metres((h2.lon, h2.lat), b) / 10 + 10 + 30 + 10 + 20
    assert PRIORITY_WEIGHT[5] == 100 and PRIORITY_WEIGHT[3] == 12
    penalty_a, penalty_b = built.problem.task_penalties[:2]
    assert penalty_a / 100 - 1200 == pytest.approx(solo_a * 10, abs=2)
    assert penalty_b / 12 - 1200 == pytest.approx(solo_b * 10, abs=2)
    seconds, slot = solo_round_trip(built, 1)
    assert seconds == pytest.approx(solo_b, abs=0.2) and (slot.hangar_id, slot.drone_id) == ("H2", "H2-1")


# ------------------------------------------------------------------------------------------------ cost
def test_the_cost_is_the_time_without_the_inspections():
    prepared, _ = group(_two_hangars(), max_sorties_per_drone=2)
    built = prepared.built
    problem = built.problem
    nd = problem.num_depots
    assert problem.cost_matrices is not None
    # A hovers 60 s; R's kilometre is inspected at 8 m/s (m3d): 125 s. Both only H1's m3d reaches (profile 0).
    inspection = {"A#pt1": 600, "R#1": 1250}
    time, cost = problem.time_matrices[0], problem.cost_matrices[0]
    assert (time[:nd] == cost[:nd]).all()  # out of a hangar: no inspection yet
    for i, info in enumerate(built.visits):
        if info.task_id in inspection:
            row = time[nd + i] - cost[nd + i]
            reachable = time[nd + i] < UNREACHABLE
            assert set(row[reachable]) <= {inspection[info.task_id] + d for d in (-1, 0, 1)}, info


def test_a_near_hangar_flies_a_line_a_quicker_inspecting_far_one_would_finish_sooner():
    from planner import PlanOptions, plan
    from tests.helpers.replan_days import verified

    # The 3 km line: from H1 (inspects at 5 m/s) 4,162 m out and back, 600 s inspecting; from H2 (12 m/s), 4,854 m
    # and 250 s. Flight time alone would send H2, 692 m further, to save 353 s of inspection.
    slow = drone_model(id="slow", inspection_speed_ms=5)
    quick = drone_model(id="quick", inspection_speed_ms=12)
    scenario = day([line("R", (0, 1000), (3000, 1000))],
                   hangars=[hangar("H1", 0, 0, model="slow"), hangar("H2", 0, 2500, model="quick")],
                   models=[slow, quick])
    result = verified(plan(scenario, PlanOptions(time_limit_s=10, seed=0, solution_limit=20)), scenario)
    (sortie,) = result.sorties
    assert sortie.hangar_id == "H1"
    assert sortie.distance_m == pytest.approx(1000 + 3000 + math.hypot(3000, 1000), abs=25)


def test_the_distance_objective_costs_the_horizontal_metres_outside_the_inspections():
    scenario = _two_hangars()
    built = group(scenario, max_sorties_per_drone=2, objective="distance")[0].built
    timed = group(scenario, max_sorties_per_drone=2)[0].built
    problem, nd = built.problem, built.problem.num_depots
    assert problem.cost_matrices is not None
    assert all((a == b).all() for a, b in zip(problem.time_matrices, timed.problem.time_matrices))  # the same clock
    assert {v.fixed_cost for v in problem.vehicles} == {0}  # take-off and landing fly no metres
    h1 = scenario.hangars[0]
    a, r_start, r_end = (1500, 0), (1000, 1000), (2000, 1000)
    a_ll = built.tasks[0].coordinates[0]
    (r_forward,) = [i for i, info in enumerate(built.visits) if info.task_id == "R#1" and not info.reverse]
    cost = problem.cost_matrices[0]  # decimetres, rounded up: out, and back from the far end of the line
    assert cost[0, nd] == pytest.approx(10 * metres((h1.lon, h1.lat), a_ll), rel=2e-3)
    assert cost[nd, 0] == pytest.approx(10 * metres((h1.lon, h1.lat), a_ll), rel=2e-3)
    assert cost[0, nd + r_forward] == pytest.approx(10 * math.hypot(*r_start), rel=2e-3)
    assert cost[nd + r_forward, 0] == pytest.approx(10 * math.hypot(*r_end), rel=2e-3)
    assert cost[nd, nd + r_forward] == pytest.approx(10 * math.hypot(r_start[0] - a[0], r_start[1]), rel=2e-3)
    # Leaving A undone costs the metres its solo sortie's seconds (and 120 s) take at the m3d's 15 m/s, times 100.
    penalty_time = timed.problem.task_penalties[0]
    assert built.problem.task_penalties[0] == pytest.approx(penalty_time * 15, abs=100)


def test_the_distance_objective_sends_a_slow_near_drone_where_flight_time_sends_a_fast_far_one():
    from planner import PlanOptions, plan
    from tests.helpers.replan_days import verified

    # The point: 1 km from H1 (cruises at 5 m/s: 2 km out and back, 400 s) and 1.5 km from H2 (15 m/s: 3 km, 200 s).
    scenario = day([point("P", 0, 1000)],
                   hangars=[hangar("H1", 0, 0, model="slow"), hangar("H2", 0, 2500, model="fast")],
                   models=[drone_model(id="slow", cruise_speed_ms=5), drone_model(id="fast")])
    chosen = {}
    for objective in ("flight_time", "distance"):
        result = verified(plan(scenario, PlanOptions(time_limit_s=10, seed=0, solution_limit=20,
                                                     objective=objective)), scenario)
        (sortie,) = result.sorties
        chosen[objective] = (sortie.hangar_id, round(sortie.distance_m))
        assert result.options["objective"] == objective
    assert chosen == {"flight_time": ("H2", pytest.approx(3000, abs=10)), "distance": ("H1", pytest.approx(2000, abs=10))}
    # The distance plan's objective is its metres flown, in decimetres (rounded up per arc).
    assert result.summary.objective == pytest.approx(10 * result.sorties[0].distance_m, abs=10)
