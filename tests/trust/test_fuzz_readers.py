"""Mutation fuzzing of every reader from valid seed files: broken input gives a clear error, never a crash.

Seeds live in tests/fuzz_seeds; hypothesis flips bytes, truncates, deletes and replaces fields with odd JSON values
(NaN, huge numbers, wrong types, deep nesting). The promise: the reader returns or raises InputError naming the file.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from airspace.errors import InputError
from airspace.grid import read_grid_csv, zones_from_grid
from airspace.readers import load_zones
from missions.errors import Problem
from missions.loader import check_scenario
from missions.models import TargetFileRef
from missions.target_readers import load_targets
from planner.cli.main import main
from tests.helpers import TESTS_DIR

SEEDS = TESTS_DIR / "fuzz_seeds"
_DATE = dt.date(2026, 11, 21)  # the seeds' planned day: ED-269/ED-318 schedules are evaluated for it
CASES_PER_READER = 300
settings.register_profile(
    "fuzz", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings(settings.get_profile("fuzz"), max_examples=CASES_PER_READER)

# ------------------------------------------------------------------------------------------ odd values
NASTY = [
    None, True, False, 0, -1, -0.0, 1e308, -1e308, 10**40, -(10**40), math.nan, math.inf, -math.inf, "", " ",
    "NaN", "inf", "null", "24:00", "25:61", "99:99-00:00", "08:00-07:00", "x" * 5000, "../../../etc/passwd",
    "https://example.com/zones.geojson", "file:///etc/passwd", "<script>alert(1)</script>", "\u0000\u202e",
    "H01", "m3d", "Polygon", "prohibited", [], {}, [[]], [[[]]], [0, 0], [181, 91], [114.4, 30.5, 1e9],
    {"type": "Point", "coordinates": [114.4, 30.5]}, {"start": "08:00", "end": "12:00"},
]
scalars = st.one_of(
    st.sampled_from(NASTY), st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
NEST = "__lowalt_nest_{}__"  # replaced in the serialised text: encoders would recurse on real deep nesting
RAN: dict[str, int] = {}  # cases each fuzz test really executed (reported in CATALOGUE.md, checked below)


def _tick(name: str) -> None:
    RAN[name] = RAN.get(name, 0) + 1


def _ran(name: str, minimum: int) -> None:
    """Fail when a fuzz run quietly shrank to a handful of cases (a filter or a health check ate them)."""
    assert RAN.get(name, 0) >= minimum, f"{name}: only {RAN.get(name, 0)} cases ran"
    print(f"{name}: {RAN[name]} cases")


# ------------------------------------------------------------------------------------------ tree mutation
def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, prefix + (index,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


def _swap_type(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return "null"


@st.composite
def mutated_tree(draw, seed: Any) -> Any:
    """A copy of a JSON/YAML document with 1-3 structural mutations at random places."""
    doc = json.loads(json.dumps(seed, default=str))  # deep copy; dates become strings as YAML would write them
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        op = draw(st.sampled_from(["replace", "delete", "swap_type", "nest", "repeat", "huge", "nan"]))
        if not path:  # the root itself
            if op in ("replace", "swap_type"):
                doc = draw(json_values) if op == "replace" else _swap_type(doc)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        value = parent[key]
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(json_values)
        elif op == "swap_type":
            parent[key] = _swap_type(value)
        elif op == "nest":
            parent[key] = NEST.format(draw(st.sampled_from([20, 70, 200, 3000])))
        elif op == "repeat" and isinstance(value, list) and value:
            parent[key] = value * draw(st.sampled_from([2, 50]))
        elif op == "huge":
            parent[key] = draw(st.sampled_from([1e308, -1e308, 10**400, 1e-320, 2**63]))
        else:
            parent[key] = math.nan
    return doc


def _nested_text(text: str) -> str:
    for depth in (20, 70, 200, 3000):
        text = text.replace(json.dumps(NEST.format(depth)), "[" * depth + "1" + "]" * depth)
        text = text.replace(NEST.format(depth), "[" * depth + "1" + "]" * depth)
    return text


def to_json(doc: Any) -> bytes:
    return _nested_text(json.dumps(doc, allow_nan=True, ensure_ascii=False)).encode()


def to_yaml(doc: Any) -> bytes:
    try:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    except RecursionError:  # pragma: no cover - the nest sentinel keeps documents shallow
        text = json.dumps(doc, allow_nan=True)
    return _nested_text(text).encode()


# ------------------------------------------------------------------------------------------ byte mutation
@st.composite
def mutated_bytes(draw, seed: bytes) -> bytes:
    """Byte flips, truncation, insertions and deletions; keeps the start of the seed recognisable."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "splice"]))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b"\xff\xfe", b"\x00", b"{", b"[" * 50, b"NaN", b"-1e999", b"<", b"]]>", b"&amp;", b"\n,,,\n"]))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        else:  # copy a chunk of the seed elsewhere: duplicated keys, features, rows
            start = draw(st.integers(0, len(seed) - 1))
            data[pos:pos] = seed[start:start + draw(st.integers(1, 200))]
    return bytes(data)


