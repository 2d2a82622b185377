"""Operational intents: the volumes drawn around a sortie, stored on the plan, written as GeoJSON after ASTM F3548
Volume4D and read back; other operators' intents referenced from a scenario, with errors naming file/feature/field.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely

from airspace.errors import InputError
from missions.intent_models import DeconflictionOptions, IntentOptions
from missions.intents import later, path_knots, plan_projector, sortie_intent, volume_paths, with_intents
from missions.intents_io import intents_to_geojson, read_intents, write_intents
from missions.loader import check_scenario
from missions.plan_io import read_plan, write_plan
from missions.tasks import tasks_from_targets
from missions.verify import verify_plan
from tests.helpers.plan_factory import build_plan, build_sortie

DATA = Path(__file__).parent.parent / "data" / "intents"
OPTIONS = IntentOptions()


@pytest.fixture(scope="module")
def plan(scenario):
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=5000)
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    first = build_sortie(scenario, "S1", "H01-1", 9 * 3600, river)
    second = build_sortie(scenario, "S2", "H01-2", 13 * 3600, point)  # hovers 30 s on its point
    return with_intents(build_plan(scenario, tasks, [first, second], unserved))


# ------------------------------------------------------------------------------------------------ volumes
def test_volumes_chain_from_takeoff_to_landing_in_pieces_of_at_most_30_s(plan):
    for sortie in plan.sorties:
        volumes = sortie.intent
        assert volumes[0].t_from_s == 0 and volumes[-1].t_to_s == pytest.approx(sortie.flight_time_s, abs=1e-3)
        assert all(a.t_to_s == b.t_from_s for a, b in zip(volumes, volumes[1:]))
        assert all(0 <= v.t_to_s - v.t_from_s <= OPTIONS.volume_max_s + 1e-6 for v in volumes)
        assert len(volumes) >= sortie.flight_time_s / OPTIONS.volume_max_s


def test_each_volume_holds_its_stretch_of_path_with_the_accuracy_and_timing_buffers(plan, scenario):
    projector = plan_projector(plan, scenario)
    for sortie in plan.sorties:
        paths = volume_paths(sortie, sortie.intent, projector)
        knot_times, index = path_knots(sortie)
        xs, ys = projector.forward([w.lon for w in sortie.waypoints], [w.lat for w in sortie.waypoints])
        x_knots, y_knots = np.asarray(xs)[index], np.asarray(ys)[index]
        alt = np.array([w.alt_m for w in sortie.waypoints])[index]
        for volume, path in zip(sortie.intent, paths):
            # Sample the flight (straight legs in the metric CRS) inside the volume's nominal time span: it lies
            # on the footprint's centre line and in the band.
            for t in np.linspace(volume.t_from_s, volume.t_to_s, 7):
                point = shapely.Point(np.interp(t, knot_times, x_knots), np.interp(t, knot_times, y_knots))
                assert path.distance(point) < 1e-6
                z = np.interp(t, knot_times, alt)
                assert volume.altitude_lower_m <= max(z - OPTIONS.vertical_accuracy_m, 0) + 1e-6
                assert z + OPTIONS.vertical_accuracy_m <= volume.altitude_upper_m + 1e-6
            assert volume.buffer_m == OPTIONS.horizontal_accuracy_m
            slack_start = OPTIONS.timing_uncertainty_s + OPTIONS.timing_drift * volume.t_from_s
            slack_end = OPTIONS.timing_uncertainty_s + OPTIONS.timing_drift * volume.t_to_s
            # Rounded outwards to the millisecond.
            early = (later(sortie.takeoff, volume.t_from_s - slack_start) - volume.time_start).total_seconds()
            late = (volume.time_end - later(sortie.takeoff, volume.t_to_s + slack_end)).total_seconds()
            assert 0 <= early < 1e-3 and 0 <= late < 1e-3


def test_a_hover_holds_its_point_for_its_whole_time(plan, scenario):
    sortie = plan.sorties[1]
    k = next(i for i, w in enumerate(sortie.waypoints) if w.hover_s)
    hover = sortie.waypoints[k]
    knot_times, index = path_knots(sortie)
    assert knot_times[index == k].tolist() == [hover.t_s, hover.t_s + hover.hover_s]
    projector = plan_projector(plan, scenario)
    point = shapely.Point(projector.forward(hover.lon, hover.lat))
    start, end = hover.t_s, hover.t_s + hover.hover_s
    covering = [(v, p) for v, p in zip(sortie.intent, volume_paths(sortie, sortie.intent, projector))
                if v.t_from_s < end and v.t_to_s > start]
    assert sum(min(v.t_to_s, end) - max(v.t_from_s, start) for v, _ in covering) == pytest.approx(hover.hover_s)
    assert all(p.distance(point) < 1e-6 for _, p in covering)


def test_with_intents_records_the_options_and_the_plan_still_verifies(plan, scenario):
    assert plan.deconfliction == DeconflictionOptions()
    assert verify_plan(plan, scenario).ok


def test_later_adds_elapsed_time_across_a_daylight_saving_change():
    berlin = dt.datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert later(berlin, 3600).hour == 3  # 02:00-03:00 does not exist that night
    assert later(dt.datetime(2026, 3, 29, 1, 30), 60) == dt.datetime(2026, 3, 29, 1, 31)


def test_tighter_options_draw_smaller_volumes(plan):
    sortie = plan.sorties[0]
    tight = sortie_intent(sortie, IntentOptions(horizontal_accuracy_m=2, vertical_accuracy_m=1,
                                                timing_uncertainty_s=5, timing_drift=0, volume_max_s=10))
    assert len(tight) > len(sortie.intent)
    assert all(v.buffer_m == 2 for v in tight)
    assert max((v.time_end - v.time_start).total_seconds() for v in tight) <= 10 + 2 * 5 + 1e-3


# ------------------------------------------------------------------------------------------------ the file
def test_intents_file_follows_f3548_volume4d_fields(plan, scenario):
    data = intents_to_geojson(plan, plan_projector(plan, scenario))
    assert data["intents"]["format"] == "lowalt-intents/1"
    assert len(data["features"]) == sum(len(s.intent) for s in plan.sorties)
    feature = data["features"][3]
    props = feature["properties"]
    assert feature["geometry"]["type"] == "Polygon"
    assert props["altitude_lower"]["reference"] == "SFC" and props["altitude_lower"]["units"] == "M"
    assert props["time_start"]["format"] == "RFC3339" and props["time_start"]["value"].endswith("Z")
    volume = plan.sorties[0].intent[3]
    assert dt.datetime.fromisoformat(props["time_start"]["value"]) == volume.time_start
    assert props["altitude_upper"]["value"] == volume.altitude_upper_m
    assert (props["intent_id"], props["sortie_id"], props["drone_id"], props["sequence"]) == ("S1", "S1", "H01-1", 3)


def test_written_intents_read_back_as_the_same_volumes(plan, scenario, tmp_path):
    path = write_intents(plan, plan_projector(plan, scenario), tmp_path / "intents.geojson")
    volumes = read_intents(path)
    mine = [v for s in plan.sorties for v in s.intent]
    assert len(volumes) == len(mine)
    projector = plan_projector(plan, scenario)
    paths = [p for s in plan.sorties for p in volume_paths(s, s.intent, projector)]
    for read, drawn, path_m in zip(volumes, mine, paths):
        assert (read.lower_m, read.upper_m) == (drawn.altitude_lower_m, drawn.altitude_upper_m)
        assert abs((read.start - drawn.time_start).total_seconds()) <= 1e-3
        outline = projector.to_metric(read.geometry.shape)
        # The outline holds the whole footprint (the path widened by the buffer, its caps truly round) and is
        # at most 2 m wider: octagon caps, 0.5 m simplification and 1 cm rounding, all taken outwards.
        footprint = path_m.buffer(drawn.buffer_m, quad_segs=64)
        assert outline.buffer(1e-6).covers(footprint)
        assert outline.hausdorff_distance(footprint) < 2.0


def test_write_plan_writes_intents_and_a_plan_json_keeps_them(plan, scenario, tmp_path):
    paths = write_plan(plan, scenario, tmp_path)
    assert json.loads(paths["intents.geojson"].read_text())["features"]
    again = read_plan(paths["plan.json"])
    assert again.sorties[0].intent == plan.sorties[0].intent
    assert again.deconfliction == plan.deconfliction


def test_a_plan_without_intents_still_reads_and_gets_default_volumes(plan, scenario, tmp_path):
    old = plan.model_copy(update={"sorties": [s.model_copy(update={"intent": None}) for s in plan.sorties],
                                  "deconfliction": None})
    (tmp_path / "plan.json").write_text(old.model_dump_json(exclude={"deconfliction"}))
    again = read_plan(tmp_path / "plan.json")
    assert again.sorties[0].intent is None and again.deconfliction is None
    data = intents_to_geojson(again, plan_projector(again, scenario))
    assert len(data["features"]) == sum(len(s.intent) for s in plan.sorties)


# ------------------------------------------------------------------------------------------------ reading others'
def _volume(**props) -> dict:
    base = {
        "intent_id": "OP-7", "operator": "city-survey",
        "altitude_lower": {"value": 40, "reference": "SFC", "units": "M"},
        "altitude_upper": {"value": 90, "reference": "SFC", "units": "M"},
        "time_start": {"value": "2026-11-21T01:00:00Z", "format": "RFC3339"},
        "time_end": {"value": "2026-11-21T02:00:00Z", "format": "RFC3339"},
    }
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": {"type": "Polygon", "coordinates": [
        [[114.415, 30.495], [114.425, 30.495], [114.425, 30.505], [114.415, 30.505], [114.415, 30.495]]]}}


def _file(tmp_path: Path, *features: dict, name: str = "others.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_other_operators_volume_reads_with_times_and_heights(tmp_path):
    (volume,) = read_intents(_file(tmp_path, _volume()))
    assert (volume.intent_id, volume.operator, volume.lower_m, volume.upper_m) == ("OP-7", "city-survey", 40, 90)
    assert volume.start == dt.datetime(2026, 11, 21, 1, tzinfo=dt.timezone.utc)
    assert volume.source == "others.geojson: features[0] (OP-7)"


def test_w84_heights_become_heights_above_ground_with_the_ground_height_given(tmp_path):
    feature = _volume(altitude_lower={"value": 52, "reference": "W84", "units": "M"},
                      altitude_upper={"value": 102, "reference": "W84", "units": "M"})
    (volume,) = read_intents(_file(tmp_path, feature), ground_height_w84_m=12.0)
    assert (volume.lower_m, volume.upper_m) == (40.0, 90.0)


@pytest.mark.parametrize("name, field, message", [
    ("intents_W84WithoutGroundHeight.geojson", "properties.altitude_lower.reference", "set ground_height_w84_m"),
    ("intents_UnitsInFeet.geojson", "properties.altitude_upper.units", "units 'FT' are not supported"),
    ("intents_TimeWithoutOffset.geojson", "properties.time_start.value", "has no UTC offset"),
    ("intents_EndBeforeStart.geojson", "properties.time_end.value", "must be after time_start"),
    ("intents_UpperBelowLower.geojson", "properties.altitude_upper.value", "must be above altitude_lower 90 m"),
    ("intents_LineStringOutline.geojson", "geometry.type", "not LineString"),
    ("intents_MissingAltitudeLower.geojson", "properties.altitude_lower", "must be an Altitude object"),
    ("intents_NoIntentId.geojson", "properties.intent_id", "names the operational intent"),
    ("intents_SelfIntersectingOutline.geojson", "geometry", "Self-intersection"),
    ("intents_NotAFeatureCollection.geojson", "type", "GeoJSON FeatureCollection"),
])
def test_broken_intents_files_name_file_feature_and_field(name, field, message):
    with pytest.raises(InputError, match=message) as err:
        read_intents(DATA / name)
    assert err.value.file.endswith(name)
    assert err.value.field == field
    if field != "type":
        assert err.value.feature.startswith("features[")


def _scenario_file(tmp_path: Path, entry: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(f"""
name: with-others
date: 2026-11-21
timezone: Asia/Shanghai
operating_window: {{start: "08:00", end: "17:00"}}
drone_models: [{{id: m3d, cruise_speed_ms: 15, inspection_speed_ms: 8, endurance_min: 45, max_wind_ms: 12}}]
hangars: [{{id: H01, lon: 114.40, lat: 30.50, drone_model: m3d, drones: 1, operating_radius_m: 5000,
           recharge_min: 32}}]
