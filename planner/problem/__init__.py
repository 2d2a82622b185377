"""A drone day as a routing problem: sortie slots, feasibility with reasons, time matrices, the build.

Epochs and the airspace split of tasks live here too: they decide which slot may fly what.
"""
