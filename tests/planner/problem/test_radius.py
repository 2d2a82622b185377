"""planner.problem.radius: a transit arc whose legal detour round a zone leaves the hangar's operating radius is
closed, though both its ends lie inside.

The day: H1 with a 2.9 km radius; points A and B 2.5 km east and 1 km south / north of it (2.69 km away); a
prohibited strip from 1 km to 2.9 km east, 200 m either side of the axis, between them. Going round its west end
is twice as long, so the legal path rounds its east end, beyond 2.9 km from H1.
"""
from __future__ import annotations

import numpy as np

from planner.problem.matrices import UNREACHABLE
from tests.helpers.problem_days import box, day, group, hangar, metres, point


def _day(radius: float):
    scenario = day([point("A", 2500, -1000), point("B", 2500, 1000)], zones=[box("Z", 1000, -200, 2900, 200)],
                   hangars=[hangar(radius=radius)])
    prepared, unserved = group(scenario)
    assert unserved == [] and prepared.built.unserved == []
    return scenario, prepared


def test_a_detour_that_leaves_the_radius_closes_the_arc_between_the_two_points():
    scenario, prepared = _day(2900.0)
    ctx, built = prepared.ctx, prepared.built
    h = scenario.hangars[0]
    a, b = (t.coordinates[0] for t in built.tasks)
    assert metres((h.lon, h.lat), a) < 2900 and metres((h.lon, h.lat), b) < 2900
    i, j = ctx.site.task_start["A#pt1"], ctx.site.task_start["B#pt1"]
    epoch = ctx.epochs[0]
    corners = ctx.costs.bends(i, j, epoch)
    assert len(corners) >= 2
    assert max(metres((h.lon, h.lat), c) for c in corners) > 2900  # measured on the ellipsoid, not in the grid
    assert ctx.radius_guard.leaves(i, j, epoch, "H1") and ctx.radius_guard.leaves(j, i, epoch, "H1")
    closed = ctx.radius_guard.closed_between(np.array([i, j]), np.array([i, j]), epoch)
    assert closed.tolist() == [[False, True], [True, False]]
    (time,) = built.problem.time_matrices
    assert time[1, 2] == UNREACHABLE and time[2, 1] == UNREACHABLE
    # The straight legs from and to the hangar stay open: neither bends.
    assert not ctx.radius_guard.leaves(0, i, epoch, "H1") and not ctx.radius_guard.leaves(j, 0, epoch, "H1")
    assert time[0, 1] < UNREACHABLE and time[2, 0] < UNREACHABLE


def test_with_a_radius_that_holds_the_detour_the_arc_stays_open():
    scenario, prepared = _day(3500.0)
    ctx, built = prepared.ctx, prepared.built
    h = scenario.hangars[0]
    i, j = ctx.site.task_start["A#pt1"], ctx.site.task_start["B#pt1"]
    corners = ctx.costs.bends(i, j, ctx.epochs[0])
    assert max(metres((h.lon, h.lat), c) for c in corners) < 3500
    assert not ctx.radius_guard.leaves(i, j, ctx.epochs[0], "H1")
    (time,) = built.problem.time_matrices
    assert time[1, 2] < UNREACHABLE and time[2, 1] < UNREACHABLE
