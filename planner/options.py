"""PlanOptions: the knobs of one planning run, validated, with defaults an operator can defend.

Scenario numbers (drones, hangars, batteries) never live here: they are profiles in the scenario.
"""
from __future__ import annotations

from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from missions.intent_models import DeconflictionOptions


class PlanOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(30.0, gt=0)
    seed: int = 0
    # What the plan minimises beyond the work itself: "flight_time" (flight time outside the inspections, what
    # batteries and airframe hours pay) or "distance" (metres flown outside the inspections, for fleets paid or
    # limited per kilometre). Either way the work left undone is charged by its priority penalty.
    objective: Literal["flight_time", "distance"] = "flight_time"
    solution_limit: int | None = Field(None, gt=0)  # deterministic search budget (see SolveParams)
    transit_altitude_m: float | None = Field(None, gt=0)  # default: min(100 m, airspace ceiling)
    max_leg_m: float | None = Field(None, gt=0)  # default: sized from the fleet's batteries
    max_sorties_per_drone: int = Field(4, ge=1)
    min_sortie_min: float = Field(10.0, gt=0)  # sizes the number of sortie slots per drone
    clearance_m: float = Field(20.0, ge=0)  # horizontal margin kept from every keep-out zone
    workers: int = Field(1, ge=1)  # processes solving hangar groups in parallel
    max_group_hangars: int = Field(12, ge=1)  # larger fleets are split into groups of nearby hangars
    repair_rounds: int = Field(4, ge=0)  # rounds placing undone tasks on free drones of any group (0: check only)
    executor: Literal["local", "dask"] = "local"
    scheduler_address: str | None = None  # dask executor: an existing scheduler; None starts a local cluster
    progress: Callable[[int, float], None] | None = Field(None, exclude=True)
    # Operational intents (buffers) and separation minima; recorded in the plan as plan.deconfliction.
    deconfliction: DeconflictionOptions = Field(default_factory=DeconflictionOptions)

    def summary(self) -> dict[str, str | int | float | bool | None]:
        """Options as recorded in the plan (no callables; deconfliction has its own typed field)."""
        return {k: v for k, v in self.model_dump(exclude={"progress", "deconfliction"}).items()}
