"""Generate docs/scenario-format.md from the pydantic models: every model, field, type, default and constraint.

Run `python docs/gen_scenario_format.py` after changing a model; tests/test_docs.py fails while the file is stale.
"""
from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
import sys
import types
import typing
from pathlib import Path

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from airspace.geometry import Geometry  # noqa: E402
from airspace.windows import TimeWindow  # noqa: E402
from airspace.zones import Restriction, Zone  # noqa: E402
from missions.export.dji_products import AIRCRAFT as DJI_AIRCRAFT, PAYLOADS as DJI_PAYLOADS  # noqa: E402
from missions.models import (  # noqa: E402
    AirspaceSpec, Camera, DjiProfile, DroneModel, GridCell, GridSpec, Hangar, Inspection, InspectionTask, MissionPlan,
    Outage, PlanSummary, Scenario, Sortie, SortieEnd, Target, TargetFileRef, UnservedReason, UnservedTask, Waypoint,
    Weather, WeatherUpdate, WindLayer, ZoneFileRef, GroupSummary, PlanningSpec,
)
from planner.replan.changes import Changes, DroneFailure, OutOfService, UrgentTarget  # noqa: E402
from airspace.separation import SeparationMinima  # noqa: E402
from missions.intent_models import (  # noqa: E402
    DeconflictionOptions, ExternalVolume, IntentFileRef, IntentOptions, IntentVolume,
)
from missions.plan_io import SCHEDULE_COLUMNS  # noqa: E402

OUTPUT = ROOT / "docs" / "scenario-format.md"