# ------------------------------------------------------------------------------------------ the promise
def _reads_or_names_its_file(read: Callable[[], Any], path: Path) -> None:
    """A reader either reads the file or raises InputError that names it; anything else is a crash."""
    try:
        read()
    except InputError as exc:
        assert str(exc).strip(), "empty error message"
        assert exc.file and Path(exc.file).name == path.name, f"error does not name the file: {exc}"


def _seed_doc(name: str) -> Any:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write_case(work: Path, name: str, payload: bytes) -> Path:
    path = work / name
    path.write_bytes(payload)
    return path


# ------------------------------------------------------------------------------------------ zone files
ZONE_SEEDS = ["zones_wuhan.geojson", "ed269_wuhan.json", "ed318_wuhan.geojson"]


@pytest.mark.parametrize("seed_name", ZONE_SEEDS)
def test_mutated_json_zone_files_read_or_fail_with_an_input_error(request, work, seed_name):
    seed = _seed_doc(seed_name)

    @FUZZ
    @given(st.data())
    def case(data):
        _tick(request.node.name)
        payload = to_json(data.draw(mutated_tree(seed))) if data.draw(st.booleans()) else \
            data.draw(mutated_bytes((SEEDS / seed_name).read_bytes()))
        note(payload[:2000])
        path = _write_case(work, seed_name, payload)
        _reads_or_names_its_file(lambda: load_zones(path, date=_DATE, timezone="Asia/Shanghai"), path)

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 10)


def test_mutated_kml_zone_files_read_or_fail_with_an_input_error(request, work):
    seed = (SEEDS / "zones_wuhan.kml").read_bytes()

    @FUZZ
    @given(st.data())
    def case(data):
        _tick(request.node.name)
        payload = data.draw(st.one_of(mutated_bytes(seed), mutated_kml(seed)))
        note(payload[:2000])
        path = _write_case(work, "zones.kml", payload)
        _reads_or_names_its_file(lambda: load_zones(path), path)

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 10)


@st.composite
def mutated_kml(draw, seed: bytes) -> bytes:
    """Replace the text of one <tag>...</tag> with an odd value, or nest an element absurdly deep."""
    text = seed.decode()
    starts = [i for i, ch in enumerate(text) if ch == ">" and i + 1 < len(text) and text[i + 1] != "<"]
    if not starts:
        return seed
    at = draw(st.sampled_from(starts)) + 1
    end = text.find("<", at)
    op = draw(st.sampled_from(["value", "nest", "coords"]))
    if op == "value":
        value = str(draw(scalars)).replace("<", "&lt;").replace("&", "&amp;")
    elif op == "nest":
        depth = draw(st.sampled_from([50, 5000]))
        value = "<Folder>" * depth + "</Folder>" * depth
    else:
        value = draw(st.sampled_from(["114.3", "114.3,", ",,,", "1e999,30", "nan,nan", "114.3,30.5,1,2,3",
                                      "181,91 182,92 181,91", "114.3,30.5 114.3,30.5 114.3,30.5 114.3,30.5"]))
    return (text[:at] + value + text[end:]).encode()


