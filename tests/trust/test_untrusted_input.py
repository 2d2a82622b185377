"""Untrusted input: safe YAML, local file references only, bounded size and nesting, escaped text in outputs.

A scenario arrives from e-mail or a shared drive; it must not run code, fetch URLs, exhaust memory, or smuggle
markup into the map page or the XML mission files the docks load.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import socket
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from airspace.errors import InputError
from airspace.geometry import Geometry
from airspace.readers import load_zones
from airspace.windows import TimeWindow
from airspace.zones import Restriction, Zone
from missions.export import export_plan
from missions.loader import MAX_DEPTH, MAX_FILE_BYTES, check_scenario
from missions.models import AirspaceSpec, DroneModel, Hangar, Scenario, Target, TargetFileRef, Weather
from missions.target_readers import load_targets
from missions.verify import verify_plan
from planner import PlanOptions, plan
from planner.cli.main import main
from tests.helpers import TESTS_DIR

SEEDS = TESTS_DIR / "fuzz_seeds"
MINIMAL = """\
name: untrusted
date: 2026-11-21
timezone: Asia/Shanghai
operating_window: {start: "08:00", end: "17:00"}
drone_models:
  - {id: m3d, cruise_speed_ms: 15, inspection_speed_ms: 8, endurance_min: 45, max_wind_ms: 12}
hangars:
  - {id: H01, lon: 114.4121, lat: 30.5043, drone_model: m3d, drones: 1, operating_radius_m: 7000, recharge_min: 32}
"""


def _cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


def _errors(path: Path) -> list:
    scenario, problems = check_scenario(path)
    assert scenario is None
    return [p for p in problems if p.severity == "error"]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: references must never be fetched."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# ------------------------------------------------------------------------------------------ YAML
@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system [\"touch {marker}\"]",
    "!!python/object/new:subprocess.Popen [[\"touch\", \"{marker}\"]]",
    "!!python/name:os.system",
])
def test_python_yaml_tags_are_refused_and_never_run(tmp_path, tag):
    marker = tmp_path / "pwned"
    path = tmp_path / "scenario.yaml"
    path.write_text(MINIMAL + "weather: " + tag.format(marker=marker) + "\n")
    (error,) = _errors(path)
    assert "not allowed" in error.message and "safe" in error.message
    code, text = _cli(["validate", str(path)])
    assert code == 1 and "Traceback" not in text and "not allowed" in text
    code, text = _cli(["plan", str(path), "--out", str(tmp_path / "out"), "--time-limit", "1"])
    assert code == 1 and "Traceback" not in text
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    # Nine levels of ten aliases: a billion leaves once expanded; the loader must measure shared nodes.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text(MINIMAL + "extra:\n" + "\n".join("  " + line for line in lines) + "\n")
    (error,) = _errors(path)
    assert "expands to" in error.message and "aliases" in error.message


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "name: " + "[" * 100_000 + "]" * 100_000),
    (".json", '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    (".yaml", "name: x\nextra: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)),
])
def test_absurdly_nested_documents_are_refused_with_a_clear_error(tmp_path, suffix, text):
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    (error,) = _errors(path)
    assert f"nests deeper than {MAX_DEPTH} levels" in error.message


# ------------------------------------------------------------------------------------------ references
@pytest.mark.parametrize("reference", [
    "https://example.com/zones.geojson", "http://10.0.0.1/zones.geojson", "ftp://example.com/z.json",
    "file:///etc/passwd", "s3://bucket/zones.geojson", "HTTPS://EXAMPLE.COM/z.geojson",
])
@pytest.mark.parametrize("section", ["zones", "grid", "targets"])
def test_url_references_are_refused_without_touching_the_network(tmp_path, no_network, reference, section):
    entry = {"zones": f"airspace:\n  zones:\n    - file: '{reference}'\n",
             "grid": f"airspace:\n  grid: {{file: '{reference}'}}\n",
             "targets": f"targets:\n  - file: '{reference}'\n    kind: river\n"}[section]
    path = tmp_path / "scenario.yaml"
    path.write_text(MINIMAL + entry)
    (error,) = _errors(path)
    assert error.field == "file" and "only local file paths are read" in error.message
    assert reference in (error.feature or "")


def test_windows_drive_paths_are_treated_as_paths_not_urls(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(MINIMAL + "targets:\n  - file: 'C:\\data\\rivers.geojson'\n    kind: river\n")
    (error,) = _errors(path)
    assert "not found" in error.message


def test_a_directory_or_device_is_not_read_as_a_referenced_file(tmp_path):
    (tmp_path / "zones.geojson").mkdir()
    path = tmp_path / "scenario.yaml"
    path.write_text(MINIMAL + "airspace:\n  zones:\n    - file: zones.geojson\n"
                              "targets:\n  - file: /dev/zero\n    kind: river\n")
    errors = _errors(path)
    assert [e.field for e in errors] == ["file", "file"]
    assert "is not a file" in errors[0].message and "is not a file" in errors[1].message


# ------------------------------------------------------------------------------------------ size
def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:  # a sparse file: huge on paper, nothing written to disk
        handle.truncate(size)
    return path


def test_huge_scenario_file_is_refused_before_it_is_read(tmp_path):
    path = _sparse(tmp_path / "huge.yaml", MAX_FILE_BYTES + 1)
    (error,) = _errors(path)
    assert "the limit is" in error.message


@pytest.mark.parametrize("section", ["zones", "grid", "targets"])
def test_huge_referenced_files_are_refused_before_they_are_read(tmp_path, section):
    name = {"zones": "zones.geojson", "grid": "grid.csv", "targets": "rivers.geojson"}[section]
    _sparse(tmp_path / name, MAX_FILE_BYTES + 1)
    entry = {"zones": "airspace:\n  zones:\n    - file: zones.geojson\n",
             "grid": "airspace:\n  grid: {file: grid.csv}\n",
             "targets": "targets:\n  - file: rivers.geojson\n    kind: river\n"}[section]
    path = tmp_path / "scenario.yaml"
    path.write_text(MINIMAL + entry)
    (error,) = _errors(path)
    assert error.field == "file" and "the limit is" in error.message


def test_huge_target_file_read_directly_is_refused(tmp_path):
    path = _sparse(tmp_path / "rivers.geojson", MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="larger than"):
        load_targets(path, TargetFileRef(file=path.name, kind="river"))


# ------------------------------------------------------------------------------------------ XML entities
ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&d;</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>114.3,30.5 114.4,30.5 114.4,30.6 114.3,30.5</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></kml>"""
EXTERNAL_ENTITY = ENTITY_BOMB.replace('<!ENTITY a "aaaaaaaaaa">', '<!ENTITY a SYSTEM "file:///etc/passwd">')


