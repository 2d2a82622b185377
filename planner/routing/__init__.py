"""The generic routing core: multi-depot, multi-trip vehicle routing over plain integer matrices.

Knows nothing of the planner's aircraft or geometry; the only package in lowalt that imports ortools (in `solver`).
"""
from planner.routing.problem import (
    TIME_UNITS_PER_S, RoutingProblem, RoutingSolution, SolveParams, Vehicle, Visit, seconds,
)
from planner.routing.search import compile_search
from planner.routing.solver import solution_cost, solve

__all__ = ["TIME_UNITS_PER_S", "RoutingProblem", "RoutingSolution", "SolveParams", "Vehicle", "Visit", "seconds",
           "compile_search", "solution_cost", "solve"]