airspace:
  intents:
    - {entry}
targets: [{{id: R1, kind: river, geometry: {{type: LineString, coordinates: [[114.41, 30.50], [114.43, 30.50]]}}}}]
""")
    return path


def test_a_scenario_lists_other_operators_intents_by_file(tmp_path):
    _file(tmp_path, _volume(), _volume(intent_id="OP-8"))
    scenario, problems = check_scenario(_scenario_file(tmp_path, "{file: others.geojson}"))
    assert scenario is not None, problems
    assert [v.intent_id for v in scenario.airspace.external_volumes()] == ["OP-7", "OP-8"]
    assert not problems


def test_a_broken_intents_file_is_a_scenario_error_naming_file_feature_and_field(tmp_path):
    _file(tmp_path, _volume(), _volume(altitude_lower={"value": 40, "reference": "MSL", "units": "M"}))
    scenario, problems = check_scenario(_scenario_file(tmp_path, "{file: others.geojson}"))
    assert scenario is None
    (problem,) = problems
    assert problem.file.endswith("others.geojson")
    assert problem.feature == "airspace.intents[0] (others.geojson) -> features[1] (OP-7)"
    assert problem.field == "properties.altitude_lower.reference"
    assert "'MSL' is not one of SFC, AGL, W84" in problem.message


def test_an_intents_file_for_another_day_is_a_warning(tmp_path):
    other_day = {"value": "2026-11-25T01:00:00Z", "format": "RFC3339"}
    _file(tmp_path, _volume(time_start=other_day, time_end={"value": "2026-11-25T02:00:00Z", "format": "RFC3339"}))
    scenario, problems = check_scenario(_scenario_file(tmp_path, "{file: others.geojson}"))
    assert scenario is not None
    (problem,) = problems
    assert problem.severity == "warning"
    assert "none of its 1 volumes is on 2026-11-21 (Asia/Shanghai)" in problem.message


def test_a_missing_intents_file_names_the_entry(tmp_path):
    scenario, problems = check_scenario(_scenario_file(tmp_path, "{file: nowhere.geojson}"))
    assert scenario is None
    assert problems[0].feature == "airspace.intents[0] (nowhere.geojson)" and problems[0].field == "file"
    assert "not found" in problems[0].message