# Fields whose model carries neither a Field(description=...) nor a trailing source comment. A test checks that
# every key names a real field and that every field ends up with some description.
DESCRIPTIONS: dict[str, str] = {
    # strategic deconfliction (missions.intent_models, airspace.separation)
    "AirspaceSpec.intents": "Other operators' filed volumes: files (`- file: others.geojson`, the intents format "
                            "below) and/or inline volumes; a drone of this plan must keep the separation minima "
                            "from them.",
    "IntentFileRef.file": "An intents GeoJSON file (the format `lowalt plan` writes as `intents.geojson`), relative "
                          "to the scenario; positions are WGS84 whatever `coordinates` says.",
    "IntentFileRef.ground_height_w84_m": "Ellipsoidal (WGS84) height of the ground under the file's volumes: turns "
                                         "W84 altitudes into heights above ground; needed only for W84 files.",
    "ExternalVolume.intent_id": "The operational intent this volume belongs to (one intent has several volumes).",
    "ExternalVolume.operator": "Who filed it, for messages and the map.",
    "ExternalVolume.geometry": "The volume's outline: Polygon or MultiPolygon, `[lon, lat]`.",
    "ExternalVolume.lower_m": "Bottom of the volume, metres above ground.",
    "ExternalVolume.upper_m": "Top of the volume, metres above ground; above `lower_m`.",
    "ExternalVolume.start": "When the volume begins to be occupied: RFC 3339 with a UTC offset.",
    "ExternalVolume.end": "When it is free again: RFC 3339 with a UTC offset, after `start`.",
    "ExternalVolume.source": "File and feature it was read from (set by the reader).",
    "IntentVolume.t_from_s": "Start of the stretch of flight it covers, seconds after takeoff (nominal).",
    "IntentVolume.t_to_s": "End of that stretch, seconds after takeoff; the volumes of a sortie chain from 0 to "
                           "its flight time.",
    "IntentVolume.buffer_m": "Half-width of the footprint: the path flown between `t_from_s` and `t_to_s`, "
                             "widened by this much on each side.",
    "IntentVolume.altitude_lower_m": "Bottom of the volume, metres above ground (the stretch's lowest height less "
                                     "the vertical accuracy, not below 0).",
    "IntentVolume.altitude_upper_m": "Top of the volume, metres above ground (highest height plus the vertical "
                                     "accuracy).",
    "IntentVolume.time_start": "When the volume may first be occupied: the stretch's start less the timing "
                               "uncertainty.",
    "IntentVolume.time_end": "When it is free again: the stretch's end plus the timing uncertainty.",
    "IntentOptions.horizontal_accuracy_m": "Position plus path-keeping error, each side of the path.",
    "IntentOptions.vertical_accuracy_m": "Height error, above and below the planned height.",
    "IntentOptions.timing_uncertainty_s": "How much earlier or later than planned the drone may be anywhere.",
    "IntentOptions.timing_drift": "Plus this fraction of the time since takeoff (< 1).",
    "IntentOptions.volume_max_s": "Longest stretch of nominal flight one volume covers.",
    "DeconflictionOptions.intent": "How each sortie's volumes are drawn.",
    "DeconflictionOptions.separation": "Minimum separation between volumes of different drones, and from filed "
                                       "intents.",
    "DeconflictionOptions.max_takeoff_shift_s": "How much earlier or later the planner may launch a sortie to "
                                                "clear a conflict (0: never); a sortie no shift clears is not flown "
                                                "and its tasks are unserved as `conflict`. `lowalt plan "
                                                "--max-takeoff-shift S` overrides it for one run.",
    "DeconflictionOptions.resolve": "`false`: conflicts are only listed in the plan's warnings and the plan will "
                                    "not verify (for measuring what routing alone produces; never for a plan to "
                                    "fly).",
    "SeparationMinima.horizontal_m": "Horizontal gap that separates two volumes (reached is enough).",
    "SeparationMinima.vertical_m": "Vertical gap that separates two volumes.",
    "SeparationMinima.time_s": "Time gap that separates two volumes (0: they must not share a moment). `lowalt "
                               "plan --separation H,V,T` sets all three minima for one run.",
    "Sortie.intent": "Its operational intent: the 4D volumes it occupies, in flight order (unset in plans written "
                     "before intents existed).",
    "MissionPlan.deconfliction": "The buffers and minima the intents were drawn and checked with (unset in older "
                                 "plans: the verifier then uses the defaults).",
    "Scenario.name": "Free text; copied into the plan, which must name the same scenario to be verified against it.",
    "Scenario.date": "The day being planned (`YYYY-MM-DD`).",
    "Scenario.timezone": "IANA time zone name; every clock time in the scenario is local time in this zone.",
    "Scenario.coordinates": "`gcj02` (AMap/Tencent data): every position, inline and in files, is converted to "
                            "WGS84 once, on load.",
    "Scenario.operating_window": "When the fleet may fly. Unset: civil daylight (civil dawn to civil dusk) of "
                                 "`date` at the hangars' centroid.",
    "Scenario.weather": "Wind for the whole day. Unset: calm.",
    "Scenario.drone_models": "Drone and dock profiles, referenced by `hangars[].drone_model`.",
    "Scenario.hangars": "The docks and the drones based in them.",
    "Scenario.airspace": "Ceiling, zones, Beidou grid cells and authorisations.",
    "Scenario.targets": "What to inspect: inline targets and/or target files.",
    "Scenario.planning": "How you want the day flown (choices rather than physics).",
    "PlanningSpec.transit_altitude_m": "Height above ground at which drones fly between hangar and tasks and from "
                                       "task to task. Unset: 100 m, or the airspace ceiling when that is lower. "
                                       "Must not exceed `airspace.ceiling_m`. `lowalt plan --transit-altitude M` "
                                       "overrides it for one run.",
    "PlanningSpec.deconfliction": "Intent buffers, separation minima and the takeoff-shift limit the planner "
                                  "deconflicts with (recorded in the plan as `deconfliction`). Unset: lowalt's "
                                  "defaults (10 m / 5 m / 30 s + 1 % buffers; 30 m / 15 m / 30 s minima; 1800 s).",
    "TimeWindow.start": "Local clock time `HH:MM` or `HH:MM:SS` (quote it in YAML).",
    "TimeWindow.end": "Local clock time, after `start`; `24:00` is the end of the day.",
    "Weather.wind_speed_ms": "Mean wind speed at `reference_height_m` (a weather station's 10 m reading). Above a "
                             "model's `max_wind_ms` its drones stay on the dock.",
    "Weather.reference_height_m": "Height above ground at which `wind_speed_ms` is measured (WMO standard: 10 m).",
    "Weather.shear_exponent": "Power-law exponent of the wind's growth with height: speed at h = `wind_speed_ms` x "
                              "(h / `reference_height_m`) ^ exponent. Default 1/7, open terrain (Peterson & "
                              "Hennessey 1978), right for a weather station's reading: 9 m/s at 10 m is 12.5 m/s at "
                              "100 m. For an anemometer inside a city use ~0.25-0.3, or give `layers`.",
    "Weather.layers": "Wind by height (a sounding or winds-aloft forecast). When given, the wind at a height is "
                      "interpolated linearly between layers (held beyond the lowest and highest) instead of the "
                      "power law; `wind_speed_ms` stays the launch wind.",
    "WindLayer.height_m": "Height above ground.",
    "WindLayer.speed_ms": "Mean wind speed there.",
    "WindLayer.from_deg": "Direction the wind blows from, clockwise from north.",
    "Camera.sensor_width_mm": "Sensor width.",
    "Camera.focal_length_mm": "Lens focal length.",
    "Camera.image_width_px": "Image width in pixels (used for the ground sample distance).",
    "DroneModel.id": "Profile id, referenced by `hangars[].drone_model`.",
    "DroneModel.name": "Display name.",
    "DroneModel.cruise_speed_ms": "Transit speed over the ground; the autopilot holds it, flying faster or slower through the air as the wind requires.",
    "DroneModel.inspection_speed_ms": "Speed over the ground along an inspection leg (DJI WPML `autoFlightSpeed`, PX4 mission speed).",
    "DroneModel.max_airspeed_ms": "Fastest the drone flies through the air; holding a ground speed into a headwind "
                                  "needs more airspeed, up to this (a leg that would need more is flown at the fastest "
                                  "ground speed this allows, and refused below 1 m/s). Default: the DJI aircraft's max "
                                  "horizontal speed (21 m/s for the Matrice 3D and 4D), else 1.4 x the faster of "
                                  "`cruise_speed_ms` and `inspection_speed_ms` (21 m/s for a 15 m/s cruise).",
    "DroneModel.endurance_min": "Hover time on a full battery in still air (DJI's \"max hovering time\"); with "
                                "`max_flight_time_min` it calibrates the power curve.",
    "DroneModel.reserve_fraction": "Share of the battery's energy that must be left on landing.",
    "DroneModel.max_flight_time_min": "Longest flight on a full battery in still air (DJI's \"max flight time\"), "
                                      "flown at `max_flight_time_speed_ms`. Default: `endurance_min` x the ratio of the "
                                      "DJI aircraft the profile flies (`dji.aircraft`, or an id naming one: Matrice "
                                      "3D/3TD 50/40, Matrice 4D/4TD 54/47; sources in `missions/physics/aircraft.py`), "
                                      "else the Matrice 3D's.",
    "DroneModel.max_flight_time_speed_ms": "The constant forward speed of `max_flight_time_min`, where the drone "
                                           "draws least power. Default: the aircraft's (Matrice 4D: 12 m/s; Matrice "
                                           "3D: 10 m/s, assumed), else 10 m/s.",
    "DroneModel.battery_wh": "Battery energy, to report energies in Wh. Default: the aircraft's (Matrice 3D "
                             "115.2 Wh, Matrice 4D 149.9 Wh); unknown for other drones.",
    "DroneModel.induced_velocity_ms": "Rotors' mean induced velocity in hover, sqrt(W / (2 rho A)): the speed above "
                                      "which induced power falls off.",
    "DroneModel.rotor_tip_speed_ms": "Blade tip speed U_tip of the power curve's blade-profile term (Zeng et al. "
                                     "2019, Table I).",
    "DroneModel.max_wind_ms": "Above this wind speed the drone does not launch.",
    "DroneModel.climb_speed_ms": "Vertical speed climbing from and to the dock.",
    "DroneModel.camera": "Needed for targets with `corridor_width_m`.",
    "DroneModel.dji": "lowalt addition: the DJI aircraft and payload its WPML (`.kmz`) routes declare, and how its "
                      "camera records. Unset: the profile id names the aircraft if it is one of the `aircraft` "
                      "keys (`m30` is a Matrice 30), else Matrice 3D (`m3d`, DJI Dock 2) with a warning; photos.",
    "DjiProfile.aircraft": "; ".join(f"`{key}` {a.name} ({a.gateway}, droneEnumValue {a.enum}/{a.sub_enum})"
                                     for key, a in DJI_AIRCRAFT.items()) + ".",
    "DjiProfile.payload": "Unset: the aircraft's built-in camera. An aircraft without one needs one of "
                          + ", ".join(f"`{key}` {p.name}" for key, p in DJI_PAYLOADS.items() if key not in DJI_AIRCRAFT)
                          + ".",
    "DjiProfile.capture": "`photo`: photos at a distance interval along each stretch, one on arrival at a point "
                          "(needs `camera` to size the interval; without it the route records video); `video`: "
                          "recording from start to end of each stretch and while on station at a point.",
    "DjiProfile.forward_overlap": "Share of each photo seen again in the next one along a stretch; the interval is "
                                  "the along-track footprint (3/4 of the `camera` footprint, 4:3 sensors) times "
                                  "(1 - overlap).",
    "Hangar.id": "Hangar id; drones are named `<id>-1`, `<id>-2`, ...",
    "Hangar.name": "Display name.",
    "Hangar.lon": "Longitude of the dock.",
    "Hangar.lat": "Latitude of the dock.",
    "Hangar.drone_model": "A `drone_models[].id`.",
    "Hangar.drones": "Drones based in this hangar.",
    "Hangar.operating_radius_m": "No point of a sortie may be farther than this from the hangar.",
    "Hangar.recharge_min": "Minimum time on the dock between two sorties of one drone.",
    "Hangar.window": "Narrows the operating window for this hangar.",
    "AirspaceSpec.ceiling_m": "True-height cap for every flight (China: 120 m in suitable airspace).",
    "AirspaceSpec.zones": "Inline zones and/or zone files, in any mix.",
    "AirspaceSpec.grid": "Beidou grid cells (GB/T 39409-2020).",
    "AirspaceSpec.authorised": "Ids of `authorisation_required` zones (or `grid:<code>` cells) you hold an "
                               "authorisation for: these may be entered.",
    "Zone.id": "Zone id; unique across inline zones, zone files and grid cells (grid zones are `grid:<code>`).",
    "Zone.name": "Display name.",
    "Zone.restriction": "How the planner treats the zone (see the table below).",
    "Zone.lower_m": "Bottom of the zone's band, metres above ground.",
    "Zone.upper_m": "Top of the zone's band, metres above ground (at least `lower_m`).",
    "Zone.geometry": "Polygon or MultiPolygon.",
    "ZoneFileRef.file": "Path relative to the scenario file; only local files are read. GeoJSON, ED-269, "
                        "ED-318, KML, KMZ, a ZIP holding one of them, or a Shapefile/GeoPackage.",
    "ZoneFileRef.id_property": "Feature property holding the zone id. Without it: `id`, then the feature's own id, "
                               "then a stable id made from the name (when unique) or the geometry.",
    "ZoneFileRef.name_property": "Feature property holding the zone name (default: `name`).",
    "ZoneFileRef.layer": "Layer of a GeoPackage or OSM zone file (as `TargetFileRef.layer`).",
    "ZoneFileRef.where": "OGR SQL filter on the layer's fields (as `TargetFileRef.where`).",
    "ZoneFileRef.encoding": "Text encoding of a Shapefile without `.cpg` (as `TargetFileRef.encoding`).",
    "GridCell.code": "Beidou grid location code, levels 1-10, e.g. `N50J47539B8255346152`.",
    "GridCell.status": "`prohibited` behaves as a prohibited zone, `restricted` as `authorisation_required`.",
    "GridCell.ceiling_m": "Lowers the ceiling inside this cell (a prohibited band from here up).",
    "GridSpec.file": "CSV with a header naming `code`, `status` and optionally `ceiling_m`.",
    "GridSpec.cells": "Cells written inline (added to the file's rows).",
    "Geometry.type": "GeoJSON geometry type.",
    "Geometry.coordinates": "GeoJSON coordinates, `[lon, lat]` or `[lon, lat, alt]` positions.",
    "Target.id": "Target id; task ids are derived from it (`<id>#1`, `<id>#p2-1`, `<id>#pt1`).",
    "Target.name": "Display name.",
    "Target.kind": "`point` needs Point/MultiPoint geometry; every other kind a line or polygon.",
    "Target.geometry": "LineString / MultiLineString (lines), Polygon / MultiPolygon (inspected along the "
                       "boundary, a lake shoreline), Point / MultiPoint (point targets).",
    "Target.altitude_m": "Inspection height above ground.",
    "Target.priority": "1 (low) .. 5 (must fly); when the fleet's day is full, lower priorities are dropped first.",
    "Target.properties": "Other feature properties of a target file, carried through to the map (e.g. "
                         "`approximate`).",
    "TargetFileRef.layer": "Layer to read from a GeoPackage, OSM or other multi-layer source. Without it every "
                           "layer is read (a warning names them); an OSM file must name one (`lines`, "
                           "`multipolygons`, `points`, ...).",
    "TargetFileRef.where": "OGR SQL filter on the layer's fields, e.g. `waterway IN ('river','canal')` on an OSM "
                           "file's `lines` layer; GDAL formats and OSM only.",
    "TargetFileRef.encoding": "Text encoding of a Shapefile without a `.cpg` (e.g. `GBK`); GDAL reads such a file "
                              "as ISO-8859-1 otherwise.",
    "Target.corridor_width_m": "Fly enough parallel passes to image this width (needs a camera).",
    "Target.window": "Inspect within this window.",
    "Target.hover_s": "Point targets: time on station.",
    "TargetFileRef.file": "GeoJSON, KML/KMZ, Shapefile (`.shp` or zipped), GeoPackage, FlatGeobuf, GML or "
                          "OpenStreetMap (`.osm`, `.pbf`); path relative to the scenario file.",
    "TargetFileRef.kind": "Default `kind` for features that carry none.",
    "TargetFileRef.name_property": "Feature property used as the target name (default: `name`).",
    "TargetFileRef.altitude_m": "Default `altitude_m`.",
    "TargetFileRef.corridor_width_m": "Default `corridor_width_m`.",
    "TargetFileRef.priority": "Default `priority`.",
    "TargetFileRef.window": "Default `window`.",
    "TargetFileRef.hover_s": "Default `hover_s`.",
    # plan
    "MissionPlan.scenario": "Name of the scenario planned.",
    "MissionPlan.date": "The planned day.",
    "MissionPlan.timezone": "The scenario's time zone.",
    "MissionPlan.tasks": "Every flyable task, served or not (pieces that can never be flown are only in `unserved`).",
    "MissionPlan.sorties": "Sorties in takeoff order.",
    "MissionPlan.unserved": "Tasks not flown, each with a reason.",
    "MissionPlan.summary": "Totals.",
    "MissionPlan.warnings": "Warnings raised while planning.",
    "MissionPlan.options": "The PlanOptions used (seed, time limit, ...).",
    "Sortie.sortie_id": "`<drone_id>-S<n>`, numbered per drone in takeoff order.",
    "Sortie.drone_id": "`<hangar_id>-<n>`.",
    "Sortie.hangar_id": "Where it takes off and lands.",
    "Sortie.drone_model": "A `drone_models[].id`.",
    "Sortie.takeoff": "Takeoff time (ISO 8601 with offset).",
    "Sortie.landing": "Landing time.",
    "Sortie.waypoints": "The whole flown path, hangar to hangar.",
    "Sortie.distance_m": "Flown distance.",
    "Sortie.flight_time_s": "Landing minus takeoff.",
    "Sortie.inspections": "The tasks flown, as ranges of `waypoints`.",
    "Waypoint.lon": "Longitude.",
    "Waypoint.lat": "Latitude.",
    "Waypoint.alt_m": "Height above ground (0 on the dock).",
    "Waypoint.t_s": "Seconds after takeoff at which the vertex is reached.",
    "Waypoint.action": "What the drone does at this vertex.",
    "Waypoint.hover_s": "Time spent on station before leaving the vertex.",
    "Inspection.task_id": "The task flown.",
    "Inspection.target_id": "Its target.",
    "Inspection.sortie_id": "The sortie flying it.",
    "Inspection.start": "When the inspection starts.",
    "Inspection.end": "When it ends.",
    "Inspection.first_index": "First waypoint of the inspection in its sortie.",
    "Inspection.last_index": "Last waypoint of the inspection in its sortie.",
    "InspectionTask.task_id": "`<target>#<n>` for a leg, `<target>#p<pass>-<n>` for a corridor pass leg, "
                              "`<target>#pt<n>` for a point; `/<k>` is appended to a piece split by a zone.",
    "InspectionTask.target_id": "The target it was cut from.",
    "InspectionTask.kind": "The target's kind.",
    "InspectionTask.length_m": "Length of the leg (0 for a point).",
    "InspectionTask.altitude_m": "Inspection height above ground.",
    "InspectionTask.priority": "The target's priority.",
    "InspectionTask.window": "The target's window.",
    "InspectionTask.hover_s": "Time on station (point tasks).",
    "UnservedTask.task_id": "The task (or piece) not flown.",
    "UnservedTask.target_id": "Its target.",
    "UnservedTask.reason": "Why (see the table below).",
    "UnservedTask.detail": "A sentence naming the hangar, zone or limit at fault.",
    "UnservedTask.coordinates": "The geometry not flown, `[lon, lat]`.",
    "PlanSummary.scenario": "Name of the scenario.",
    "PlanSummary.total_distance_m": "Sum of the sorties' distances.",
    "PlanSummary.sorties": "Number of sorties.",
    "PlanSummary.drones_used": "Drones that fly at least one sortie.",
    "PlanSummary.solve_time_s": "Wall-clock time of `plan()`.",
    "PlanSummary.objective": "Solver objective (sum over hangar groups; lower is better).",
    "PlanSummary.seed": "Search seed used.",
    "PlanSummary.time_limit_s": "Solver time limit used.",
    "PlanSummary.served_tasks": "Tasks flown.",
    "PlanSummary.unserved_tasks": "Tasks listed as unserved.",
    "PlanSummary.transit_distance_m": "Distance flown outside inspections: from the hangar to the tasks, between "
                                      "them and back (total distance minus the inspected length).",
    "PlanSummary.deadhead_share": "`transit_distance_m` over `total_distance_m` (0 to 1).",
    "PlanSummary.transit_altitude_m": "Transit height used (options, else scenario `planning`, else the default).",
    "PlanSummary.repaired_tasks": "Tasks the repair pass placed on drones with free time after the hangar groups "
                                  "solved, across groups.",
    "PlanSummary.groups": "Every solve: the hangar groups of the first pass (round 0) and the repair rounds, each "
                          "with its solver status and time.",
    "GroupSummary.name": "`group-<n>` (first pass) or `repair-group-<n>` (a repair round).",
    "GroupSummary.round": "0 for the first pass; 1, 2, ... for repair rounds on the drones' free time.",
    "GroupSummary.hangars": "The group's hangar ids.",
    "GroupSummary.tasks": "Tasks given to the group.",
    "GroupSummary.status": "The solver's status: `optimal`, `feasible`, `infeasible` or `no solution within the "
                           "time limit` (no plan found: a warning says so), `nothing to fly` (every task had a reason before "
                           "solving), `not solved: no time left` or `checked only: repair_rounds is 0` (a repair "
                           "round that only checked which free drone could fly what).",
    "GroupSummary.time_limit_s": "Solver seconds the group was given (its share of what was left of the time limit "
                                 "when it started).",
    "GroupSummary.solve_s": "Solver seconds it used.",
}

