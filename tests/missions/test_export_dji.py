"""DJI WPML content: the aircraft and payload each profile declares, camera and gimbal actions, the dock briefing.

Plans come from tests/plan_factory.py (verified); files are read back with ElementTree and DJI's rules (consumers).
"""
from __future__ import annotations

import io
import logging
import subprocess
import sys
import zipfile
from xml.etree import ElementTree as ET

import pytest
import yaml

from missions.export.dji_actions import GIMBAL_PITCH_DEG
from missions.export.dji_briefing import dock_briefing
from missions.export.dji_products import AIRCRAFT, PAYLOADS
from missions.export.dji_wpml import KML_NS, WPML_NS, kmz_bytes, write_wpml_kmz
from missions.models import DjiProfile, Scenario
from missions.tasks import tasks_from_targets
from missions.verify import verify_plan
from planner.cli.main import main
from tests.helpers import consumers as c
from tests.helpers.plan_factory import M3D, build_plan, build_sortie, small_scenario

H = 3600
NS = {"kml": KML_NS, "wpml": WPML_NS}


def _day(dji: dict | None = None, *, model_id: str = "m3d", camera: bool = True):
    model = M3D.model_copy(update={"id": model_id, "dji": None if dji is None else DjiProfile.model_validate(dji),
                                   "camera": M3D.camera if camera else None})
    data = small_scenario().model_dump()
    data["drone_models"] = [model.model_dump()]
    data["hangars"][0]["drone_model"] = model_id
    scenario = Scenario.model_validate(data)
    tasks, _ = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    plan = build_plan(scenario, tasks, [build_sortie(scenario, "S1", "H01-1", 9 * H, river + point)])
    assert verify_plan(plan, scenario).ok
    return scenario, plan


