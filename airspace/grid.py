"""Beidou grid cell files (code, status, ceiling_m) and the zones they stand for.

Prohibited cells become prohibited zones, restricted ones authorisation_required, a low cell ceiling a keep-out above it.
"""
from __future__ import annotations

import csv
import logging
import math
from pathlib import Path
from typing import Any, Iterable

from airspace import beidou
from airspace.errors import InputError
from airspace.geometry import Geometry
from airspace.zones import Restriction, Zone

logger = logging.getLogger(__name__)

GRID_TOP_M = 10_000.0  # top of a grid zone's band: "the whole column above the cell"
STATUSES = ("open", "restricted", "prohibited")
_REQUIRED = ("code", "status")

GridRow = tuple[str, str, "float | None"]


def _parse_ceiling(text: str, *, file: str, feature: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number of metres", file=file, feature=feature, field="ceiling_m") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{text!r} must be a finite height >= 0 m", file=file, feature=feature, field="ceiling_m")
    return value


def read_grid_csv(path: str | Path) -> list[GridRow]:
    """Rows (code, status, ceiling_m or None) of a grid CSV with a header naming code, status[, ceiling_m].

    Rows are numbered as a spreadsheet shows them (the header is row 1). Blank lines and lines whose
    first cell starts with '#' are skipped. Codes come back stripped and upper-cased.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets often save a BOM
    except OSError as exc:
        raise InputError(f"cannot read grid file: {exc.strerror or exc}", file=file) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"grid file is not UTF-8 text ({exc.reason})", file=file) from None
    lines = [line for line in text.splitlines()]
    reader = csv.reader(lines)
    header: list[str] | None = None
    rows: list[GridRow] = []
    seen: dict[str, int] = {}
    for row_number, record in enumerate(reader, start=1):
        if not record or all(not cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            missing = [name for name in _REQUIRED if name not in header]
            if missing:
                raise InputError(
                    f"header {record} lacks column(s) {', '.join(missing)} (expected code, status[, ceiling_m])",
                    file=file, feature=f"row {row_number}", field=missing[0],
                )
            continue
        fields = dict(zip(header, (cell.strip() for cell in record)))
        code_text = fields.get("code", "")
        feature = f"row {row_number} (code {code_text or '<blank>'})"
        if len(record) > len(header):
            raise InputError(f"row has {len(record)} cells but the header names {len(header)}", file=file,
                             feature=feature, field="row")
        try:
            code = beidou.validate(code_text)
        except ValueError as exc:
            raise InputError(str(exc), file=file, feature=feature, field="code") from None
        status = fields.get("status", "").lower()
        if status not in STATUSES:
            raise InputError(f"status {fields.get('status', '')!r} is not one of {', '.join(STATUSES)}",
                             file=file, feature=feature, field="status")
        ceiling = _parse_ceiling(fields.get("ceiling_m", ""), file=file, feature=feature)
        if code in seen:
            raise InputError(f"cell {code} is listed twice (first on row {seen[code]})", file=file,
                             feature=feature, field="code")
        seen[code] = row_number
        rows.append((code, status, ceiling))
    if header is None:
        raise InputError("grid file is empty (expected a header code, status[, ceiling_m])", file=file)
    logger.info("%s: %d grid cells", file, len(rows))
    return rows


def _cell_fields(cell: Any) -> tuple[str, str, float | None]:
    if isinstance(cell, (tuple, list)):
        if len(cell) == 2:
            return str(cell[0]), str(cell[1]), None
        code, status, ceiling = cell
        return str(code), str(status), ceiling
    return str(cell.code), str(cell.status), getattr(cell, "ceiling_m", None)  # GridCell-like objects


def zones_from_grid(cells: Iterable[Any], ceiling_m: float, *, source: str | None = None) -> list[Zone]:
    """Zones for grid cells given as (code, status, ceiling_m) under a scenario ceiling of `ceiling_m`.

    prohibited -> prohibited 0..10000 m, id `grid:<code>`; restricted -> authorisation_required 0..10000 m,
    id `grid:<code>`; a cell ceiling below the scenario's -> prohibited from that ceiling to 10000 m, id
    `grid:<code>` (or `grid:<code>:ceiling` when the cell is also restricted). Open cells with no lower
    ceiling make no zone.
    """
    zones: list[Zone] = []
    for index, cell in enumerate(cells):
        code, status, cell_ceiling = _cell_fields(cell)
        feature = f"cell {index} ({code})"
        try:
            code = beidou.validate(code)
        except ValueError as exc:
            raise InputError(str(exc), file=source, feature=feature, field="code") from None
        status = status.strip().lower()
        if status not in STATUSES:
            raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}", file=source,
                             feature=feature, field="status")
        if cell_ceiling is not None and (not math.isfinite(float(cell_ceiling)) or float(cell_ceiling) < 0):
            raise InputError(f"ceiling {cell_ceiling!r} must be a finite height >= 0 m", file=source,
                             feature=feature, field="ceiling_m")
        geometry = Geometry.from_shape(beidou.decode(code))
        if status == "prohibited":
            # The whole column is closed: a lower ceiling inside it would add nothing.
            zones.append(Zone(id=f"grid:{code}", name=f"Beidou grid cell {code}: prohibited",
                              restriction=Restriction.PROHIBITED, lower_m=0.0, upper_m=GRID_TOP_M,
                              geometry=geometry, source=source))
            continue
        if status == "restricted":
            zones.append(Zone(id=f"grid:{code}", name=f"Beidou grid cell {code}: restricted (authorisation required)",
                              restriction=Restriction.AUTHORISATION_REQUIRED, lower_m=0.0, upper_m=GRID_TOP_M,
                              geometry=geometry, source=source))
        if cell_ceiling is not None and float(cell_ceiling) < ceiling_m:
            zone_id = f"grid:{code}:ceiling" if status == "restricted" else f"grid:{code}"
            zones.append(Zone(
                id=zone_id,
                name=f"Beidou grid cell {code}: ceiling {float(cell_ceiling):g} m (scenario ceiling {ceiling_m:g} m)",
                restriction=Restriction.PROHIBITED, lower_m=float(cell_ceiling), upper_m=GRID_TOP_M,
                geometry=geometry, source=source,
            ))
    logger.info("grid: %d zones from cells under a %g m ceiling", len(zones), ceiling_m)
    return zones