# ------------------------------------------------------------------------------------------ grid CSV
@st.composite
def mutated_csv(draw, seed: bytes) -> bytes:
    lines = seed.decode().splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1)) if lines else 0
        op = draw(st.sampled_from(["cell", "drop", "dup", "extra", "quote"]))
        if not lines:
            lines = [""]
        cells = lines[index].split(",")
        if op == "cell":
            cells[draw(st.integers(0, len(cells) - 1))] = str(draw(scalars)).replace("\n", " ")
            lines[index] = ",".join(cells)
        elif op == "drop":
            del lines[index]
        elif op == "dup":
            lines.insert(index, lines[index])
        elif op == "extra":
            lines[index] += "," + str(draw(scalars)).replace("\n", " ")
        else:
            lines[index] = '"' + lines[index]  # an unclosed quote swallows the rest of the file
    return "\n".join(lines).encode()


def test_mutated_grid_csv_reads_or_fails_with_an_input_error(request, work):
    seed = (SEEDS / "grid_wuhan.csv").read_bytes()

    @FUZZ
    @given(st.one_of(mutated_bytes(seed), mutated_csv(seed)))
    def case(payload):
        _tick(request.node.name)
        note(payload)
        path = _write_case(work, "grid.csv", payload)

        def read():
            rows = read_grid_csv(path)
            zones_from_grid(rows, 120.0, source=str(path))

        _reads_or_names_its_file(read, path)

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 10)


# ------------------------------------------------------------------------------------------ target files
def test_mutated_geojson_target_files_read_or_fail_with_an_input_error(request, work):
    seed_path = SEEDS / "scenario" / "rivers.geojson"
    seed = _seed_doc("scenario/rivers.geojson")

    @FUZZ
    @given(st.data())
    def case(data):
        _tick(request.node.name)
        payload = to_json(data.draw(mutated_tree(seed))) if data.draw(st.booleans()) else \
            data.draw(mutated_bytes(seed_path.read_bytes()))
        note(payload[:2000])
        path = _write_case(work, "rivers.geojson", payload)
        _reads_or_names_its_file(lambda: load_targets(path, TargetFileRef(file=path.name, kind="river")), path)

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 10)


def test_mutated_kml_target_files_read_or_fail_with_an_input_error(request, work):
    seed = (SEEDS / "targets.kml").read_bytes()

    @FUZZ
    @given(st.one_of(mutated_bytes(seed), mutated_kml(seed)))
    def case(payload):
        _tick(request.node.name)
        note(payload[:2000])
        path = _write_case(work, "targets.kml", payload)
        _reads_or_names_its_file(lambda: load_targets(path, TargetFileRef(file=path.name)), path)

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 10)


# ------------------------------------------------------------------------------------------ scenarios
@pytest.fixture(scope="module")
def scenario_dir(work) -> Path:
    folder = work / "scenario"
    shutil.copytree(SEEDS / "scenario", folder)
    return folder


def _assert_checked(path: Path) -> tuple[Any, list[Problem]]:
    scenario, problems = check_scenario(path)  # must never raise
    assert all(isinstance(p, Problem) and p.message.strip() for p in problems)
    if scenario is None:
        assert any(p.severity == "error" for p in problems), "refused without an error"
    return scenario, problems


