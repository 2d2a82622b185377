"""planner.problem.slots: each drone's sorties of the day in every epoch its hangar can launch in, and its budget.

Counts by hand: a slice of L seconds holds (L + recharge) // (shortest sortie + recharge) sorties, never more than
the drone's budget; the routing problem then lets at most the budget of them fly.
"""
from __future__ import annotations

from planner.problem.availability import DroneTime
from planner.problem.epochs import Epoch
from planner.problem.slots import (REPAIR_MIN_SORTIE_S, dock_interval_s, launchable_slots, slots_per_epoch,
                                   zone_over_hangar)
from tests.helpers.plan_factory import drone_model
from tests.helpers.problem_days import box, day, group, hangar, point

H = 3600


def test_each_epoch_gets_the_sorties_that_fit_there_up_to_the_whole_budget():
    # 3 h and 1 h, 10 min sorties, 30 min recharge: (10800 + 1800) // 2400 = 5 and (3600 + 1800) // 2400 = 2 fit;
    # a budget of 4 caps the first.
    assert slots_per_epoch([Epoch(0, 0, 3 * H), Epoch(1, 4 * H, 5 * H)], 4, 600, 1800) == [4, 2]
    # 100 and 20 min, 60 min recharge: (6000 + 3600) // 4200 = 2 and (1200 + 3600) // 4200 = 1 fit.
    assert slots_per_epoch([Epoch(0, 0, 6000), Epoch(1, 9000, 10_200)], 4, 600, 3600) == [2, 1]
    # One sortie left over two epochs: each epoch offers it (sharing it by length gave the second none).
    assert slots_per_epoch([Epoch(0, 0, H), Epoch(1, 2 * H, 3 * H)], 1, 600, 0) == [1, 1]
    assert slots_per_epoch([Epoch(0, 0, H)], 0, 600, 0) == [0]


def test_a_hangar_window_with_recharge_gives_each_drone_the_sorties_that_fit():
    # 10:00-13:00 is 10,800 s; 10 min sorties with 30 min recharge: (10800 + 1800) // 2400 = 5 fit, 4 allowed.
    scenario = day([point("P1", 2000)], hangars=[hangar(drones=2, recharge_min=30, window=("10:00", "13:00"))])
    prepared, _ = group(scenario, max_sorties_per_drone=4, min_sortie_min=10)
    launch = launchable_slots(prepared.ctx)
    assert launch.blocked_hangars == {}
    # The dock's two drones are staggered by dock_interval_s (30 s + 2 x 30 s + 3 x 30 s = 180 s with the default
    # deconfliction options): the first ends its day that much early, the second starts it that much late.
    assert dock_interval_s(prepared.ctx.options) == 180
    assert [(s.drone_id, s.epoch.start_s, s.epoch.end_s) for s in launch.slots] == (
        [("H1-1", 10 * H, 13 * H - 180)] * 4 + [("H1-2", 10 * H + 180, 13 * H)] * 4)
    # (10620 + 1800) // 2400 = 5 still fit each drone.
    prepared, _ = group(scenario, max_sorties_per_drone=9, min_sortie_min=10)
    assert len(launchable_slots(prepared.ctx).slots) == 2 * 5
    # 50 min sorties: (10800 + 1800) // (3000 + 1800) = 2 per drone.
    prepared, _ = group(scenario, max_sorties_per_drone=9, min_sortie_min=50)
    assert len(launchable_slots(prepared.ctx).slots) == 2 * 2


def test_a_morning_closure_over_the_hangar_moves_its_sorties_to_the_afternoon():
    over = box("TFR", -300, -300, 300, 300, active=[("08:00", "12:00")])
    scenario = day([point("P1", 2000)], zones=[over])
    prepared, _ = group(scenario, max_sorties_per_drone=3)
    ctx = prepared.ctx
    assert [(e.start_s, e.end_s) for e in ctx.epochs] == [(8 * H, 12 * H - 60), (12 * H + 60, 17 * H)]
    assert zone_over_hangar(scenario.hangars[0], ctx.epochs[0], scenario, ctx.transit_m) == "TFR"
    assert zone_over_hangar(scenario.hangars[0], ctx.epochs[1], scenario, ctx.transit_m) is None
    launch = launchable_slots(ctx)
    assert [s.epoch for s in launch.slots] == [ctx.epochs[1]] * 3  # the whole budget after the closure
    assert launch.blocked_hangars == {} and launch.budgets == {"H1-1": 3}


