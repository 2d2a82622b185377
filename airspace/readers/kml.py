"""KML (and the KML inside a KMZ): one streaming parser for zones and targets, with the XML guards in one place.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Iterator

from airspace.errors import InputError

_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"<\?xml[^>]*encoding\s*=\s*['\"]([^'\"]+)['\"]", re.IGNORECASE)
GEOMETRY_TAGS = ("Point", "LineString", "LinearRing", "Polygon")


@dataclass
class KmlGeometry:
    """One simple geometry of a placemark, GeoJSON-shaped, positions as [lon, lat] or [lon, lat, alt]."""

    type: str  # Point, LineString or Polygon
    coordinates: list
    altitude_mode: str = "clampToGround"
    extrude: bool = False

    def flat(self) -> Any:
        """The coordinates without heights."""
        if self.type == "Point":
            return self.coordinates[:2]
        if self.type == "LineString":
            return [p[:2] for p in self.coordinates]
        return [[p[:2] for p in ring] for ring in self.coordinates]


@dataclass
class Placemark:
    index: int
    id: str | None
    name: str | None
    description: str | None
    data: dict[str, str] = field(default_factory=dict)  # ExtendedData Data/value and SimpleData, stripped
    geometries: list[KmlGeometry] = field(default_factory=list)

    @property
    def label(self) -> str:
        ident = self.data.get("id") or self.id or self.name
        return f"{self.index} ({ident})" if ident else str(self.index)


def placemarks(data: bytes, file: str) -> Iterator[Placemark]:
    """Every Placemark of a KML document, in document order (Folders and Documents at any depth).

    A DOCTYPE or ENTITY declaration is refused before parsing (entity expansion, external files); a declared
    encoding Python does not know is an error, not an empty file. Placemarks are handed over one at a time and
    then freed, so a 13 MB national export stays small in memory. Heights and altitudeMode are kept: a zone reader
    turns an extruded prism into its footprint and altitude band.
    """
    if _ENTITY.search(data):
        raise InputError("KML with a DOCTYPE or ENTITY declaration is refused (XML entity expansion risk)", file=file)
    declared = _DECLARED.search(data[:512])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            "".encode(name)
        except LookupError:
            raise InputError(f"malformed KML: it declares encoding {name!r}, which is not a known text encoding",
                             file=file) from None
    index = 0
    root_seen = False
    try:
        for event, element in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            tag = local(element.tag)
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if tag != "kml":
                        raise InputError(f"root element is <{tag}>, not <kml>", file=file)
                continue
            if tag == "Placemark":
                yield _placemark(element, index, file)
                index += 1
                element.clear()  # free what was read: the document is never held whole
    except InputError:
        raise
    except ET.ParseError as exc:
        raise InputError(f"malformed KML: not well-formed XML ({exc})", file=file) from None
    except (LookupError, ValueError) as exc:  # an encoding expat cannot decode
        raise InputError(f"malformed KML: {exc}", file=file) from None


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _placemark(element: ET.Element, index: int, file: str) -> Placemark:
    mark = Placemark(index, element.get("id"), _text(_child(element, "name")),
                     _text(_child(element, "description")))
    for extended in (c for c in element if local(c.tag) == "ExtendedData"):
        for node in extended.iter():
            tag = local(node.tag)
            if tag == "Data" and node.get("name"):
                value = _child(node, "value")
                mark.data[node.get("name")] = ((value.text if value is not None else "") or "").strip()
            elif tag == "SimpleData" and node.get("name"):
                mark.data[node.get("name")] = (node.text or "").strip()
    _geometries(element, mark, file, inherited_mode=None)
    return mark


def _mode(element: ET.Element, inherited: str | None) -> str | None:
    for child in element:
        if local(child.tag) == "altitudeMode":  # gx:altitudeMode shares the local name
            return (child.text or "").strip() or inherited
    return inherited


def _geometries(element: ET.Element, mark: Placemark, file: str, inherited_mode: str | None) -> None:
    for child in element:
        tag = local(child.tag)
        if tag == "MultiGeometry":
            _geometries(child, mark, file, _mode(child, inherited_mode))
        elif tag in GEOMETRY_TAGS:
            mode = _mode(child, inherited_mode) or "clampToGround"
            extrude = (_text(_child(child, "extrude")) or "0") in ("1", "true")
            if tag == "Point":
                coords = _coordinates(_child(child, "coordinates"), file, mark.label)
                if coords:
                    mark.geometries.append(KmlGeometry("Point", coords[0], mode, extrude))
            elif tag in ("LineString", "LinearRing"):
                coords = _coordinates(_child(child, "coordinates"), file, mark.label)
                mark.geometries.append(KmlGeometry("LineString", coords, mode, extrude))
            else:
                mark.geometries.append(KmlGeometry("Polygon", _rings(child, file, mark.label), mode, extrude))


def _rings(polygon: ET.Element, file: str, label: str) -> list[list[list[float]]]:
    outer: list = []
    inner: list = []
    for boundary in polygon:
        tag = local(boundary.tag)
        if tag not in ("outerBoundaryIs", "innerBoundaryIs"):
            continue
        ring = next((node for node in boundary.iter() if local(node.tag) == "coordinates"), None)
        coords = _coordinates(ring, file, label, field=f"Polygon.{tag}")
        if tag == "outerBoundaryIs":
            outer = coords
        else:
            inner.append(coords)
    if not outer:
        raise InputError("Polygon has no outerBoundaryIs coordinates", file=file, feature=label,
                         field="Polygon.outerBoundaryIs")
    return [outer, *inner]


def _coordinates(element: ET.Element | None, file: str, label: str, field: str = "coordinates") -> list[list[float]]:
    if element is None or not (element.text or "").strip():
        return []
    positions = []
    for token in element.text.split():
        try:
            values = [float(v) for v in token.split(",")]
        except ValueError:
            raise InputError(f"coordinate {token!r} is not lon,lat[,alt]", file=file, feature=label,
                             field=field) from None
        if not 2 <= len(values) <= 3:
            raise InputError(f"coordinate {token!r} is not lon,lat[,alt]", file=file, feature=label, field=field)
        positions.append(values)
    return positions


def flat_geometry(mark: Placemark, file: str) -> dict | None:
    """The placemark as one 2-D GeoJSON geometry (Multi* for several parts), None without any geometry."""
    parts = mark.geometries
    if not parts:
        return None
    kinds = sorted({g.type for g in parts})
    if len(parts) == 1:
        return {"type": parts[0].type, "coordinates": parts[0].flat()}
    if len(kinds) > 1:
        raise InputError(f"MultiGeometry mixes {', '.join(kinds)}; a feature has one geometry kind",
                         file=file, feature=mark.label, field="geometry")
    return {"type": "Multi" + kinds[0], "coordinates": [g.flat() for g in parts]}
