"""How to fly it: cost matrices, the OR-Tools routing core, plan() and the `lowalt` CLI.

The only package that imports ortools (in planner.routing).
"""
