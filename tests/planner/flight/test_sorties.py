"""planner.flight.sorties: a solver route flown as a sortie: waypoints in order, each time from the model's speeds
(length / ground speed, climbs at 5 m/s), battery from the power curve, inspections on the clock.

Distances by pyproj.Geod; the group's UTM grid is within 0.04 % of it, hence the 0.2 s tolerances.
"""
from __future__ import annotations

import datetime as dt

import pytest

from missions.verify import verify_plan
from planner.fleet.group_solve import group_sorties
from planner.flight.sorties import build_sortie
from planner.routing.problem import SolveParams, seconds
from planner.routing.solver import solve
from tests.helpers.plan_factory import build_plan, drone_model
from tests.helpers.problem_days import day, group, line, metres, point

H = 3600
MODEL = drone_model()
CURVE = MODEL.power_curve


def _day(window=None, river: bool = True):
    targets = [point("P1", 2000, hover=30, window=window)] + ([line("R", (2000, 1000), (3000, 1000))] if river else [])
    return day(targets, models=[MODEL])


def _fly(scenario, route, takeoff_s):
    prepared, _ = group(scenario)
    ctx, built = prepared.ctx, prepared.built
    tasks = {t.target_id: t for t in built.tasks}
    visits = [(tasks[target], reverse) for target, reverse in route]
    h = scenario.hangars[0]
    sortie = build_sortie("H1-1-S1", "H1-1", h, ctx.flights["m3d"], ctx.epochs[0], takeoff_s, visits, scenario,
                          ctx.costs, ctx.projector, ctx.transit_m)
    report = verify_plan(build_plan(scenario, built.tasks, [sortie]), scenario)
    assert report.ok, report.violations
    return sortie, tasks, (h.lon, h.lat)


def test_a_route_is_flown_vertex_by_vertex_at_the_model_speeds():
    scenario = _day()
    sortie, tasks, home = _fly(scenario, [("P1", False), ("R", True)], 9 * H)
    p1 = tuple(tasks["P1"].coordinates[0])
    r_start, r_end = (tuple(c) for c in tasks["R"].coordinates)
    out, across, length, back = metres(home, p1), metres(p1, r_end), metres(r_end, r_start), metres(r_start, home)
    steps = [  # (lon, lat, alt, action, task, seconds since the previous vertex)
        (home, 0, "takeoff", None, 0), (home, 100, "transit", None, 20), (p1, 100, "transit", None, out / 15),
        (p1, 50, "hover", tasks["P1"].task_id, 10), (p1, 100, "transit", None, 30 + 10),
        (r_end, 100, "transit", None, across / 15), (r_end, 80, "inspect", tasks["R"].task_id, 4),
        (r_start, 80, "inspect", tasks["R"].task_id, length / 8), (r_start, 100, "transit", None, 4),
        (home, 100, "transit", None, back / 15), (home, 0, "land", None, 20)]
    assert len(sortie.waypoints) == len(steps)
    t = 0.0
    for w, (at, alt, action, task_id, dt_s) in zip(sortie.waypoints, steps):
        t += dt_s
        assert (w.lon, w.lat) == pytest.approx(at, abs=1e-9)
        assert (w.alt_m, w.action, w.task_id) == (alt, action, task_id)
        assert w.t_s == pytest.approx(t, abs=0.2)
    assert sortie.waypoints[3].hover_s == 30
    assert sortie.flight_time_s == pytest.approx(t, abs=0.2)
    assert sortie.distance_m == pytest.approx(out + across + length + back, abs=0.01)  # geodesic, not grid
    up, down = float(CURVE.power(0.0, 5.0)), float(CURVE.power(0.0, -5.0))
    energy = (20 * up + (out + across + back) / 15 * float(CURVE.level(15.0)) + 10 * down + 30 * CURVE.hover
              + 10 * up + 4 * down + length / 8 * float(CURVE.level(8.0)) + 4 * up + 20 * down)
    assert sortie.battery_used == pytest.approx(energy, rel=1e-3)
    takeoff = dt.datetime(2026, 11, 21, 9, 0, tzinfo=scenario.tz)
    assert sortie.takeoff == takeoff
    assert sortie.landing == takeoff + dt.timedelta(seconds=sortie.flight_time_s)
    assert sortie.tasks == [tasks["P1"].task_id, tasks["R"].task_id]
    point_, river = sortie.inspections
    assert (point_.first_index, point_.last_index, river.first_index, river.last_index) == (3, 3, 6, 7)
    assert (point_.end - point_.start).total_seconds() == pytest.approx(30.0, abs=1e-3)
    assert (river.end - river.start).total_seconds() == pytest.approx(length / 8, abs=0.2)
    assert river.coordinates == [[*r_end, 80.0], [*r_start, 80.0]]  # flown end to start


def test_a_drone_early_for_a_window_hovers_at_transit_height_until_it_opens():
    scenario = _day(window=("09:10", "10:00"), river=False)
    sortie, tasks, home = _fly(scenario, [("P1", False)], 9 * H)
    p1 = tuple(tasks["P1"].coordinates[0])
    arrive = 20 + metres(home, p1) / 15
    wait = 10 * 60 - (arrive + 10)  # descending 50 m takes 10 s: it reaches 50 m as the window opens
    hold = sortie.waypoints[3]
    assert ((hold.lon, hold.lat), hold.alt_m, hold.action) == (pytest.approx(p1), 100.0, "transit")
    assert hold.t_s == pytest.approx(arrive, abs=0.2) and hold.hover_s == pytest.approx(wait, abs=0.2)
    (inspection,) = sortie.inspections
    assert inspection.start == dt.datetime(2026, 11, 21, 9, 10, tzinfo=scenario.tz)


def test_the_solver_routes_become_sorties_within_the_solver_times():
    scenario = _day()
    prepared, _ = group(scenario)
    solution = solve(prepared.built.problem, SolveParams(time_limit_s=10, seed=0, solution_limit=2))
    sorties = group_sorties(prepared, solution)
    assert verify_plan(build_plan(scenario, prepared.built.tasks, sorties), scenario).ok
    flown = {v: route for v, route in enumerate(solution.routes) if route}
    assert len(sorties) == len(flown) >= 1
    by_takeoff = {scenario.seconds_after_midnight(s.takeoff): s for s in sorties}
    for v, route in flown.items():
        sortie = by_takeoff[seconds(solution.departures[v])]
        assert sortie.tasks == [prepared.built.visits[i].task_id for i in route]
        # Recomputed exactly here, never longer than the solver's rounded-up, worst-heading times.
        assert sortie.flight_time_s <= seconds(solution.arrivals[v] - solution.departures[v]) + 1e-6