def test_mutated_scenario_yaml_is_checked_without_a_crash(request, scenario_dir):
    seed = yaml.safe_load((SEEDS / "scenario" / "full_contract.yaml").read_text())

    @settings(FUZZ, max_examples=400)
    @given(st.data())
    def case(data):
        _tick(request.node.name)
        form = data.draw(st.sampled_from(["yaml", "json", "bytes"]))
        if form == "bytes":
            payload = data.draw(mutated_bytes((SEEDS / "scenario" / "full_contract.yaml").read_bytes()))
        else:
            doc = data.draw(mutated_tree(seed))
            payload = to_yaml(doc) if form == "yaml" else to_json(doc)
        note(payload[:3000])
        path = scenario_dir / ("case.json" if form == "json" else "case.yaml")
        path.write_bytes(payload)
        _assert_checked(path)

    case()
    _ran(request.node.name, 360)


@pytest.fixture(scope="module")
def pristine_referenced_files(scenario_dir) -> dict[str, bytes]:
    return {name: (scenario_dir / name).read_bytes() for name in ("rivers.geojson", "zones.geojson", "grid.csv")}


def test_cli_validate_reports_broken_scenarios_and_files_without_a_traceback(request, scenario_dir,
                                                                              pristine_referenced_files):
    scenario_path = scenario_dir / "full_contract.yaml"
    seed_yaml = scenario_path.read_bytes()

    @settings(FUZZ, max_examples=CASES_PER_READER // 3)
    @given(st.sampled_from(["full_contract.yaml", "rivers.geojson", "zones.geojson", "grid.csv"]), st.data())
    def case(victim, data):
        _tick(request.node.name)
        for name, content in pristine_referenced_files.items():
            (scenario_dir / name).write_bytes(content)
        scenario_path.write_bytes(seed_yaml)
        original = (scenario_dir / victim).read_bytes()
        payload = data.draw(mutated_csv(original) if victim.endswith(".csv") and data.draw(st.booleans())
                            else mutated_bytes(original))
        (scenario_dir / victim).write_bytes(payload)
        note(f"{victim}: {payload[:2000]!r}")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(scenario_path)])
        text = out.getvalue() + err.getvalue()
        assert code in (0, 1), text
        assert "Traceback" not in text and "internal error" not in text, text
        if code == 1:
            assert "error:" in text

    try:
        case()
    finally:
        for name, content in pristine_referenced_files.items():
            (scenario_dir / name).write_bytes(content)
        scenario_path.write_bytes(seed_yaml)
    _ran(request.node.name, CASES_PER_READER // 4)


# ------------------------------------------------------------------------------------------ regressions
# Crashes the fuzzers found, kept as plain examples so they stay fixed even if the generators change.


def test_zone_file_nested_thousands_deep_is_an_input_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(InputError, match="nests too deeply") as caught:
        load_zones(path)
    assert caught.value.file == str(path)


def test_ed318_name_whose_text_is_a_list_still_reads_as_a_name(tmp_path):
    doc = _seed_doc("ed318_wuhan.geojson")
    doc["features"][0]["properties"]["name"] = [{"lang": "en-GB", "text": ["sub", "station"]}]
    path = tmp_path / "ed318.geojson"
    path.write_text(json.dumps(doc))
    zones = load_zones(path)
    assert zones[0].name.startswith('["sub", "station"]')


def test_zone_coordinate_beyond_float_range_is_an_input_error(tmp_path):
    doc = _seed_doc("zones_wuhan.geojson")
    doc["features"][0]["geometry"]["coordinates"][0][0][0] = 10**400
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="float range") as caught:
        load_zones(path)
    assert caught.value.feature is not None


def test_ed269_limit_beyond_float_range_is_an_input_error_naming_the_field(tmp_path):
    doc = _seed_doc("ed269_wuhan.json")
    doc["features"][0]["geometry"][0]["upperLimit"] = 10**400
    path = tmp_path / "ed269.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="float range") as caught:
        load_zones(path)
    assert caught.value.field and "upper" in caught.value.field.lower()


def test_target_coordinate_beyond_float_range_names_the_feature(tmp_path):
    doc = _seed_doc("scenario/rivers.geojson")
    doc["features"][1]["geometry"]["coordinates"][0][0][1] = -(10**400)
    path = tmp_path / "rivers.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="float range") as caught:
        load_targets(path, TargetFileRef(file="rivers.geojson", kind="river"))
    assert caught.value.feature == "1 (R-Channels)" and caught.value.field == "geometry.coordinates"