@pytest.mark.parametrize("text", [ENTITY_BOMB, EXTERNAL_ENTITY])
def test_kml_with_entities_is_refused_by_zone_and_target_readers(tmp_path, text):
    path = tmp_path / "zones.kml"
    path.write_text(text)
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        load_zones(path)
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        load_targets(path, TargetFileRef(file="zones.kml", kind="shoreline"))


# ------------------------------------------------------------------------------------------ escaping in outputs
HOSTILE = "<script>alert(7)</script><img src=x onerror=alert(8)>&amp; \"quoted\" 'single' ]]> {{x}}"


def _hostile_scenario() -> Scenario:
    """Every free-text field an operator can write carries markup, quotes and CDATA terminators."""
    lon, lat = 114.40, 30.50
    model = DroneModel(id=f"m3d{HOSTILE}", name=HOSTILE, cruise_speed_ms=15, inspection_speed_ms=8,
                       endurance_min=45, max_wind_ms=12)
    square = [[[lon + 0.03, lat + 0.03], [lon + 0.04, lat + 0.03], [lon + 0.04, lat + 0.04], [lon + 0.03, lat + 0.03]]]
    return Scenario(
        name=f"day {HOSTILE}", date=dt.date(2026, 11, 21), timezone="Asia/Shanghai",
        operating_window=TimeWindow(start="08:00", end="17:00"), weather=Weather(wind_speed_ms=2),
        drone_models=[model],
        hangars=[Hangar(id=f"H{HOSTILE}", name=HOSTILE, lon=lon, lat=lat, drone_model=model.id, drones=1,
                        operating_radius_m=7000, recharge_min=30)],
        airspace=AirspaceSpec(zones=[Zone(id=f"Z{HOSTILE}", name=HOSTILE, restriction=Restriction.PROHIBITED,
                                          geometry=Geometry(type="Polygon", coordinates=square))]),
        targets=[
            Target(id=f"R{HOSTILE}", name=HOSTILE, kind="river", properties={"note": HOSTILE},
                   geometry=Geometry(type="LineString", coordinates=[[lon + 0.005, lat], [lon + 0.02, lat + 0.005]])),
            Target(id=f"P{HOSTILE}", name=HOSTILE, kind="point", hover_s=20,
                   geometry=Geometry(type="Point", coordinates=[lon - 0.01, lat + 0.01])),
        ],
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    scenario = _hostile_scenario()
    result = plan(scenario, PlanOptions(time_limit_s=1, seed=0, solution_limit=20))
    assert verify_plan(result, scenario).ok
    assert result.sorties, "the hostile scenario must fly, or the mission files hold no text to check"
    out = tmp_path_factory.mktemp("hostile")
    paths = export_plan(result, scenario, "all", out / "missions")
    return scenario, result, out, paths


def _xml_documents(paths: list[Path]) -> list[tuple[str, bytes]]:
    docs = []
    for path in paths:
        if path.suffix == ".kml":
            docs.append((path.name, path.read_bytes()))
        elif path.suffix == ".kmz":
            with zipfile.ZipFile(path) as archive:
                docs += [(f"{path.name}:{n}", archive.read(n)) for n in archive.namelist()
                         if n.endswith((".kml", ".wpml"))]
    return docs


def test_export_files_stay_inside_the_output_folder(hostile):
    _, _, out, paths = hostile
    assert paths
    for path in paths:
        assert path.resolve().is_relative_to((out / "missions").resolve()), path
        assert "<" not in path.name and "/" not in path.name


def test_xml_mission_files_are_well_formed_and_carry_the_text_verbatim(hostile):
    _, result, _, paths = hostile
    docs = _xml_documents(paths)
    assert any(name.endswith(".kml") for name, _ in docs) and any(".kmz:" in name for name, _ in docs)
    texts = []
    for name, data in docs:
        root = ET.fromstring(data)  # raises on any unescaped markup
        texts += [t for t in root.itertext() if "alert" in t]
        assert b"<script>" not in data and b"<img src=x" not in data, name
    # The KML names targets and sorties: the operator's text survives as text, not as markup.
    assert any(HOSTILE in t for t in texts), "hostile text vanished instead of being escaped"


def test_json_and_csv_outputs_round_trip_the_text(hostile):
    _, result, _, paths = hostile
    for path in paths:
        if path.suffix in (".plan", ".geojson"):
            json.loads(path.read_text(encoding="utf-8"))
    geojson = next(p for p in paths if p.suffix == ".geojson")
    doc = json.loads(geojson.read_text(encoding="utf-8"))
    assert doc["plan"]["scenario"] == f"day {HOSTILE}"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_map_and_schedule_pages_escape_every_operator_text(hostile):
    from maps import render_map

    scenario, result, out, _ = hostile
    fmap = render_map(result, scenario)
    page_path = out / "map.html"
    fmap.save(str(page_path))
    pages = {"map.html": page_path.read_text(encoding="utf-8")}
    schedule = out / "schedule.html"
    if schedule.exists():
        pages["schedule.html"] = schedule.read_text(encoding="utf-8")
    for name, page in pages.items():
        assert "<img src=x" not in page and "alert(7)</script>" not in page, name
        parser = _Elements()
        parser.feed(page)
        assert not [a for t, a in parser.tags if t == "img" and "onerror" in a], name
        # No operator text closes a script block early or becomes a script of its own.
        assert not [s for s in parser.scripts if s.strip().startswith("alert(")], name


def test_cli_plan_on_a_hostile_scenario_file_verifies_and_prints_no_markup_errors(tmp_path):
    scenario = _hostile_scenario()
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), allow_unicode=True))
    code, text = _cli(["plan", str(path), "--out", str(tmp_path / "out"), "--time-limit", "1",
                       "--solution-limit", "20", "--json"])
    assert code == 0, text
    assert "Traceback" not in text
    summary = json.loads(text[text.index("{"):])
    assert summary["verified"] is True
