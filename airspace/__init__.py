"""Where one may fly: zones, Beidou grid, ceiling, projections and legal flight paths.

Imports neither `missions` nor `planner`.
"""
from airspace.geometry import Geometry
from airspace.paths import LegalAirspace, LegalMatrix, LegalPath, PathViolation, check_path
from airspace.windows import TimeWindow
from airspace.rules import keep_out_zones
from airspace.zones import CHINA_CEILING_M, Restriction, Zone

__all__ = ["CHINA_CEILING_M", "Geometry", "LegalAirspace", "LegalMatrix", "LegalPath", "PathViolation",
           "Restriction", "TimeWindow", "Zone", "check_path", "keep_out_zones"]
