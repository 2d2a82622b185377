"""How to fly it: cost matrices, the OR-Tools routing core, plan() and the `lowalt` CLI.

The only package that imports ortools (in planner.routing).
"""
from planner.options import PlanOptions
from planner.plan import plan
from planner.replan import replan

__all__ = ["PlanOptions", "plan", "replan"]