def test_kml_declaring_an_unknown_encoding_is_an_input_error(tmp_path):
    path = tmp_path / "targets.kml"
    path.write_bytes((SEEDS / "targets.kml").read_bytes().replace(b"UTF-8", b"TTF-8", 1))
    with pytest.raises(InputError, match="malformed KML"):
        load_targets(path, TargetFileRef(file="targets.kml"))


def test_scenario_with_a_list_as_id_or_drone_model_is_refused_with_problems(tmp_path):
    doc = yaml.safe_load((SEEDS / "scenario" / "full_contract.yaml").read_text())
    doc["drone_models"][0]["id"] = ["m3d"]
    doc["hangars"][0]["drone_model"] = {"id": "m3d"}
    doc["airspace"]["zones"][1]["id"] = ["TFR-1"]
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc))
    scenario, problems = check_scenario(path)
    assert scenario is None
    assert {("drone_models[0]", "id"), ("hangars[0] (H01)", "drone_model")} <= {(p.feature, p.field) for p in problems}


def test_scenario_number_beyond_float_range_is_refused_naming_feature_and_field(tmp_path):
    doc = yaml.safe_load((SEEDS / "scenario" / "full_contract.yaml").read_text())
    doc["targets"][1]["geometry"]["coordinates"][1][0] = 10**400
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc))
    scenario, problems = check_scenario(path)
    assert scenario is None
    (problem,) = problems
    assert (problem.feature, problem.field) == ("targets[1] (R-Xunsi)", "geometry.coordinates[1][0]")
    assert "401 digits" in problem.message


@pytest.mark.parametrize("radius", [1e-320, 1e12])
def test_ed269_circle_with_a_vanishing_or_planet_sized_radius_is_an_input_error(tmp_path, radius):
    doc = _seed_doc("ed269_wuhan.json")
    doc["features"][0]["geometry"][0]["horizontalProjection"]["radius"] = radius
    path = tmp_path / "ed269.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        load_zones(path)
    assert caught.value.field == "geometry[0].horizontalProjection.radius"


@pytest.mark.parametrize("where, value, field", [
    ("day", 7.5, "applicability[0].schedule[0].day"),
    ("startTime", "08:00+99:00", "applicability[0].schedule[0].startTime"),
])
def test_ed269_schedule_with_a_number_as_day_or_an_impossible_offset_is_an_input_error(tmp_path, where, value,
                                                                                        field):
    doc = _seed_doc("ed269_wuhan.json")
    doc["features"][1]["applicability"][0]["schedule"][0][where] = value
    path = tmp_path / "ed269.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        load_zones(path, date=_DATE, timezone="Asia/Shanghai")
    assert caught.value.field == field


def test_ed269_name_that_is_not_text_is_kept_as_text(tmp_path):
    doc = _seed_doc("ed269_wuhan.json")
    doc["features"][2]["name"] = 42
    path = tmp_path / "ed269.json"
    path.write_text(json.dumps(doc))
    zone = load_zones(path)[2]
    assert zone.name.startswith("42 - ")


def test_ed318_geometry_collection_whose_members_are_not_a_list_is_an_input_error(tmp_path):
    doc = _seed_doc("ed318_wuhan.geojson")
    doc["features"][0]["geometry"] = {"type": "GeometryCollection", "geometries": 5}
    path = tmp_path / "ed318.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        load_zones(path)
    assert caught.value.field == "geometry.geometries"