# Fields of the changes file (planner.replan.changes) without a trailing source comment.
DESCRIPTIONS.update({
    "Changes.out_of_service": "Hangars (they launch nothing) or single drones out of service from a time.",
    "Changes.failures": "Drones that failed at a time at or before `--at`: a sortie in the air ends there with a "
                        "forced landing; the drone flies no more that day.",
    "Changes.urgent_targets": "Targets reported during the day, each inspected between `--at` and its deadline "
                              "before any other work.",
    "OutOfService.reason": "Free text shown in the outage, the diff and reasons, e.g. `power cut`.",
    "DroneFailure.reason": "Free text shown in the sortie's `ended.reason` and the diff, e.g. `motor fault`.",
    "SortieEnd.kind": "`failure`: the drone came down where it failed and flies no more that day; `recalled`: it "
                      "turned home at `at` by a legal path and inspected nothing more.",
    "UrgentTarget.priority": "Among urgent targets, 1 low .. 5 highest; every urgent target outranks every ordinary "
                             "one.",
})

# Rules that a model validator enforces beyond single fields.
RULES: dict[type, list[str]] = {
    Scenario: [
        "every `hangars[].drone_model` names a `drone_models[].id`",
        "ids are unique among drone models, hangars, zones (inline, from files and from grid cells) and targets",
        "`timezone` is a known IANA zone",
        "unknown fields are errors (a misspelt field is never silently ignored)",
    ],
    TimeWindow: ["`end` is after `start`", "an unquoted YAML `08:00` (read by YAML 1.1 as 480) is accepted"],
    Zone: ["geometry is a Polygon or MultiPolygon", "`upper_m` >= `lower_m`",
           "restriction spellings `restricted`, `authorization_required`, `req_authorisation` and "
           "`REQ_AUTHORIZATION` mean `authorisation_required`"],
    Target: ["`kind: point` needs Point or MultiPoint geometry; the other kinds need lines or polygons"],
    DjiProfile: ["`aircraft` is a known key (error: `unknown DJI aircraft ... (known: ...)`)",
                 "`payload` is one the aircraft carries: an aircraft with a built-in camera takes only that one"],
    Geometry: ["positions are `[lon, lat]` or `[lon, lat, alt]` within lon -180..180, lat -90..90, finite",
               "the geometry is non-empty and valid (no self-intersecting polygons)"],
    Outage: ["`end` is after `start`", "`drone` is one of the hangar's drone ids"],
    Changes: ["new closure ids are not in the scenario; lifted zones, drones, hangars and cancelled targets are",
              "a failure is at or before `--at`; a drone fails at most once",
              "an out-of-service span ends after `--at`; one starting before `--at` applies from `--at`",
              "a closure window over by `--at` is ignored (a warning); one starting before it applies from `--at`",
              "a wind above a model's launch limit is a warning: its drones launch nothing and those in the air "
              "turn home",
              "unknown fields are errors"],
    OutOfService: ["name either `hangar` or `drone`, not both"],
    UrgentTarget: ["`deadline` is after `--at`; no `window` (it runs from `--at` to `deadline`)",
                   "its id is new to the scenario"],
}