def _roots(data: bytes) -> tuple[ET.Element, ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return (ET.fromstring(archive.read("wpmz/template.kml")), ET.fromstring(archive.read("wpmz/waylines.wpml")))


def _groups(root: ET.Element) -> list[dict]:
    out = []
    for placemark in root.iterfind("kml:Document/kml:Folder/kml:Placemark", NS):
        for group in placemark.iterfind("wpml:actionGroup", NS):
            out.append({
                "at": int(placemark.findtext("wpml:index", "", NS)),
                "span": (int(group.findtext("wpml:actionGroupStartIndex", "", NS)),
                         int(group.findtext("wpml:actionGroupEndIndex", "", NS))),
                "trigger": group.findtext("wpml:actionTrigger/wpml:actionTriggerType", "", NS),
                "param": group.findtext("wpml:actionTrigger/wpml:actionTriggerParam", None, NS),
                "actions": [(a.findtext("wpml:actionActuatorFunc", "", NS),
                             {p.tag.split("}")[1]: p.text for p in a.find("wpml:actionActuatorFuncParam", NS)})
                            for a in group.iterfind("wpml:action", NS)],
            })
    return out


@pytest.mark.parametrize("dji, model_id, drone, payload", [
    (None, "m3d", (91, 0), 80),
    (None, "m30", (67, 0), 52),  # the M30-class profile of the demo: a Matrice 30, not a Matrice 3D
    ({"aircraft": "m4td"}, "dock3", (100, 1), 99),
    ({"aircraft": "m30t"}, "m3d", (67, 1), 53),  # the dji block wins over the id
    ({"aircraft": "m350", "payload": "h30t"}, "pilot", (89, 0), 83),
])
def test_each_profile_declares_its_dji_aircraft_and_payload_in_both_files(dji, model_id, drone, payload, tmp_path):
    scenario, plan = _day(dji, model_id=model_id)
    (path,) = write_wpml_kmz(plan, scenario, tmp_path)
    for root in _roots(path.read_bytes()):
        config = root.find("kml:Document/wpml:missionConfig", NS)
        assert (int(config.findtext("wpml:droneInfo/wpml:droneEnumValue", "", NS)),
                int(config.findtext("wpml:droneInfo/wpml:droneSubEnumValue", "", NS))) == drone
        assert int(config.findtext("wpml:payloadInfo/wpml:payloadEnumValue", "", NS)) == payload
        assert config.findtext("wpml:payloadInfo/wpml:payloadPositionIndex", "", NS) == "0"
    assert c.wpml_table_problems(path) == []
    assert c.dji_demo_import_check(path, c.DEMO_DEVICES | c.DOCK3_DEVICES) == f"0-{drone[0]}-{drone[1]}"


def test_a_profile_naming_no_aircraft_declares_a_matrice_3d_and_warns(tmp_path, caplog):
    scenario, plan = _day(None, model_id="river-drone")
    with caplog.at_level(logging.WARNING, logger="missions.export"):
        (path,) = write_wpml_kmz(plan, scenario, tmp_path)
    assert ("drone model 'river-drone' names no DJI aircraft and has no dji block: WPML declares Matrice 3D (m3d)"
            in caplog.text)
    assert c.dji_demo_import_check(path) == "0-91-0"


def test_photos_along_stretches_and_on_points_with_the_gimbal_nadir(tmp_path):
    scenario, plan = _day({"aircraft": "m3d"})
    sortie = plan.sorties[0]
    template, waylines = _roots(kmz_bytes(sortie, scenario, kinds={t.task_id: t.kind for t in plan.tasks}))
    assert _groups(template) == _groups(waylines)
    groups = _groups(waylines)
    *rivers, point = sortie.inspections  # the 1.9 km river is flown as two legs, then the point
    height = sortie.waypoints[rivers[0].first_index].alt_m
    interval = round(height * 17.3 / 12.3 * 0.75 * (1 - 0.6), 1)  # 80 m: footprint 112.5 m, 3/4 along, 60 % overlap
    aim = ("gimbalRotate", {"payloadPositionIndex": "0", "gimbalHeadingYawBase": "north",
                            "gimbalRotateMode": "absoluteAngle", "gimbalPitchRotateEnable": "1",
                            "gimbalPitchRotateAngle": "-90", "gimbalRollRotateEnable": "0",
                            "gimbalRollRotateAngle": "0", "gimbalYawRotateEnable": "0", "gimbalYawRotateAngle": "0",
                            "gimbalRotateTimeEnable": "0", "gimbalRotateTime": "0"})
    photo = lambda task: ("takePhoto", {"payloadPositionIndex": "0", "fileSuffix": task.replace("#", "_"),  # noqa: E731
                                        "payloadLensIndex": "wide", "useGlobalPayloadLensIndex": "0"})
    expected = []
    for river in rivers:
        first, last = river.first_index - 1, river.last_index - 1  # placemark n is sortie vertex n + 1
        expected += [{"at": first, "span": (first, first), "trigger": "reachPoint", "param": None, "actions": [aim]},
                     {"at": first, "span": (first, last), "trigger": "multipleDistance", "param": repr(interval),
                      "actions": [photo(river.task_id)]}]
    stop = point.first_index - 1
    expected.append({"at": stop, "span": (stop, stop), "trigger": "reachPoint", "param": None,
                     "actions": [aim, photo(point.task_id), ("hover", {"hoverTime": "30"})]})
    assert len(rivers) == 2 and groups == expected
    assert interval == 33.8


def test_video_capture_records_each_stretch_and_each_point(tmp_path):
    scenario, plan = _day({"aircraft": "m3td", "capture": "video"})
    sortie = plan.sorties[0]
    _, waylines = _roots(kmz_bytes(sortie, scenario))
    *rivers, point = sortie.inspections
    funcs = [(g["span"], g["trigger"], [a[0] for a in g["actions"]]) for g in _groups(waylines)]
    expected = []
    for river in rivers:
        first, last = river.first_index - 1, river.last_index - 1
        expected += [((first, first), "reachPoint", ["gimbalRotate", "startRecord"]),
                     ((last, last), "reachPoint", ["stopRecord"])]
    stop = point.first_index - 1
    expected.append(((stop, stop), "reachPoint", ["gimbalRotate", "startRecord", "hover", "stopRecord"]))
    assert funcs == expected
    record = _groups(waylines)[0]["actions"][1][1]
    assert record["payloadLensIndex"] == "wide,ir"  # the thermal Matrice 3TD stores both lenses


def test_a_profile_without_camera_records_video_and_says_why(tmp_path, caplog):
    scenario, plan = _day({"aircraft": "m3d"}, camera=False)
    with caplog.at_level(logging.WARNING, logger="missions.export"):
        (path,) = write_wpml_kmz(plan, scenario, tmp_path)
    assert "drone model 'm3d' has no camera to size a photo interval: its WPML records video instead" in caplog.text
    assert b"startRecord" in zipfile.ZipFile(path).read("wpmz/waylines.wpml")


def test_briefing_tells_what_the_dock_flies_with_the_profiles_numbers():
    scenario, plan = _day(None, model_id="m30")
    lines = dock_briefing(plan, scenario)
    sortie = plan.sorties[0]
    top = max(w.alt_m for w in sortie.waypoints)
    assert lines[0] == "DJI WPML 1.0.2: what the dock flies, per drone profile"
    assert lines[1] == ("- m30: Matrice 30 (droneEnumValue 67/0) with the Matrice 30 camera (payloadEnumValue 52), "
                        "for DJI Dock; chosen by its id; 1 sorties")
    assert lines[2] == "  speeds over the ground, as planned: transit 15.0 m/s, inspection stretches 8.0 m/s"
    assert lines[3].startswith(f"  heights above the dock (relativeToStartPoint): 60-{top:.0f} m; climbs to 100 m")
    assert lines[4] == ("  camera (wide,zoom): gimbal -90 deg (nadir); a photo every 33.8 m along each stretch "
                        "(60% forward overlap), one photo on arrival at a point; hovers 30 s (on points, and where "
                        "the plan waits for a window)")
    assert lines[5].startswith(f"  after the last vertex: goHome at {top:.0f} m (globalRTHHeight)")
    assert lines[-1].startswith("gimbal pitch by target kind (deg): river -90, road -90")


def test_cli_export_wpml_prints_the_briefing_after_the_paths(tmp_path, capsys):
    scenario, plan = _day({"aircraft": "m4d"})
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True)))
    code = main(["export", str(tmp_path / "plan.json"), "--format", "wpml", "--out", str(tmp_path / "dji"),
                 "--scenario", str(tmp_path / "scenario.yaml")])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == str(tmp_path / "dji" / "S1.kmz")
    assert out[1] == "DJI WPML 1.0.2: what the dock flies, per drone profile"
    assert out[2].startswith("- m3d: Matrice 4D (droneEnumValue 100/0) with the Matrice 4D camera")
    assert "goHome" in out[6]