# ------------------------------------------------------------------------------------------ plan files
def test_cli_verify_reports_mutated_plan_files_without_a_traceback(request, scenario_dir):
    # `lowalt verify` reads a plan.json that may come from another machine or a hand edit.
    seed_path = SEEDS / "scenario" / "plan.json"
    seed = _seed_doc("scenario/plan.json")
    plan_path = scenario_dir / "mutated_plan.json"

    @settings(FUZZ, max_examples=CASES_PER_READER // 2)
    @given(st.data())
    def case(data):
        _tick(request.node.name)
        payload = to_json(data.draw(mutated_tree(seed))) if data.draw(st.booleans()) else \
            data.draw(mutated_bytes(seed_path.read_bytes()))
        note(payload[:3000])
        plan_path.write_bytes(payload)
        code, text = _run_cli(["verify", str(scenario_dir / "full_contract.yaml"), str(plan_path)])
        assert code in (0, 1, 3), text
        assert "Traceback" not in text and "internal error" not in text, text

    case()
    _ran(request.node.name, CASES_PER_READER * 9 // 20)


def _run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


# The verifier is the trust anchor for plan files: a NaN compares false with every limit, so before this fix a
# plan with NaN altitudes or times, or a negative hover that buys time, verified as legal.
@pytest.mark.parametrize("where, value, kind", [
    ("alt_m", math.nan, "ceiling"), ("t_s", math.nan, "time_order"), ("hover_s", math.nan, "time_order"),
    ("hover_s", -math.inf, "time_order"), ("hover_s", -30.0, "time_order"), ("lon", math.nan, "airspace"),
    ("lat", math.inf, "airspace"), ("lat", 95.0, "airspace"), ("lon", 400.0, "airspace"),
])
def test_plan_with_nan_infinite_or_negative_waypoint_numbers_never_verifies(where, value, kind):
    from missions.loader import load_scenario
    from missions.models import MissionPlan
    from missions.verify import verify_plan

    scenario = load_scenario(SEEDS / "scenario" / "full_contract.yaml")
    doc = _seed_doc("scenario/plan.json")
    assert verify_plan(MissionPlan.model_validate(doc), scenario).ok
    for k in (0, 3, len(doc["sorties"][0]["waypoints"]) - 2):
        broken = json.loads(json.dumps(doc))
        broken["sorties"][0]["waypoints"][k][where] = value
        report = verify_plan(MissionPlan.model_validate(broken), scenario)
        assert not report.ok and kind in report.kinds(), (k, [str(v) for v in report.violations])


@pytest.mark.parametrize("field", ["flight_time_s", "battery_used"])
def test_plan_with_nan_sortie_or_summary_numbers_never_verifies(field):
    from missions.loader import load_scenario
    from missions.models import MissionPlan
    from missions.verify import verify_plan

    scenario = load_scenario(SEEDS / "scenario" / "full_contract.yaml")
    doc = _seed_doc("scenario/plan.json")
    doc["sorties"][0][field] = math.nan
    doc["summary"]["coverage"] = math.nan
    report = verify_plan(MissionPlan.model_validate(doc), scenario)
    assert not report.ok and "totals" in report.kinds()
    assert {"times", "battery"} & report.kinds()


def test_scenario_timezone_naming_a_tz_database_folder_is_an_error_not_an_oserror(tmp_path):
    doc = yaml.safe_load((SEEDS / "scenario" / "full_contract.yaml").read_text())
    doc["timezone"] = "Asia"
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc))
    scenario, problems = check_scenario(path)
    assert scenario is None and [(p.field, p.message) for p in problems] == [
        ("timezone", "unknown IANA time zone 'Asia'")]
    with pytest.raises(InputError, match="not an IANA time zone"):
        load_zones(SEEDS / "ed269_wuhan.json", date=_DATE, timezone="Asia")


def test_plan_file_that_is_not_utf8_is_an_input_error_naming_the_file(tmp_path):
    from missions.plan_io import read_plan

    path = tmp_path / "plan.json"
    path.write_bytes((SEEDS / "scenario" / "plan.json").read_bytes().replace(b'"scenario"', b'"sc\xffenario"', 1))
    with pytest.raises(InputError, match="not UTF-8") as caught:
        read_plan(path)
    assert caught.value.file == str(path)
