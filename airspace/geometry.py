"""GeoJSON geometry as a validated pydantic model, with its shapely shape.

Validation names the broken part (empty, out of range, self-intersecting) so loaders can add file and feature.
"""
from __future__ import annotations

import math
from functools import cached_property
from typing import Any, Literal

import shapely
from shapely.geometry import shape as shapely_shape
from shapely.validation import explain_validity
from pydantic import BaseModel, ConfigDict, model_validator

GeometryType = Literal["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]


def _iter_positions(coords: Any):
    """Yield every [x, y(, z)] position in nested GeoJSON coordinates."""
    if isinstance(coords, (list, tuple)) and coords and all(isinstance(c, (int, float)) for c in coords):
        yield coords
        return
    if isinstance(coords, (list, tuple)):
        for item in coords:
            yield from _iter_positions(item)
        return
    raise ValueError(f"coordinates hold {type(coords).__name__} where a list of numbers was expected")


class Geometry(BaseModel):
    """A GeoJSON geometry in WGS84 `[lon, lat(, alt)]`, checked for range, emptiness and validity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: GeometryType
    coordinates: list[Any]

    @model_validator(mode="wrap")
    @classmethod
    def _checked(cls, data: Any, handler) -> "Geometry":
        # A Geometry passed into another model (a Zone, a Target) was checked when it was built: pydantic would
        # run an "after" check again, which costs as much as building it (1,179 zones read twice as slow).
        if isinstance(data, cls):
            return data
        return handler(data)._check()

    def _check(self) -> "Geometry":
        positions = list(_iter_positions(self.coordinates))
        if not positions:
            raise ValueError(f"{self.type} has no coordinates (empty geometry)")
        for pos in positions:
            if len(pos) < 2 or len(pos) > 3:
                raise ValueError(f"position {pos} must be [lon, lat] or [lon, lat, alt]")
            # An integer beyond float range raises OverflowError here; the readers turn it into an error
            # naming file, feature and geometry.coordinates.
            finite = all(math.isfinite(float(v)) for v in pos)
            if not finite:
                raise ValueError(f"position {pos} holds a non-finite number")
            lon, lat = float(pos[0]), float(pos[1])
            if not -180.0 <= lon <= 180.0 or not -90.0 <= lat <= 90.0:
                raise ValueError(f"position {pos} is out of range (lon -180..180, lat -90..90)")
        try:
            geom = shapely_shape(self.model_dump())
        except Exception as exc:  # shapely raises several types for malformed nesting
            raise ValueError(f"{self.type} coordinates are malformed: {exc}") from None
        if geom.is_empty:
            raise ValueError(f"{self.type} is empty")
        if not geom.is_valid:
            raise ValueError(f"{self.type} is invalid: {explain_validity(geom)}")
        return self

    @cached_property
    def shape(self) -> shapely.Geometry:
        """The shapely geometry (lon, lat), built once."""
        return shapely_shape(self.model_dump())

    @classmethod
    def from_shape(cls, geom: shapely.Geometry) -> "Geometry":
        mapping = shapely.geometry.mapping(geom)
        return cls(type=mapping["type"], coordinates=_listify(mapping["coordinates"]))


def _listify(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and all(isinstance(c, (int, float)) for c in coords):
            return [float(c) for c in coords]
        return [_listify(c) for c in coords]
    return coords
