"""Published figures of the DJI dock drones: the energy defaults of a drone profile that flies one of them.

Keyed like missions.export.dji_products.AIRCRAFT; a profile's own fields always win (see DroneModel).
"""
from __future__ import annotations

from dataclasses import dataclass

DOCK_2_SPECS = "https://enterprise.dji.com/dock-2/specs"
DOCK_3_SPECS = "https://enterprise.dji.com/dock-3/specs"


@dataclass(frozen=True)
class AircraftFigures:
    """A drone's spec-sheet figures (still air, sea level, full battery, as DJI measures them)."""

    name: str
    hover_min: float  # "max hovering time"
    max_flight_min: float  # "max flight time"
    max_flight_speed_ms: float  # the constant forward speed of that measurement
    max_speed_ms: float  # "max horizontal speed", forward: the fastest it flies through the air
    battery_wh: float  # flight battery energy
    takeoff_mass_kg: float
    source: str


def _matrice_3d(name: str) -> AircraftFigures:
    # DJI Dock 2 drones: 1410 g, 50 min max flight, 40 min max hover, battery 7811 mAh / 115.2 Wh, 21 m/s max
    # forward speed (DOCK_2_SPECS). The page gives no speed for the flight-time figure: 10 m/s is assumed, between
    # the 9 m/s (32.4 km/h) DJI states for the Mavic 3 airframe the M3D derives from and the Matrice 4D's 12 m/s;
    # the lower speed gives the steeper, more cautious power curve.
    return AircraftFigures(name, hover_min=40.0, max_flight_min=50.0, max_flight_speed_ms=10.0, max_speed_ms=21.0,
                           battery_wh=115.2, takeoff_mass_kg=1.41, source=DOCK_2_SPECS)


def _matrice_4d(name: str) -> AircraftFigures:
    # DJI Dock 3 drones: 1850 g, 54 min max flight at 12 m/s forward, 47 min max hover, battery 6768 mAh /
    # 149.9 Wh, 21 m/s max forward speed (DOCK_3_SPECS).
    return AircraftFigures(name, hover_min=47.0, max_flight_min=54.0, max_flight_speed_ms=12.0, max_speed_ms=21.0,
                           battery_wh=149.9, takeoff_mass_kg=1.85, source=DOCK_3_SPECS)


AIRCRAFT_FIGURES: dict[str, AircraftFigures] = {
    "m3d": _matrice_3d("DJI Matrice 3D"),
    "m3td": _matrice_3d("DJI Matrice 3TD"),
    "m4d": _matrice_4d("DJI Matrice 4D"),
    "m4td": _matrice_4d("DJI Matrice 4TD"),
}

# A profile flying no aircraft of this table gets the shape of the Matrice 3D, the Dock 2 drone DESIGN.md takes
# as its reference: a full battery flies 50/40 = 1.25 x its hover time at best, at 10 m/s.
GENERIC = AIRCRAFT_FIGURES["m3d"]
