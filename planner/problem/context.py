"""ProblemContext: everything one hangar group's routing problem is built from, frozen in one object.

Replaces long positional parameter lists: slots, feasibility, matrices and the build all read from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np

from airspace.projection import Projector
from missions.models import DroneModel, Scenario
from planner.flight.costs import Site, TransitCosts
from planner.flight.energy import FlightEnergy, grid_north_deg
from planner.options import PlanOptions
from planner.problem.epochs import Epoch
from planner.problem.radius import RadiusGuard
from planner.problem.availability import DroneTime
from planner.problem.task_airspace import TaskWithEpochs


@dataclass(frozen=True)
class ProblemContext:
    scenario: Scenario  # the group's scenario: its hangars, the zones near them
    tasks: list[TaskWithEpochs]
    epochs: list[Epoch]
    window: tuple[int, int]  # operating window, seconds after local midnight
    site: Site
    costs: TransitCosts
    projector: Projector
    options: PlanOptions
    transit_m: float  # transit altitude above ground
    availability: Mapping[str, DroneTime] | None = None  # repair pass: each offered drone's free time; None: all day

    @cached_property
    def models(self) -> dict[str, DroneModel]:
        return {m.id: m for m in self.scenario.drone_models}

    @cached_property
    def flights(self) -> dict[str, FlightEnergy]:
        """Each drone model in the day's wind: ground speeds, times and energies of its legs."""
        hangars = self.scenario.hangars
        centre = (float(np.mean([h.lon for h in hangars])), float(np.mean([h.lat for h in hangars]))) if hangars \
            else (0.0, 0.0)
        north = grid_north_deg(self.projector, *centre) if hangars else 0.0
        return {m.id: FlightEnergy.of(m, self.scenario.weather, north) for m in self.scenario.drone_models}

    @cached_property
    def radius_guard(self) -> RadiusGuard:
        """Legal paths that bend out of a hangar's operating radius (checked once per arc and hangar)."""
        hangars = self.scenario.hangars
        return RadiusGuard(self.costs, self.projector, self.hangar_xy, {h.id: h.operating_radius_m for h in hangars},
                           {h.id: self.site.hangar_index[h.id] for h in hangars})

    @cached_property
    def hangar_xy(self) -> dict[str, np.ndarray]:
        """Metric position of every hangar of the group."""
        return {h.id: self.site.xy[self.site.hangar_index[h.id]] for h in self.scenario.hangars}
