"""Colours and line styles of the operations-centre map, shared by the map layers, legend and schedule.

Zone colours follow the usual restriction reading: red keep-out, orange ask first, yellow care, blue note.
"""
from __future__ import annotations

from airspace.zones import Restriction

ZONE_COLOURS: dict[Restriction, str] = {
    Restriction.PROHIBITED: "#d7191c",
    Restriction.AUTHORISATION_REQUIRED: "#f07c00",
    Restriction.CONDITIONAL: "#e6c700",
    Restriction.ADVISORY: "#2b83ba",
}

# Beidou grid cell status -> the zone class it behaves as (SCENARIO.md), so the colours agree.
GRID_COLOURS: dict[str, str] = {
    "prohibited": ZONE_COLOURS[Restriction.PROHIBITED],
    "restricted": ZONE_COLOURS[Restriction.AUTHORISATION_REQUIRED],
    "open": "#1a9641",
}

# Targets are wide, pale bands so the sortie that flies them stays readable on top.
TARGET_STYLES: dict[str, dict] = {
    "served": {"color": "#1a9641", "weight": 9, "opacity": 0.45, "dashArray": None},
    "partly": {"color": "#e08a00", "weight": 9, "opacity": 0.55, "dashArray": "12 8"},
    "unserved": {"color": "#b2182b", "weight": 7, "opacity": 0.75, "dashArray": "3 9"},
}
TARGET_LABELS = {"served": "served", "partly": "partly served", "unserved": "unserved"}

HANGAR_COLOUR = "#222222"

# Deconfliction: a conflict must stand out from every zone and sortie colour; filed intents read as "someone else".
CONFLICT_COLOUR = "#ff00a8"
EXTERNAL_INTENT_COLOUR = "#607d8b"

# A replan's "before" layer: the old plan's changed sorties, grey and dashed under the new ones.
BEFORE_COLOUR = "#7f7f7f"

# Distinct, print-safe colours for sorties (cycled); none is a zone or target status colour.
SORTIE_PALETTE = [
    "#6a3d9a", "#1f78b4", "#e7298a", "#00838f", "#8c510a", "#3f51b5",
    "#c51b7d", "#4d9221", "#5e3c99", "#01665e", "#b35806", "#542788",
]


def sortie_colour(index: int) -> str:
    return SORTIE_PALETTE[index % len(SORTIE_PALETTE)]
