"""Transit arcs whose legal path bends out of a hangar's operating radius, closed to that hangar's sorties.

A detour round a zone near the edge of the radius can leave it (7,207 m of 7,000, found by the verifier)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.flight.costs import DIRECT_TOLERANCE_M, TransitCosts
from planner.problem.epochs import Epoch

EDGE_TOLERANCE_M = 1.0  # corners within this of the radius count as inside (projection round-off)


@dataclass
class RadiusGuard:
    """Checks bent legal paths against the operating discs of a group's hangars, caching each answer."""

    costs: TransitCosts
    projector: object  # airspace.projection.Projector
    centres: dict[str, np.ndarray]  # hangar id -> metric position
    radii: dict[str, float]
    site_hangar: dict[str, int]  # hangar id -> site index
    _leaves: dict[tuple[int, int, int, str], bool] = field(default_factory=dict)

    def leaves(self, i: int, j: int, epoch: Epoch, hangar_id: str) -> bool:
        """Does the legal path from site i to site j in this epoch leave the hangar's operating disc?"""
        key = (i, j, epoch.index, hangar_id)
        if key not in self._leaves:
            self._leaves[key] = self._check(i, j, epoch, hangar_id)
        return self._leaves[key]

    def _check(self, i: int, j: int, epoch: Epoch, hangar_id: str) -> bool:
        legal = self.costs.legal[epoch.index][i, j]
        if not np.isfinite(legal) or legal - self.costs.straight[i, j] <= DIRECT_TOLERANCE_M:
            return False
        centre, radius = self.centres[hangar_id], self.radii[hangar_id]
        # Any point of a path of length L from a to b lies within L/2 of their midpoint.
        middle = (self.costs.site.xy[i] + self.costs.site.xy[j]) / 2
        if np.hypot(*(middle - centre)) + legal / 2 <= radius:
            return False
        bends = self.costs.bends(i, j, epoch)
        if not len(bends):
            return False
        x, y = self.projector.forward(bends[:, 0], bends[:, 1])
        return bool(np.max(np.hypot(np.asarray(x) - centre[0], np.asarray(y) - centre[1])) > radius + EDGE_TOLERANCE_M)

    def closed_between(self, ends: np.ndarray, starts: np.ndarray, epoch: Epoch) -> np.ndarray:
        """Visit-to-visit arcs (end site of one, start site of the next) whose bent path leaves the disc of a
        hangar that holds both ends: closed to every sortie (a slot's hangar is not known per arc; rare)."""
        closed = np.zeros((len(ends), len(starts)), dtype=bool)
        legal = self.costs.legal[epoch.index][np.ix_(ends, starts)]
        bent = np.isfinite(legal) & (legal - self.costs.straight[np.ix_(ends, starts)] > DIRECT_TOLERANCE_M)
        if not bent.any():
            return closed
        xy = self.costs.site.xy
        for hangar_id, centre in self.centres.items():
            radius = self.radii[hangar_id]
            inside_end = np.hypot(*(xy[ends] - centre).T) <= radius
            inside_start = np.hypot(*(xy[starts] - centre).T) <= radius
            middle = (xy[ends][:, None, :] + xy[starts][None, :, :]) / 2
            maybe = bent & inside_end[:, None] & inside_start[None, :] & (
                np.hypot(middle[..., 0] - centre[0], middle[..., 1] - centre[1]) + legal / 2 > radius)
            for a, b in zip(*np.nonzero(maybe & ~closed)):
                closed[a, b] = self.leaves(int(ends[a]), int(starts[b]), epoch, hangar_id)
        return closed
