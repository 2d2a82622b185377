"""DJI aircraft and payloads a WPML route can declare: their enum values, lenses, and the profile rules.

Enum values: DJI Cloud API "Product Support" (Enumeration Values of Aircraft / of Camera) and WPML common elements.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    name: str
    enum: int  # payloadEnumValue: `type` of type-subtype-gimbalindex
    sub_enum: int  # payloadSubEnumValue: `subtype`
    lenses: str  # wpml:imageFormat / payloadLensIndex: the lenses whose photos and video are stored


@dataclass(frozen=True)
class Aircraft:
    name: str
    enum: int  # droneEnumValue
    sub_enum: int  # droneSubEnumValue
    gateway: str  # what launches it
    payloads: tuple[str, ...]  # keys of PAYLOADS it can carry (one: its built-in camera, the default)
    max_speed_ms: float  # fastest wayline speed DJI allows for it (WPML autoFlightSpeed / waypointSpeed)


PAYLOADS: dict[str, Payload] = {
    "m30": Payload("Matrice 30 camera", 52, 0, "wide,zoom"),
    "m30t": Payload("Matrice 30T camera", 53, 0, "wide,zoom,ir"),
    "m3d": Payload("Matrice 3D camera", 80, 0, "wide"),
    "m3td": Payload("Matrice 3TD camera", 81, 0, "wide,ir"),
    "m4d": Payload("Matrice 4D camera", 98, 0, "wide"),
    "m4td": Payload("Matrice 4TD camera", 99, 0, "wide,ir"),
    "h20": Payload("Zenmuse H20", 42, 0, "wide,zoom"),
    "h20t": Payload("Zenmuse H20T", 43, 0, "wide,zoom,ir"),
    "h20n": Payload("Zenmuse H20N", 61, 0, "wide,zoom,ir"),
    "h30": Payload("Zenmuse H30", 82, 0, "wide,zoom"),
    "h30t": Payload("Zenmuse H30T", 83, 0, "wide,zoom,ir"),
}

_ZENMUSE = ("h20", "h20t", "h20n", "h30", "h30t")
WAYLINE_MAX_SPEED_MS = 15.0  # WPML autoFlightSpeed / waypointSpeed / globalTransitionalSpeed: [1, 15] m/s

AIRCRAFT: dict[str, Aircraft] = {
    "m30": Aircraft("Matrice 30", 67, 0, "DJI Dock", ("m30",), WAYLINE_MAX_SPEED_MS),
    "m30t": Aircraft("Matrice 30T", 67, 1, "DJI Dock", ("m30t",), WAYLINE_MAX_SPEED_MS),
    "m3d": Aircraft("Matrice 3D", 91, 0, "DJI Dock 2", ("m3d",), WAYLINE_MAX_SPEED_MS),
    "m3td": Aircraft("Matrice 3TD", 91, 1, "DJI Dock 2", ("m3td",), WAYLINE_MAX_SPEED_MS),
    "m4d": Aircraft("Matrice 4D", 100, 0, "DJI Dock 3", ("m4d",), WAYLINE_MAX_SPEED_MS),
    "m4td": Aircraft("Matrice 4TD", 100, 1, "DJI Dock 3", ("m4td",), WAYLINE_MAX_SPEED_MS),
    "m300": Aircraft("Matrice 300 RTK", 60, 0, "DJI Pilot 2", _ZENMUSE, WAYLINE_MAX_SPEED_MS),
    "m350": Aircraft("Matrice 350 RTK", 89, 0, "DJI Pilot 2", _ZENMUSE, WAYLINE_MAX_SPEED_MS),
}
DEFAULT_AIRCRAFT = "m3d"  # a profile without `dji` whose id names no aircraft: Dock 2's Matrice 3D


def payload_error(aircraft: str, payload: str | None) -> str | None:
    """Why (aircraft, payload) is not a valid pair, or None; the one rule shared by the scenario and the exporter."""
    if aircraft not in AIRCRAFT:
        return f"unknown DJI aircraft {aircraft!r} (known: {', '.join(AIRCRAFT)})"
    allowed = AIRCRAFT[aircraft].payloads
    if payload is None:
        if len(allowed) > 1:
            return f"DJI aircraft {aircraft!r} takes an exchangeable payload: name it (one of {', '.join(allowed)})"
        return None
    if payload not in PAYLOADS:
        return f"unknown DJI payload {payload!r} (known: {', '.join(PAYLOADS)})"
    if payload not in allowed:
        return f"DJI aircraft {aircraft!r} cannot carry payload {payload!r} (it carries: {', '.join(allowed)})"
    return None


@dataclass(frozen=True)
class DjiProduct:
    """The aircraft and payload one drone profile declares in its WPML files, and where that choice came from."""

    aircraft_key: str
    payload_key: str
    source: str  # "profile", "profile id" or "default"

    @property
    def aircraft(self) -> Aircraft:
        return AIRCRAFT[self.aircraft_key]

    @property
    def payload(self) -> Payload:
        return PAYLOADS[self.payload_key]


def product_for(model_id: str, aircraft: str | None, payload: str | None) -> DjiProduct:
    """The product a drone profile flies: its `dji` block, else its id if that names an aircraft, else m3d."""
    if aircraft is not None:
        problem = payload_error(aircraft, payload)
        if problem:
            raise ValueError(f"drone model {model_id!r}: field dji: {problem}")
        return DjiProduct(aircraft, payload or AIRCRAFT[aircraft].payloads[0], "profile")
    key = model_id.lower()
    if key in AIRCRAFT:
        return DjiProduct(key, AIRCRAFT[key].payloads[0], "profile id")
    return DjiProduct(DEFAULT_AIRCRAFT, AIRCRAFT[DEFAULT_AIRCRAFT].payloads[0], "default")