def test_unknown_aircraft_and_missing_payload_are_named_with_file_feature_and_field(tmp_path, capsys):
    scenario, _ = _day(None)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["drone_models"] = [dict(data["drone_models"][0], dji={"aircraft": "m5d"}),
                            dict(data["drone_models"][0], id="big", dji={"aircraft": "m350"})]
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().out + capsys.readouterr().err
    assert ("scenario.yaml: drone_models[0] (m3d): dji: unknown DJI aircraft 'm5d' (known: m30, m30t, m3d, m3td, "
            "m4d, m4td, m300, m350)") in err
    assert ("scenario.yaml: drone_models[1] (big): dji: DJI aircraft 'm350' takes an exchangeable payload: name it "
            "(one of h20, h20t, h20n, h30, h30t)") in err


def test_catalogue_agrees_with_dji_enumeration_transcribed_independently():
    for key, aircraft in AIRCRAFT.items():
        enum = (aircraft.enum, aircraft.sub_enum)
        assert enum in c.DJI_AIRCRAFT, key
        assert {PAYLOADS[p].enum for p in aircraft.payloads} == c.DJI_AIRCRAFT_PAYLOADS[enum], key
    assert set(GIMBAL_PITCH_DEG) == {"river", "road", "pipeline", "shoreline", "point"}


def test_missions_models_imports_on_its_own():
    # missions.models reads the DJI catalogue from missions.export: importing it first must not cycle.
    done = subprocess.run([sys.executable, "-c", "import missions.models"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
