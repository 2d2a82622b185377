"""Zones in an STRtree (lon/lat, built once per plan): each group and each step sees only the zones near it.

A country's 1,179 zones cost one tree; a group's legal-path graph then holds the few dozen within its reach.
"""
from __future__ import annotations

import shapely

from airspace.projection import Projector
from airspace.zones import Zone

DENSIFY_M = 1000.0  # an area's edges are cut this fine before going back to lon/lat, so they keep their shape


class ZoneIndex:
    def __init__(self, zones: list[Zone]):
        self.zones = list(zones)
        self._tree = shapely.STRtree([z.geometry.shape for z in self.zones]) if self.zones else None

    def __len__(self) -> int:
        return len(self.zones)

    def near(self, area_metric: shapely.Geometry, projector: Projector) -> list[Zone]:
        """Zones meeting a metric area, in their original order."""
        if self._tree is None or area_metric.is_empty:
            return []
        area = projector.to_wgs84(shapely.segmentize(area_metric, DENSIFY_M))
        return [self.zones[i] for i in sorted(int(i) for i in self._tree.query(area, predicate="intersects"))]
