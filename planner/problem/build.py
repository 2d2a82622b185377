"""Build a hangar group's RoutingProblem: feasible slots per task, visits, matrices, vehicles, penalties.

Tasks no slot could ever fly leave here as unserved with their reason, before the solver sees anything.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from missions.models import InspectionTask, UnservedReason, UnservedTask
from planner.flight.costs import service_cost
from planner.problem.context import ProblemContext
from planner.problem.feasibility import Reason, explain, farthest_from_hangars, round_trip_reason, slot_reason, unserved
from planner.problem.matrices import (
    ENERGY_UNITS_PER_BATTERY, UNREACHABLE, ServiceTable, VisitInfo, arc_matrices, energy_units_down, units_down,
    units_up, visit_window,
)
from planner.problem.objective import SORTIE_FIXED_COST_S, from_time_units, sortie_fixed_cost
from planner.problem.slots import SlotInfo, launchable_slots
from planner.problem.task_airspace import TaskWithEpochs
from planner.routing import TIME_UNITS_PER_S, RoutingProblem, Vehicle, Visit

logger = logging.getLogger(__name__)

# Penalty per second of work left undone, by priority: a priority-5 task is worth 50x a priority-1 one,
# so when the day is full the solver drops low priorities first.
PRIORITY_WEIGHT = {1: 2, 2: 5, 3: 12, 4: 30, 5: 100}
# An urgent task (Target.urgent) outranks every priority: leaving it undone costs 100x what a priority-5 task of
# its size costs, so the search drops a drone's other work before it.
URGENT_WEIGHT = 100 * PRIORITY_WEIGHT[5]


@dataclass
class BuiltProblem:
    problem: RoutingProblem
    tasks: list[InspectionTask]  # index = RoutingProblem task index
    visits: list[VisitInfo]
    slots: list[SlotInfo]
    depot_hangars: list[str]
    unserved: list[UnservedTask] = field(default_factory=list)


def build_problem(ctx: ProblemContext) -> BuiltProblem:
    scenario = ctx.scenario
    launchable = launchable_slots(ctx)
    candidate_slots = launchable.slots
    group_hangars = sorted({slot.hangar_id for slot in candidate_slots})
    slot_groups: dict[tuple, list[int]] = {}
    for s, slot in enumerate(candidate_slots):
        slot_groups.setdefault((slot.hangar_id, slot.epoch), []).append(s)

    # Per task: which slots can fly it (and in which direction), or why none can.
    feasible: dict[tuple[int, bool], set[int]] = {}
    services: ServiceTable = {}
    unserved_tasks: list[UnservedTask] = []
    kept: list[TaskWithEpochs] = []
    for item in ctx.tasks:
        task = item.task
        directions = [False, True] if task.reversible and len(task.coordinates) > 1 else [False]
        for flight in ctx.flights.values():
            for reverse in directions:
                services[(task.task_id, flight.model.id, reverse)] = service_cost(
                    task, flight, reverse, ctx.transit_m, ctx.projector)
        slot_sets: dict[bool, set[int]] = {rev: set() for rev in directions}
        reasons: list[Reason] = []
        # Slots of one hangar in one epoch are interchangeable: judge each group once, nearest hangar first.
        start_xy = ctx.site.xy[ctx.site.task_start[task.task_id]]
        farthest = farthest_from_hangars(task, ctx.projector, group_hangars, ctx.hangar_xy)
        for (hangar_id, epoch), members in sorted(
                slot_groups.items(), key=lambda kv: float(np.hypot(*(ctx.hangar_xy[kv[0][0]] - start_xy)))):
            slot = candidate_slots[members[0]]
            reason = slot_reason(task, item, epoch.index, epoch.start_s, epoch.end_s, scenario.hangar(hangar_id),
                                 farthest[hangar_id])
            for reverse in directions:
                if reason is not None:
                    reasons.append(reason)
                    continue
                flight = ctx.flights[slot.model_id]
                reason_dir = round_trip_reason(ctx, task, hangar_id, flight, epoch, reverse,
                                               services[(task.task_id, slot.model_id, reverse)])
                if reason_dir is None:
                    slot_sets[reverse].update(members)
                else:
                    reasons.append(reason_dir)
        if any(slot_sets.values()):
            kept.append(item)
            for reverse, slot_set in slot_sets.items():
                feasible[(len(kept) - 1, reverse)] = slot_set
        else:
            unserved_tasks.append(explain(ctx, task, reasons, launchable.blocked_hangars))

    # Keep only slots that can serve something; renumber.
    used_slots = sorted({s for slots in feasible.values() for s in slots})
    renumber = {old: new for new, old in enumerate(used_slots)}
    slots = [candidate_slots[s] for s in used_slots]
    depot_hangars = sorted({slot.hangar_id for slot in slots}, key=[h.id for h in scenario.hangars].index)
    depot_of = {h: i for i, h in enumerate(depot_hangars)}

    visits: list[Visit] = []
    visit_info: list[VisitInfo] = []
    task_list = [item.task for item in kept]
    for t, item in enumerate(kept):
        for reverse in ([False, True] if (t, True) in feasible else [False]):
            allowed = tuple(sorted(renumber[s] for s in feasible[(t, reverse)]))
            if not allowed:
                continue
            flying_models = {slots[renumber[s]].model_id for s in feasible[(t, reverse)]}
            window = visit_window(item.task, flying_models, services, reverse)
            if window is not None and window[0] > window[1]:
                continue
            visits.append(Visit(task=t, window=window, allowed_vehicles=allowed))
            visit_info.append(VisitInfo(item.task.task_id, reverse))

    served_tasks = {visit.task for visit in visits}
    if len(served_tasks) < len(task_list):
        # A window too short for the inspection itself: drop the task with its reason and renumber the rest.
        for t, task in enumerate(task_list):
            if t not in served_tasks:
                inspect_s = max(s.inspect_s for (task_id, _, _), s in services.items() if task_id == task.task_id)
                window = task.window
                unserved_tasks.append(unserved(task, UnservedReason.WINDOW_IMPOSSIBLE,
                                               f"its window {window.start}-{window.end} lasts "
                                               f"{(window.end_s - window.start_s) / 60:.1f} min, shorter than the "
                                               f"{inspect_s / 60:.1f} min the inspection takes"))
        new_index = {old: new for new, old in enumerate(sorted(served_tasks))}
        task_list = [task_list[t] for t in sorted(served_tasks)]
        visits = [Visit(task=new_index[v.task], window=v.window, demand=v.demand, allowed_vehicles=v.allowed_vehicles)
                  for v in visits]

    profiles: dict[tuple[str, int], int] = {}
    for slot in slots:
        profiles.setdefault((slot.model_id, slot.epoch.index), len(profiles))
    epochs = {e.index: e for e in ctx.epochs}
    arcs = [arc_matrices(ctx, ctx.flights[model_id], epochs[epoch_index], depot_hangars, visit_info, task_list,
                         services)
            for (model_id, epoch_index) in profiles]
    matrices = [arc.time for arc in arcs]
    idle = {m: _idle_rate(ctx, m, task_list) for m in {slot.model_id for slot in slots}}

    chains = {drone: i for i, drone in enumerate(dict.fromkeys(slot.drone_id for slot in slots))}
    vehicles = [
        Vehicle(
            depot=depot_of[slot.hangar_id],
            profile=profiles[(slot.model_id, slot.epoch.index)],
            window=(units_up(slot.epoch.start_s), units_down(slot.epoch.end_s)),
            chain=chains[slot.drone_id],
            recharge=units_up(scenario.hangar(slot.hangar_id).recharge_min * 60.0),
            fixed_cost=sortie_fixed_cost(ctx.options.objective),
            energy_capacity=energy_units_down(ctx.flights[slot.model_id].usable),
            idle_energy_rate=idle[slot.model_id],
        )
        for slot in slots
    ]
    penalties = _penalties(ctx, task_list, visits, vehicles, matrices, depot_of, slots)
    # A drone flies at most its sortie budget of its slots, in whichever epochs the tasks need.
    limits = {chain: launchable.budgets[drone] for drone, chain in chains.items()}
    problem = RoutingProblem(num_depots=len(depot_hangars), visits=visits, time_matrices=matrices, vehicles=vehicles,
                             task_penalties=penalties, cost_matrices=[arc.cost for arc in arcs],
                             energy_matrices=[arc.energy for arc in arcs],
                             unreachable=UNREACHABLE, chain_route_limits=limits)
    logger.info("routing problem: %d depots, %d tasks, %d visits, %d sortie slots, %d profiles",
                len(depot_hangars), len(task_list), len(visits), len(vehicles), len(matrices))
    return BuiltProblem(problem, task_list, visit_info, slots, depot_hangars, unserved_tasks)


def _idle_rate(ctx: ProblemContext, model_id: str, tasks: list[InspectionTask]) -> int:
    """Energy units per time unit a wait in the air may draw: drones wait at transit height or, between legs of
    one line, at the task's height; the highest station power there (at least still-air hover), rounded up."""
    heights = {ctx.transit_m} | {task.altitude_m for task in tasks}
    per_s = ctx.flights[model_id].idle_bound(sorted(heights))
    return int(np.ceil(per_s * ENERGY_UNITS_PER_BATTERY / TIME_UNITS_PER_S - 1e-9))