def test_a_zone_over_the_hangar_all_day_blocks_it_unless_it_is_above_the_climb():
    scenario = day([point("P1", 2000)], zones=[box("NFZ", -300, -300, 300, 300)])
    prepared, unserved = group(scenario)
    launch = launchable_slots(prepared.ctx)
    assert launch.slots == [] and launch.blocked_hangars == {"H1": "NFZ"}
    (lost,) = prepared.built.unserved
    assert (lost.reason.value, lost.detail) == ("blocked_by_airspace", "hangar H1 lies inside keep-out zone NFZ and "
                                                                       "cannot launch")
    # A floor at the 100 m transit height is not reached by a climb that stops there (floors are exclusive).
    high = day([point("P1", 2000)], zones=[box("HIGH", -300, -300, 300, 300, lower=100, upper=500)])
    prepared, _ = group(high)
    assert zone_over_hangar(high.hangars[0], prepared.ctx.epochs[0], high, 100.0) is None
    assert zone_over_hangar(high.hangars[0], prepared.ctx.epochs[0], high, 100.5) == "HIGH"


def test_a_grounded_model_has_no_slots():
    scenario = day([point("P1", 2000)], models=[drone_model(max_wind_ms=8)], wind=9.0)
    prepared, _ = group(scenario)
    assert launchable_slots(prepared.ctx).slots == []


def test_a_repair_pass_offers_only_free_spans_long_enough_and_the_sorties_left():
    scenario = day([point("P1", 2000)], hangars=[hangar(drones=2, recharge_min=30)])
    free = {"H1-1": DroneTime(((10 * H, 10 * H + 100), (11 * H, 11 * H + 3000), (15 * H, 16 * H)), 2)}
    prepared, _ = group(scenario, availability=free)
    assert REPAIR_MIN_SORTIE_S == 120
    # The 100 s gap is too short; (3000 + 1800) // (120 + 1800) = 2 and (3600 + 1800) // 1920 = 2 fit in the
    # others, each capped at the 2 sorties left, which the routing problem lets fly in all; H1-2 is not offered.
    launch = launchable_slots(prepared.ctx)
    assert [(s.drone_id, s.epoch.start_s, s.epoch.end_s) for s in launch.slots] == [
        ("H1-1", 11 * H, 11 * H + 3000)] * 2 + [("H1-1", 15 * H, 16 * H)] * 2
    assert launch.budgets == {"H1-1": 2}
    assert prepared.built.problem.chain_route_limits == {0: 2}
    spent = {"H1-1": DroneTime(((11 * H, 12 * H),), 0)}
    prepared, _ = group(scenario, availability=spent)
    assert launchable_slots(prepared.ctx).slots == []


def test_a_repair_pass_says_which_drone_is_through_its_sorties_and_which_has_no_free_time():
    # H1-1 has time left but no sorties; H1-2 sorties but no time: each is told by what stops it (before, a drone
    # through its sorties was not offered at all and read "has no free time", a false claim).
    scenario = day([point("P1", 2000)], hangars=[hangar(drones=2, recharge_min=30)])
    spent = {"H1-1": DroneTime(((11 * H, 12 * H),), 0), "H1-2": DroneTime((), 1)}
    prepared, _ = group(scenario, availability=spent, max_sorties_per_drone=1)
    (left,) = prepared.built.unserved
    assert left.reason.value == "no_capacity"
    window = prepared.ctx.window
    clock = [f"{int(s) // 3600:02d}:{int(s) % 3600 // 60:02d}" for s in window]
    assert left.detail == (f"no drone within reach can fly: H1-1 has flown its 1 sortie, the most a drone may fly; "
                           f"H1-2 has no free time {clock[0]}-{clock[1]}")