INTRO = """\
# Scenario and plan file format

<!-- Generated by docs/gen_scenario_format.py from the pydantic models; do not edit by hand.
     tests/test_docs.py fails when this file differs from what the script writes. -->

A **scenario** is one YAML or JSON file (plus the zone, grid and target files it names) describing one
day: the drone profiles, the hangars, the airspace and the patrol targets. `lowalt validate` checks it,
`lowalt plan` plans it. A **plan** is what `lowalt plan` writes: `plan.json`, `plan.geojson` and
`schedule.csv`.

Conventions:

- Units are in the field names: `_m` metres, `_s` seconds, `_min` minutes, `_ms` metres per second,
  `_deg` degrees, `_mm` millimetres, `_px` pixels.
- Positions are `[lon, lat]` (GeoJSON order) in WGS84, unless the scenario says `coordinates: gcj02`.
- Heights (`altitude_m`, `lower_m`, `upper_m`, `ceiling_m`) are metres above ground.
- Clock times are local times of the planned day in the scenario's `timezone`, written `"HH:MM"` or
  `"HH:MM:SS"`.
- File paths are relative to the scenario file. Only local files are read (no URLs).
- Every model rejects unknown fields. Errors name the file, the feature and the field.
- The JSON Schema of both files is printed by `lowalt schema --which scenario|plan|all`.

## Example

This is the contract example (a complete scenario; its `zones.geojson`, `grid.csv` and `rivers.geojson`
would sit next to it):

```yaml
{example}
```
"""

