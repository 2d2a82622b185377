"""What to fly: the scenario and plan models, loading, tasks from targets, verification and exports.

Uses `airspace`; never imports `planner`.
"""
from missions.loader import check_scenario, load_scenario
from missions.models import (
    DroneModel, Hangar, InspectionTask, MissionPlan, Scenario, Sortie, Target, UnservedReason, Waypoint,
)
from missions.plan_io import read_plan, write_plan
from missions.verify import verify_plan

__all__ = ["DroneModel", "Hangar", "InspectionTask", "MissionPlan", "Scenario", "Sortie", "Target",
           "UnservedReason", "Waypoint", "check_scenario", "load_scenario", "read_plan", "verify_plan", "write_plan"]