def _penalties(ctx: ProblemContext, tasks, visits, vehicles, matrices, depot_of, slots) -> list[int | None]:
    """Cost of leaving a task undone: the cheapest sortie that serves it alone (its round trip, inspection included,
    and 120 s), weighted by priority, so a drone with the time always flies it rather than leave it (flying it costs
    at most that round trip without the inspection), in the objective's units (`from_time_units`)."""
    penalties: list[int | None] = []
    for t, task in enumerate(tasks):
        units, veh = cheapest_solo(t, visits, vehicles, matrices, depot_of, slots)
        value = from_time_units(ctx.options.objective, units + units_up(SORTIE_FIXED_COST_S),
                                ctx.flights[slots[veh].model_id].model.cruise_speed_ms)
        weight = URGENT_WEIGHT if task.urgent else PRIORITY_WEIGHT[task.priority]
        penalties.append(max(1, value) * weight)
    return penalties


def cheapest_solo(t: int, visits, vehicles, matrices, depot_of, slots) -> tuple[int, int]:
    """(solver units, vehicle) of the cheapest round trip that serves task t alone: out, service, back."""
    num_depots = len(depot_of)
    return min(
        (int(matrices[vehicles[veh].profile][depot_of[slots[veh].hangar_id], num_depots + v])
         + int(matrices[vehicles[veh].profile][num_depots + v, depot_of[slots[veh].hangar_id]]), veh)
        for v in range(len(visits)) if visits[v].task == t for veh in visits[v].allowed_vehicles
    )


def solo_round_trip(built: BuiltProblem, t: int) -> tuple[float, SlotInfo]:
    """Seconds of the cheapest sortie flying task t alone, and a slot that flies it so."""
    depot_of = {h: i for i, h in enumerate(built.depot_hangars)}
    units, veh = cheapest_solo(t, built.problem.visits, built.problem.vehicles, built.problem.time_matrices,
                               depot_of, built.slots)
    return units / TIME_UNITS_PER_S, built.slots[veh]