# The contract example of SCENARIO.md, verbatim (tests/test_docs.py compares it with the contract when the
# shared notes are present, and validates it against the Scenario model always).
EXAMPLE = """\
name: east-lake-daily            # free text
date: 2026-11-21                 # the day being planned
timezone: Asia/Shanghai          # IANA name; all clock times below are local
coordinates: wgs84               # or gcj02 (AMap/Tencent data): converted to WGS84 on load
operating_window: {start: "08:00", end: "17:30"}   # optional; default: civil daylight of `date`
weather: {wind_speed_ms: 6, wind_from_deg: 45}     # optional; direction the wind blows FROM
drone_models:
  - id: m3d
    cruise_speed_ms: 15          # transit speed over the ground (the autopilot holds it)
    inspection_speed_ms: 8       # speed over the ground along an inspection leg (WPML autoFlightSpeed)
    max_airspeed_ms: 21          # optional: fastest the drone flies through the air; holding a
                                 # ground speed into a headwind needs more airspeed, up to this
    endurance_min: 45            # full battery, hovering or slow cruise in still air
    reserve_fraction: 0.2        # must be left on landing
    max_wind_ms: 12              # above this the drone does not launch
    climb_speed_ms: 5            # optional, default 5
    camera:                      # optional; needed for corridor_width_m targets
      sensor_width_mm: 17.3
      focal_length_mm: 12.3
      image_width_px: 5280
hangars:
  - id: H01
    name: Optics Valley 1        # optional
    lon: 114.4121
    lat: 30.5043
    drone_model: m3d
    drones: 1                    # drones based in this hangar
    operating_radius_m: 7000     # no point of a sortie farther than this from the hangar
    recharge_min: 32             # minimum time on the dock between two sorties of one drone
    window: {start: "08:00", end: "17:00"}   # optional, narrows operating_window
airspace:
  ceiling_m: 120                 # true height cap (China: 120 m in suitable airspace)
  zones:                         # inline list and/or files
    - file: zones.geojson        # GeoJSON, ED-269 JSON or ED-318 GeoJSON
    - id: TFR-1
      name: Marathon
      restriction: prohibited    # prohibited | authorisation_required | conditional | advisory
      lower_m: 0
      upper_m: 120
      geometry: {type: Polygon, coordinates: [[[114.30, 30.55], [114.32, 30.55], [114.32, 30.57], [114.30, 30.55]]]}
      active: [{start: "09:00", end: "12:00"}]   # optional; default: all day
  grid:                          # optional Beidou grid (GB/T 39409-2020) cells
    file: grid.csv               # columns: code, status (open|restricted|prohibited), ceiling_m
targets:
  - file: rivers.geojson         # features carry the same properties as an inline target
    kind: river
  - id: R-Xunsi
    name: Xunsi River
    kind: river                  # river | road | pipeline | shoreline | point
    geometry: {type: LineString, coordinates: [[114.30, 30.48], [114.33, 30.49]]}
    altitude_m: 80               # above ground
    corridor_width_m: 60         # optional: fly enough parallel passes to image this width
    priority: 3                  # 1 (low) .. 5 (must fly)
    window: {start: "08:00", end: "12:00"}   # optional: inspect within this window
    hover_s: 30                  # point targets: time spent on station"""

