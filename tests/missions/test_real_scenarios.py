"""Scenarios built the way an operator builds them from published data, planned and verified end to end.

- Beijing Haidian: rivers, roads and water taken straight from an OpenStreetMap extract with `layer:` and
  `where:` (the only OSM file at hand is Haidian's; no Wuhan OSM extract exists on disk).
- Wuhan: the national 1:4M river layer as shipped (GBK text, no .cpg, no .prj) and the derived Tianhe airport
  protection zones, a GeoJSON file without ids.
Data and attribution: tests/data/real/ATTRIBUTION.md.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from missions.loader import check_scenario
from missions.verify import verify_plan
from planner import PlanOptions, plan

REAL = Path(__file__).parents[1] / "data" / "real"

HAIDIAN = """\
name: haidian-osm
date: 2026-11-21
timezone: Asia/Shanghai
operating_window: {start: "08:00", end: "17:00"}
drone_models:
  - {id: m3d, cruise_speed_ms: 15, inspection_speed_ms: 8, endurance_min: 45, max_wind_ms: 12}
hangars:
  - {id: CAU-E, lon: 116.3560, lat: 40.0040, drone_model: m3d, drones: 2, operating_radius_m: 3000, recharge_min: 30}
  - {id: CAU-W, lon: 116.3470, lat: 40.0030, drone_model: m3d, drones: 1, operating_radius_m: 3000, recharge_min: 30}
targets:
  - file: haidian_extract.osm
    kind: river
    layer: lines
    where: "waterway IN ('river','canal')"
    altitude_m: 60
  - file: haidian_extract.osm
    kind: road
    layer: lines
    where: "highway IN ('primary','secondary','tertiary')"
    altitude_m: 80
  - file: haidian_extract.osm
    kind: shoreline
    layer: multipolygons
    where: "\\"natural\\" = 'water'"
    altitude_m: 60
"""

WUHAN = """\
name: wuhan-national-rivers
date: 2026-11-21
timezone: Asia/Shanghai
operating_window: {start: "08:00", end: "17:00"}
drone_models:
  - {id: dock2, cruise_speed_ms: 15, inspection_speed_ms: 10, endurance_min: 40, max_wind_ms: 12}
hangars:
  - {id: HANKOU, lon: 114.2900, lat: 30.5900, drone_model: dock2, drones: 2, operating_radius_m: 8000, recharge_min: 30}
  - {id: WUCHANG, lon: 114.3100, lat: 30.5500, drone_model: dock2, drones: 2, operating_radius_m: 8000, recharge_min: 30}
  - {id: HANYANG, lon: 114.2300, lat: 30.5400, drone_model: dock2, drones: 1, operating_radius_m: 8000, recharge_min: 30}
airspace:
  zones:
    - file: zhhh_tianhe_protection_zones_derived.geojson
      restriction: authorisation_required
targets:
  - file: hyd2_4l_wuhan_clip.shp
    kind: river
    encoding: GBK
    name_property: NAME
    altitude_m: 80
"""


def _scenario(tmp_path: Path, text: str, files: list[str]):
    for name in files:
        shutil.copy(REAL / name, tmp_path / name)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    scenario, problems = check_scenario(path)
    assert scenario is not None, "\n".join(map(str, problems))
    return scenario, problems


@pytest.mark.slow
def test_haidian_rivers_roads_and_water_from_openstreetmap_plan_and_verify(tmp_path):
    scenario, problems = _scenario(tmp_path, HAIDIAN, ["haidian_extract.osm"])
    targets = scenario.resolved_targets()
    kinds = sorted({t.kind for t in targets})
    assert kinds == ["river", "road", "shoreline"]
    assert [t.name for t in targets if t.kind == "river"] == ["小月河"]
    assert all(t.id.startswith("haidian_extract-") for t in targets)
    result = plan(scenario, PlanOptions(time_limit_s=8, seed=0, solution_limit=300))
    report = verify_plan(result, scenario)
    assert report.ok, report.violations
    assert result.summary.sorties >= 1 and report.coverage > 0.3
    served = {i.target_id for s in result.sorties for i in s.inspections}
    assert {t.id for t in targets if t.kind == "river"} & served  # the river from OSM is flown


@pytest.mark.slow
def test_wuhan_national_river_layer_and_tianhe_zones_plan_and_verify(tmp_path):
    files = ["hyd2_4l_wuhan_clip.shp", "hyd2_4l_wuhan_clip.shx", "hyd2_4l_wuhan_clip.dbf",
             "zhhh_tianhe_protection_zones_derived.geojson"]
    scenario, problems = _scenario(tmp_path, WUHAN, files)
    assert "长江" in {t.name for t in scenario.resolved_targets()}  # GBK read as GBK
    warnings = [p.message for p in problems]
    assert any("no coordinate system" in m for m in warnings)  # the layer ships without .prj
    assert any("zone has no id" in m for m in warnings)
    zones = scenario.zones()
    assert len(zones) == 4 and all(z.id.startswith("zhhh_tianhe_protection_zones_derived#") for z in zones)
    result = plan(scenario, PlanOptions(time_limit_s=10, seed=0, solution_limit=300))
    report = verify_plan(result, scenario)
    assert report.ok, report.violations
    assert result.summary.sorties >= 2
    assert {i.target_id for s in result.sorties for i in s.inspections}
