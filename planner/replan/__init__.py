"""Replanning the rest of a day when something changes: closures, wind, outages, failures, urgent targets.

`replan(scenario, plan, at, changes, options)` keeps what has flown, cuts short what a change makes illegal and
plans everything else again from each drone's real state; `load_changes` reads and checks a changes file.
"""
from planner.replan.changes import Changes, ChangesError, load_changes
from planner.replan.replan import ReplanResult, replan

__all__ = ["Changes", "ChangesError", "ReplanResult", "load_changes", "replan"]