RESTRICTION_TEXT = {
    Restriction.PROHIBITED: "never entered while active, at any height inside its band",
    Restriction.AUTHORISATION_REQUIRED: "avoided like `prohibited`, unless its id is listed in `airspace.authorised`",
    Restriction.CONDITIONAL: "drawn on the map, not avoided",
    Restriction.ADVISORY: "drawn on the map, not avoided",
}

SCENARIO_MODELS = [Scenario, TimeWindow, Weather, WeatherUpdate, WindLayer, DroneModel, Camera, DjiProfile, Hangar,
                   Outage, AirspaceSpec, Zone, ZoneFileRef, GridSpec, GridCell, IntentFileRef, ExternalVolume, Target,
                   TargetFileRef, Geometry, PlanningSpec, DeconflictionOptions, IntentOptions, SeparationMinima]
PLAN_MODELS = [MissionPlan, PlanSummary, GroupSummary, Sortie, SortieEnd, Waypoint, Inspection, IntentVolume,
               InspectionTask, UnservedTask]
CHANGES_MODELS = [Changes, OutOfService, DroneFailure, UrgentTarget]

SCENARIO_NOTES = """\
### Zone restrictions

| `restriction` | the planner |
| --- | --- |
{restrictions}

A zone applies while one of its `active` windows is open (none: all day) and only inside its
`lower_m`..`upper_m` band. Zone files (`airspace.zones[].file`) are read by format, detected from the content
unless `format` is given: plain GeoJSON (features with the inline zone fields as properties), EUROCAE ED-269
JSON, EUROCAE ED-318 GeoJSON and KML. ED-269/ED-318 limits in feet are converted; AMSL limits are kept as
numbers and treated as above ground (the zone name says so); circles become polygons.

### Target files

Each feature of a target file becomes one target. Its properties may carry any inline target field
(`id`, `name`, `kind`, `altitude_m`, `corridor_width_m`, `priority`, `window`, `hover_s`); the file entry
supplies defaults for missing ones; any other property is kept in the target's `properties`. The target id is
the `id_property` value, else the `id` property, else the feature id, else `<file stem>-<index>`. Shapefile, GeoPackage, FlatGeobuf and GML are read
through pyogrio (`pip install lowalt-planner[gis]`); GeoJSON and KML need nothing extra.

### Beidou grid files

`airspace.grid.file` is a CSV with a header row naming `code`, `status` and optionally `ceiling_m`:

```csv
code,status,ceiling_m
N50H05107,restricted,
N50H05131D7,prohibited,
N50H0516389,open,60
```

Blank lines and lines starting with `#` are skipped. A `prohibited` cell becomes a prohibited zone over the
whole column (0-10,000 m), a `restricted` cell an `authorisation_required` one, and a `ceiling_m` below the
scenario's ceiling a prohibited band from that height up. Grid zones have ids `grid:<code>` (so
`airspace.authorised` can name them).

### Other operators' intents

`airspace.intents` lists files of volumes other operators filed for the day, in the intents format below (the
one `lowalt plan` writes as `intents.geojson`, so two lowalt operators can exchange them):

```yaml
airspace:
  intents:
    - file: survey-company.geojson           # altitudes with reference SFC or AGL
    - file: utm-export.geojson               # altitudes with reference W84 (ASTM F3548)
      ground_height_w84_m: 12                # ellipsoidal height of the ground there: W84 -> above ground
```

Each feature is one volume: a Polygon or MultiPolygon outline and the properties `intent_id`, optional
`operator`, `altitude_lower` and `altitude_upper` (`{{value, reference: SFC|AGL|W84, units: M}}`) and
`time_start`, `time_end` (`{{value: RFC 3339 with offset, format: RFC3339}}`). A broken feature is an error
naming the file, the feature and the field; a file without a volume on the planned day is a warning.
"""

