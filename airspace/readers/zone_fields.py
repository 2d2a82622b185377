"""Field mapping shared by the zone formats: restriction names, numbers, units, vertical references, names.

`ZoneContext` carries where a reader is (file, feature) so every error and warning names file, feature and field.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from pydantic import ValidationError

from airspace.errors import InputError
from airspace.readers.notes import Notes
from airspace.zones import Restriction, Zone

FT_TO_M = 0.3048
UNLIMITED_M = 10_000.0  # an absent upper limit: the whole column
RESTRICTIONS = {
    "PROHIBITED": Restriction.PROHIBITED,
    "REQ_AUTHORISATION": Restriction.AUTHORISATION_REQUIRED,
    "REQ_AUTHORIZATION": Restriction.AUTHORISATION_REQUIRED,
    "AUTHORISATION_REQUIRED": Restriction.AUTHORISATION_REQUIRED,
    "AUTHORIZATION_REQUIRED": Restriction.AUTHORISATION_REQUIRED,
    "RESTRICTED": Restriction.AUTHORISATION_REQUIRED,
    "CONDITIONAL": Restriction.CONDITIONAL,
    "USPACE": Restriction.CONDITIONAL,
    "NO_RESTRICTION": Restriction.ADVISORY,
    "ADVISORY": Restriction.ADVISORY,
}
GROUND_REFERENCES = {"AGL", "SFC", "GND"}
SEA_REFERENCES = {"AMSL", "MSL", "WGS84"}


class NotAZone(Exception):
    """A feature whose geometry is no area (a bare Point, a LineString): skipped with a warning, not an error."""


class ZoneContext:
    """Where a zone reader is, and what the file reference says (default restriction, id/name properties)."""

    def __init__(self, file: str, date: dt.date | None, tz: dt.tzinfo, notes: Notes,
                 default: Restriction | None = None, id_property: str | None = None,
                 name_property: str | None = None):
        self.file = file
        self.date = date
        self.tz = tz
        self.notes = notes
        self.default = default
        self.id_property = id_property
        self.name_property = name_property
        self.feature: str | None = None
        self.unread_fields: set[str] = set()  # feature properties no reader used: named in one warning

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(message, file=self.file, feature=self.feature, field=field)

    def warn(self, message: str, field: str | None = None) -> None:
        self.notes.warn(message, self.feature, field)

    def tally(self, key: str, message: str, field: str | None = None) -> None:
        self.notes.tally(key, message, self.feature, field)


def feature_label(index: int, ident: Any) -> str:
    return f"{index} ({ident})" if ident not in (None, "") else str(index)


def parse_restriction(value: Any, default: Restriction | None, file: str) -> Restriction | None:
    """A file reference's default restriction in any accepted spelling (None stays None)."""
    if value is None or isinstance(value, Restriction):
        return value
    mapped = RESTRICTIONS.get(str(value).strip().upper().replace("-", "_").replace(" ", "_"))
    if mapped is not None:
        return mapped
    try:
        return Restriction(str(value))
    except ValueError:
        raise InputError(f"default restriction {value!r} is unknown", file=file, field="restriction") from None


def restriction(value: Any, ctx: ZoneContext, field: str) -> Restriction:
    if value is None or value == "":
        if ctx.default is None:
            raise ctx.error("no restriction given and the file reference sets no default (restriction:)", field)
        return ctx.default
    if isinstance(value, Restriction):
        return value
    key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    if key in RESTRICTIONS:
        mapped = RESTRICTIONS[key]
        if mapped is Restriction.CONDITIONAL:
            ctx.tally(f"conditional:{key}", f"{key} zones are read as conditional: drawn on the map, not avoided; "
                                            "their conditions are not checked", field)
        return mapped
    raise ctx.error(f"restriction {value!r} is not one of PROHIBITED, REQ_AUTHORISATION, CONDITIONAL, "
                    "NO_RESTRICTION (or prohibited, authorisation_required, conditional, advisory)", field)


def number(value: Any, ctx: ZoneContext, field: str, default: float | None = None) -> float:
    if value is None:
        if default is None:
            raise ctx.error("is missing", field)
        return default
    if isinstance(value, bool):
        raise ctx.error(f"{value!r} is not a finite number", field)
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ctx.error(f"{value!r} is not a number", field) from None
    except OverflowError:
        raise ctx.error("number is too large (beyond the float range)", field) from None
    if not math.isfinite(result):
        raise ctx.error(f"{value!r} is not a finite number", field)
    return result


def metres(value: float, uom: Any, ctx: ZoneContext, field: str) -> float:
    unit = str(uom or "M").strip().upper()
    if unit in ("M", "METRE", "METER", "METRES", "METERS"):
        return value
    if unit in ("FT", "FEET", "FOOT"):
        return value * FT_TO_M
    raise ctx.error(f"unit {uom!r} is neither M nor FT", field)


def upper_default(uom: Any) -> float:
    return UNLIMITED_M / FT_TO_M if str(uom or "M").strip().upper() in ("FT", "FEET", "FOOT") else UNLIMITED_M


def reference_note(lower_ref: Any, upper_ref: Any, ctx: ZoneContext, field: str) -> str | None:
    """None for limits above ground; for AMSL/WGS84 limits a caveat (kept in the name and warned once per file)."""
    refs = {str(r).strip().upper() for r in (lower_ref, upper_ref) if r is not None}
    bad = refs - GROUND_REFERENCES
    unknown = bad - SEA_REFERENCES
    if unknown:
        raise ctx.error(f"vertical reference {sorted(unknown)[0]!r} is not AGL, AMSL or WGS84", field)
    if not bad:
        return None
    kinds = "/".join(sorted(bad))
    ctx.tally(f"reference:{kinds}", f"limits referenced to {kinds} are treated as heights above ground, because "
                                    "ground elevation is unknown here (a zone over high ground reaches lower than "
                                    "read)", field)
    return f"limits {kinds} treated as AGL: ground elevation unknown"


def text(value: Any) -> str | None:
    """ED-318 text is a string or [{lang, text}]: prefer English, else the first."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [v for v in value if isinstance(v, dict) and v.get("text")]
        english = [v for v in texts if str(v.get("lang", "")).lower().startswith("en")]
        chosen = (english or texts or [None])[0]
        return plain(chosen["text"]) if chosen else None
    if isinstance(value, dict):
        return plain(value.get("text"))
    return str(value)


def plain(value: Any) -> str | None:
    # A name must end up as text even when a file nests a list or object where the string belongs.
    return value if value is None or isinstance(value, str) else json.dumps(value, default=str)


def join(*parts: Any) -> str | None:
    kept = [plain(p) for p in parts if p]
    return " - ".join(kept) if kept else None


def make_zone(ctx: ZoneContext, **fields: Any) -> Zone:
    try:
        return Zone(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        loc = ".".join(str(part) for part in first["loc"]) or None
        if loc is None:  # a whole-zone check: name the field its message is about
            loc = next((name for name in ("upper_m", "lower_m", "geometry") if name in message), None)
        raise ctx.error(message, loc) from None
