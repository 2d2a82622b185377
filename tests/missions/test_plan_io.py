"""Plan output files: GeoJSON per SCENARIO.md, the schedule CSV, and plan.json read back.

Every file is parsed back with the standard library and compared with the plan it came from.
"""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from airspace.errors import InputError
from missions.plan_io import SCHEDULE_COLUMNS, plan_to_geojson, read_plan, write_plan
from missions.tasks import tasks_from_targets
from tests.helpers.plan_factory import build_plan, build_sortie


@pytest.fixture(scope="module")
def plan(scenario):
    tasks, unserved = tasks_from_targets(scenario, max_leg_m=1000)
    river = [t for t in tasks if t.target_id == "R1"]
    point = [t for t in tasks if t.target_id == "P1"]
    first = build_sortie(scenario, "S1", "H01-1", 8 * 3600 + 600, river[:1] + point)
    second = build_sortie(scenario, "S2", "H01-1", 10 * 3600, river[1:], reverse={river[1].task_id})
    return build_plan(scenario, tasks, [first, second], unserved)


@pytest.fixture(scope="module")
def written(plan, scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    return write_plan(plan, scenario, out)


def test_write_plan_writes_the_four_files(written):
    assert sorted(written) == ["intents.geojson", "plan.geojson", "plan.json", "schedule.csv"]
    assert all(path.stat().st_size > 0 for path in written.values())


def test_geojson_has_every_feature_kind_with_required_properties(written, plan):
    doc = json.loads(written["plan.geojson"].read_text())
    assert doc["type"] == "FeatureCollection"
    by_kind: dict[str, list[dict]] = {}
    for feature in doc["features"]:
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
    assert len(by_kind["sortie"]) == 2
    assert len(by_kind["inspection"]) == sum(len(s.inspections) for s in plan.sorties)
    assert [f["properties"]["hangar_id"] for f in by_kind["hangar"]] == ["H01"]
    required = {"sortie_id", "drone_id", "hangar_id", "takeoff", "landing", "times_s", "distance_m",
                "flight_time_s", "battery_used", "tasks"}
    for feature, sortie in zip(by_kind["sortie"], plan.sorties):
        props = feature["properties"]
        assert required <= set(props)
        coords = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "LineString"
        assert len(coords) == len(props["times_s"]) == len(sortie.waypoints)
        assert coords[0][2] == 0 and coords[-1][2] == 0 and max(c[2] for c in coords) == 100
        takeoff = dt.datetime.fromisoformat(props["takeoff"])
        landing = dt.datetime.fromisoformat(props["landing"])
        assert takeoff.utcoffset() == dt.timedelta(hours=8)
        assert (landing - takeoff).total_seconds() == pytest.approx(props["flight_time_s"])
        assert props["times_s"][-1] == pytest.approx(props["flight_time_s"])
        assert props["tasks"] == sortie.tasks
        assert props["battery_used"] == pytest.approx(sortie.battery_used, abs=1e-4)  # the energy share


def test_inspection_features_lie_on_their_sortie_and_point_tasks_are_points(written):
    doc = json.loads(written["plan.geojson"].read_text())
    sorties = {f["properties"]["sortie_id"]: f for f in doc["features"] if f["properties"]["kind"] == "sortie"}
    inspections = [f for f in doc["features"] if f["properties"]["kind"] == "inspection"]
    for feature in inspections:
        props = feature["properties"]
        assert {"task_id", "target_id", "sortie_id", "start", "end"} <= set(props)
        path = sorties[props["sortie_id"]]["geometry"]["coordinates"]
        coords = feature["geometry"]["coordinates"]
        positions = [coords] if feature["geometry"]["type"] == "Point" else coords
        assert all(p in path for p in positions)
        assert dt.datetime.fromisoformat(props["start"]) <= dt.datetime.fromisoformat(props["end"])
    point = next(f for f in inspections if f["properties"]["target_id"] == "P1")
    assert point["geometry"]["type"] == "Point"
    start, end = (dt.datetime.fromisoformat(point["properties"][k]) for k in ("start", "end"))
    assert (end - start).total_seconds() == pytest.approx(30)


def test_plan_member_carries_the_summary(written, plan):
    member = json.loads(written["plan.geojson"].read_text())["plan"]
    assert member == {
        "scenario": "factory-day", "coverage": pytest.approx(plan.summary.coverage),
        "total_distance_m": pytest.approx(plan.summary.total_distance_m), "sorties": 2, "drones_used": 1,
        "solve_time_s": pytest.approx(0.01),
    }
    assert member["coverage"] == pytest.approx(1.0)


def test_unserved_tasks_become_features_with_their_reason(plan, scenario):
    from missions.models import UnservedReason, UnservedTask
    extra = UnservedTask(task_id="X#1", target_id="X", reason=UnservedReason.OUT_OF_REACH, detail="too far",
                         coordinates=[[114.5, 30.6], [114.51, 30.6]])
    doc = plan_to_geojson(plan.model_copy(update={"unserved": [extra]}), scenario)
    unserved = [f for f in doc["features"] if f["properties"]["kind"] == "unserved"]
    assert len(unserved) == 1
    assert unserved[0]["properties"] == {"kind": "unserved", "task_id": "X#1", "target_id": "X",
                                         "reason": "out_of_reach", "detail": "too far"}
    assert unserved[0]["geometry"] == {"type": "LineString", "coordinates": [[114.5, 30.6], [114.51, 30.6]]}


def test_schedule_csv_has_sorties_and_the_recharge_between_them(written, plan):
    with written["schedule.csv"].open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == SCHEDULE_COLUMNS
        rows = list(reader)
    assert [r["activity"] for r in rows] == ["sortie", "recharge", "sortie"]
    first, gap, second = rows
    assert gap["start"] == first["end"] and gap["end"] == second["start"]
    gap_min = (dt.datetime.fromisoformat(gap["end"]) - dt.datetime.fromisoformat(gap["start"])).total_seconds() / 60
    assert float(gap["duration_min"]) == pytest.approx(gap_min, abs=0.01)
    assert float(first["distance_km"]) == pytest.approx(plan.sorties[0].distance_m / 1000, abs=1e-3)
    assert first["tasks"].split() == plan.sorties[0].tasks
    assert all(r["drone_id"] == "H01-1" and r["hangar_id"] == "H01" for r in rows)


def test_plan_json_round_trips_through_read_plan(written, plan):
    assert read_plan(written["plan.json"]) == plan
    assert read_plan(written["plan.json"].parent) == plan


def test_read_plan_names_the_file_and_field_at_fault(tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text(json.dumps({"scenario": "x", "date": "2026-11-21"}))
    with pytest.raises(InputError, match=r"plan\.json.*timezone"):
        read_plan(broken)
    with pytest.raises(FileNotFoundError, match="missing.json"):
        read_plan(tmp_path / "missing.json")