PLAN_NOTES = """\
## Plan outputs

`lowalt plan SCENARIO --out DIR` writes four files (`missions.write_plan` writes the same):

- `DIR/plan.json`: the `MissionPlan` model above, serialised (read back with `missions.read_plan`).
- `DIR/plan.geojson`: a GeoJSON FeatureCollection any GIS opens, with one feature per sortie, inspection,
  unserved task and hangar.
- `DIR/schedule.csv`: one row per sortie and one per recharge gap between two sorties of a drone.
- `DIR/intents.geojson`: every sortie's operational intent, one feature per 4D volume (below); also written by
  `lowalt export --format intents`.

### `plan.geojson` features

| `properties.kind` | geometry | properties |
| --- | --- | --- |
{geojson_rows}

The FeatureCollection carries a foreign member `plan` with {plan_member}. Every inspection lies on its
sortie's path, and every required piece of every target is inside some inspection or some `unserved` feature.

### `unserved` reasons

| `reason` | meaning |
| --- | --- |
{reasons}

### `intents.geojson` volumes

Fields after ASTM F3548-21 Volume4D (InterUSS `utm.yaml`): geometry is the volume's `outline_polygon` as a
GeoJSON Polygon (`[lon, lat]`, ring closed); properties `altitude_lower` / `altitude_upper` are Altitude objects
`{{value, reference, units}}` and `time_start` / `time_end` are Time objects `{{value, format: "RFC3339"}}` with UTC
(`Z`) times. F3548 allows only the reference `W84`; lowalt's heights are above ground, so it writes `SFC`, the
AIXM/FIXM code F3548's schema names as equivalent to AGL. Each feature also carries `kind: "intent_volume"`,
`intent_id` (the sortie id), `operator` (the scenario name), `sortie_id`, `drone_id` and `sequence` (its place in
the sortie's intent); the FeatureCollection's foreign member `intents` gives the format (`lowalt-intents/1`), the
scenario, date and time zone, and the intent options and separation minima used.

### `schedule.csv` columns

| column | meaning |
| --- | --- |
{schedule_rows}
"""

# plan.geojson feature properties (missions.plan_io.plan_to_geojson); a test compares them with real output.
GEOJSON_KINDS: dict[str, tuple[str, list[str]]] = {
    "sortie": ("LineString of `[lon, lat, alt_m]`, the whole flown path, hangar to hangar",
               ["sortie_id", "drone_id", "hangar_id", "drone_model", "takeoff", "landing", "times_s", "distance_m",
                "flight_time_s", "battery_used", "tasks"]),
    "inspection": ("LineString of `[lon, lat, alt_m]` as flown (Point for a point target)",
                   ["task_id", "target_id", "sortie_id", "start", "end"]),
    "unserved": ("the task's geometry (Point or LineString, `[lon, lat]`)",
                 ["task_id", "target_id", "reason", "detail"]),
    "hangar": ("Point", ["hangar_id", "name", "drone_model", "drones"]),
}
PLAN_MEMBER = ["scenario", "coverage", "total_distance_m", "sorties", "drones_used", "solve_time_s"]

REASON_TEXT = {
    UnservedReason.OUT_OF_REACH: "beyond every hangar's operating radius, or no round trip from a hangar fits in the "
                                 "usable energy (the detail gives the share it needs)",
    UnservedReason.BLOCKED_BY_AIRSPACE: "inside a keep-out zone whenever the fleet may fly, only reachable through "
                                        "keep-out zones, a sliver under 5 m left between zones, or an "
                                        "`altitude_m` above the airspace ceiling",
    UnservedReason.WIND: "a leg to, along or from it cannot make 1 m/s over the ground at the model's airspeed limit "
                         "in the wind at its height (the detail names the airspeed it would need), or a hangar within "
                         "reach has a model grounded by today's wind",
    UnservedReason.WINDOW_IMPOSSIBLE: "its window does not meet a usable hangar window, or is shorter than the "
                                      "inspection takes",
    UnservedReason.NO_CAPACITY: "could be flown alone, but every drone within reach is flying, recharging, "
                                "through its sorties or under a closure whenever it could be flown; the detail names "
                                "them, their longest free gap and what the task needs (lower priorities are dropped "
                                "first)",
    UnservedReason.TIME_LIMIT: "a drone within reach had the free time to fly it, but planning ran out of time "
                               "first; the detail names the drone, its free time and the search time the group had: "
                               "give more time (`--time-limit`)",
    UnservedReason.CONFLICT: "its sortie would come closer than the separation minima to another sortie or to "
                             "another operator's filed intent, and no takeoff within its slack clears it; the "
                             "detail names the sortie or intent, the place, the minutes, the heights and gaps, and "
                             "the shifts that were searched",
    UnservedReason.INVALID: "could not be turned into a task (a zero-length line, a corridor without a camera); "
                            "the detail says which",
    UnservedReason.CANCELLED: "its target was cancelled in a replan's changes file (`cancelled_targets`); what was "
                              "flown of it before `--at` stays flown",
}

CHANGES_NOTES = """\
## Changes file (`lowalt replan`)

`lowalt replan SCENARIO PLAN --at HH:MM --changes CHANGES --out DIR` (and `planner.replan`) plans the rest of a day
again after what happened or became known by `--at`. The changes file is YAML or JSON; every section is optional;
times are clock times of the scenario's day. It is read with `planner.replan.load_changes`, which checks it against
the scenario and `--at` and names file, entry and field in every error (`failures[1] (H01-1): at: 11:00 is after
--at 10:30: ...`). Example:

```yaml
description: "11:00 situation report"
failures: [{{drone: WC02-1, at: "10:52", reason: motor fault}}]
closures:
  - {{id: POLICE-1, restriction: prohibited, lower_m: 0, upper_m: 300, active: [{{start: "11:00", end: "14:00"}}],
     geometry: {{type: Polygon, coordinates: [[[114.285, 30.54], [114.31, 30.54], [114.31, 30.57], [114.285, 30.54]]]}}}}
  - file: police-closures.geojson          # zone files as in the scenario, relative to the changes file
cancelled_closures: [TFR-MARATHON]
wind: {{wind_speed_ms: 10, wind_from_deg: 300}}
out_of_service: [{{hangar: HK01, start: "11:30", reason: power cut}}, {{drone: EL02-1, end: "14:00"}}]
urgent_targets:
  - {{id: OUTFALL-7, kind: point, geometry: {{type: Point, coordinates: [114.36, 30.53]}}, hover_s: 120,
     deadline: "12:00"}}
cancelled_targets: [C-Han-Mouth]
```

In the changed day `lowalt replan` writes as `DIR/scenario.json` (the one the merged plan verifies against): new
closures are zones active from `--at`; a lifted zone is active as before until the second before `--at`; the wind is
a `weather_updates` entry from `--at`; outages and failed drones are `Hangar.outages` (a failed drone's from its
failure to 24:00); urgent targets are targets with `urgent: true` and the window `--at`..`deadline`.

{models}
"""

