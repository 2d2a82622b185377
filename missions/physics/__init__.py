"""Flight physics the planner and the verifier share as primitives: wind by height and heading, rotor power.

One rule in one place: both ask here what the wind is and what a flight condition draws; each measures its own
paths (the planner from its matrices and tracks, the verifier from a plan's waypoints) with its own code.
"""
from missions.physics.aircraft import AIRCRAFT_FIGURES, AircraftFigures
from missions.physics.power import PowerCurve, fit_power_curve
from missions.physics.wind import WindProfile, airspeed_needed, fastest_ground_speed, wind_vector

__all__ = ["AIRCRAFT_FIGURES", "AircraftFigures", "PowerCurve", "WindProfile", "airspeed_needed", "fastest_ground_speed",
           "fit_power_curve", "wind_vector"]
