"""What to fly: the scenario and plan models, loading, tasks from targets, verification and exports.

Uses `airspace`; never imports `planner`.
"""
from missions.models import (
    DroneModel, Hangar, InspectionTask, MissionPlan, Scenario, Sortie, Target, UnservedReason, Waypoint,
)

__all__ = ["DroneModel", "Hangar", "InspectionTask", "MissionPlan", "Scenario", "Sortie", "Target",
           "UnservedReason", "Waypoint"]