SCHEDULE_TEXT = {
    "drone_id": "`<hangar_id>-<n>`",
    "hangar_id": "the drone's hangar",
    "sortie_id": "the sortie (for a recharge row: the sortie just landed)",
    "activity": "`sortie` or `recharge`",
    "start": "ISO 8601 with offset",
    "end": "ISO 8601 with offset",
    "duration_min": "minutes",
    "distance_km": "kilometres flown (0 for a recharge)",
    "battery_used": "fraction of a full battery (0 for a recharge)",
    "tasks": "task ids in flight order, space-separated",
}


# ------------------------------------------------------------------------------------------------ rendering
def _anchor(model: type) -> str:
    return model.__name__.lower()


def type_text(annotation: object) -> str:
    """A readable type: `float`, `list[Hangar]`, `"a" | "b"`, with links to documented models."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None):
        return "null"
    if origin is typing.Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(type_text(a) for a in args)
    if origin is list:
        return f"list[{type_text(args[0])}]"
    if origin is dict:
        return "mapping"
    if inspect.isclass(annotation):
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{_anchor(annotation)})"
        if issubclass(annotation, enum.Enum):
            return " \\| ".join(f'`"{m.value}"`' for m in annotation)
        names = {str: "string", int: "integer", float: "number", bool: "boolean", dt.date: "date",
                 dt.datetime: "datetime (ISO 8601)"}
        if annotation in names:
            return names[annotation]
    if annotation is typing.Any:
        return "any"
    return str(annotation).replace("typing.", "")


def default_text(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "all defaults"
        return f"`{value!r}`"
    value = field.default
    if value is None:
        return "unset"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:.6g}`"  # 1/7 reads 0.142857, not its 17 binary digits
    return f"`{value}`"


def constraint_text(field) -> str:
    parts = []
    for item in field.metadata:
        if isinstance(item, Gt):
            parts.append(f"> {item.gt}")
        elif isinstance(item, Ge):
            parts.append(f">= {item.ge}")
        elif isinstance(item, Lt):
            parts.append(f"< {item.lt}")
        elif isinstance(item, Le):
            parts.append(f"<= {item.le}")
        elif isinstance(item, MinLen):
            parts.append(f"length >= {item.min_length}")
        elif isinstance(item, MaxLen):
            parts.append(f"length <= {item.max_length}")
    return ", ".join(parts)


_FIELD_LINE = re.compile(r"^\s{4}(\w+)\s*:[^#]*#\s*(.+?)\s*$")


def source_comments(model: type) -> dict[str, str]:
    """Trailing `# comments` on field lines of the model's class body: the code's own field notes."""
    try:
        lines = inspect.getsource(model).splitlines()
    except (OSError, TypeError):
        return {}
    comments = {}
    for line in lines:
        match = _FIELD_LINE.match(line)
        if match and match[1] in model.model_fields:
            text = re.sub(r"^lowalt addition[:;]\s*", "", match[2])
            text = re.sub(r"^None:", "Unset:", text)
            comments[match[1]] = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return comments


def describe(model: type, name: str) -> str:
    field = model.model_fields[name]
    text = field.description or ""
    for cls in model.__mro__:  # a subclass (UrgentTarget) keeps its base's notes for the fields it inherits
        if text or not (isinstance(cls, type) and issubclass(cls, BaseModel)) or name not in cls.model_fields:
            break
        text = DESCRIPTIONS.get(f"{cls.__name__}.{name}") or source_comments(cls).get(name, "")
    return text.replace("|", "\\|").replace("\n", " ")


def model_section(model: type, heading: str = "###") -> str:
    doc = inspect.getdoc(model) or ""
    if doc.startswith(("Usage docs:", "!!! abstract")) or model.__doc__ is None or "BaseModel" in doc[:40]:
        doc = ""
    out = [f'{heading} {model.__name__}', ""]
    if doc:
        out += [doc.split("\n\n")[0].replace("\n", " "), ""]
    out += ["| field | type | default | constraint | description |", "| --- | --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        out.append(f"| `{name}` | {type_text(field.annotation)} | {default_text(field)} | "
                   f"{constraint_text(field)} | {describe(model, name)} |")
    rules = RULES.get(model)
    if rules:
        out += ["", "Rules: " + "; ".join(rules) + "."]
    return "\n".join(out) + "\n"


def generate() -> str:
    parts = [INTRO.format(example=EXAMPLE), "## Scenario models\n",
             "`Scenario` is the top level of the file; the other models appear inside it.\n"]
    parts += [model_section(m) for m in SCENARIO_MODELS]
    restrictions = "\n".join(f"| `{r.value}` | {RESTRICTION_TEXT[r]} |" for r in Restriction)
    parts.append(SCENARIO_NOTES.format(restrictions=restrictions))
    parts.append("## Plan models (`plan.json`)\n")
    parts += [model_section(m) for m in PLAN_MODELS]
    geojson_rows = "\n".join(f"| `{kind}` | {geom} | {', '.join(f'`{p}`' for p in props)} |"
                             for kind, (geom, props) in GEOJSON_KINDS.items())
    reasons = "\n".join(f"| `{r.value}` | {REASON_TEXT[r]} |" for r in UnservedReason)
    schedule = "\n".join(f"| `{c}` | {SCHEDULE_TEXT[c]} |" for c in SCHEDULE_COLUMNS)
    parts.append(PLAN_NOTES.format(geojson_rows=geojson_rows, plan_member=", ".join(f"`{p}`" for p in PLAN_MEMBER),
                                   reasons=reasons, schedule_rows=schedule))
    parts.append(CHANGES_NOTES.format(models="\n".join(model_section(m) for m in CHANGES_MODELS)))
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    OUTPUT.write_text(generate(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
