"""One plan's shared frame: the tasks with the hangars that reach them, epochs, projection, the zone index.

Built once by plan(); it cuts the scenario down to what one group of hangars needs and makes the group's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import shapely

from airspace.projection import Projector
from missions.models import Hangar, Scenario
from planner.fleet.group_solve import GroupJob
from planner.fleet.reach import Reach
from planner.fleet.zone_index import ZoneIndex
from planner.options import PlanOptions
from planner.problem.availability import DroneTime
from planner.problem.epochs import Epoch
from planner.problem.feasibility import grounded
from planner.problem.task_airspace import TaskWithEpochs

GROUP_ZONE_MARGIN_M = 3000.0  # zones this far beyond a group's reach still shape its detours


def reach_area(hangars: list[Hangar], projector: Projector) -> shapely.Geometry:
    """Metric area the hangars' sorties can touch: their operating discs plus a margin, as one hull."""
    if not hangars:
        return shapely.Polygon()
    discs = [projector.to_metric(shapely.Point(h.lon, h.lat)).buffer(h.operating_radius_m + GROUP_ZONE_MARGIN_M)
             for h in hangars]
    return shapely.unary_union(discs).convex_hull


@dataclass(frozen=True)
class City:
    scenario: Scenario
    options: PlanOptions
    window: tuple[int, int]
    transit_m: float
    epochs: list[Epoch]
    projector: Projector
    zones: ZoneIndex
    tasks: dict[str, TaskWithEpochs]  # flyable tasks (after the airspace split) by id
    reach: dict[str, Reach]  # task id -> hangars (indices into scenario.hangars) whose radius covers it

    @cached_property
    def hangar_index(self) -> dict[str, int]:
        return {h.id: i for i, h in enumerate(self.scenario.hangars)}

    def flying(self, hangar: Hangar) -> bool:
        """Has drones and its model is not grounded by the day's wind."""
        return hangar.drones > 0 and not grounded(self.scenario.drone_model(hangar.drone_model), self.scenario)

    def reach_area(self, hangars: list[Hangar]) -> shapely.Geometry:
        return reach_area(hangars, self.projector)

    def group_scenario(self, hangar_ids: tuple[str, ...]) -> Scenario:
        """The scenario as one group sees it: its hangars, the zones that can touch their sorties, no targets.

        Each group builds a legal-path graph per epoch; with every zone of a city (or a country) in it, that graph
        cost more than the solver (23 s of 54 s at 150 hangars; 6.5 GiB with the 1,179 Swiss zones in one group).
        Sorties never leave their hangars' radius, so zones beyond it plus a margin cannot touch them; the
        verifier still checks every zone.
        """
        hangars = [self.scenario.hangars[self.hangar_index[h]] for h in hangar_ids]
        zones = self.zones.near(self.reach_area(hangars), self.projector)
        airspace = self.scenario.airspace.model_copy(update={"zones": zones})
        return self.scenario.model_copy(update={"hangars": hangars, "airspace": airspace, "targets": []})

    def job(self, name: str, hangar_ids: tuple[str, ...], tasks: list[TaskWithEpochs],
            availability: Mapping[str, DroneTime] | None = None) -> GroupJob:
        """A group's job in its own metric projection (the UTM zone of its hangars): one projection for a country
        is kilometres off at the far end, one for a group of nearby hangars is exact to a few parts in 10,000."""
        scenario = self.group_scenario(hangar_ids)
        projector = Projector.for_geometry(shapely.MultiPoint([(h.lon, h.lat) for h in scenario.hangars]))
        return GroupJob(name=name, scenario=scenario, tasks=tasks, epochs=self.epochs, window=self.window,
                        transit_m=self.transit_m, projector=projector,
                        options=self.options.model_copy(update={"progress": None}), time_limit_s=0.0,
                        availability=availability)
