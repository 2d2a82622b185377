"""Tests for airspace.readers: GeoJSON, ED-269, ED-318 and KML zone files, good and broken."""
import datetime as dt
import json
import math

import pytest
from shapely.geometry import Point

from airspace.errors import InputError
from airspace.projection import Projector, geodesic_length_m
from airspace.readers import load_zones, zone_to_feature
from airspace.rules import active_during, keep_out_zones
from airspace.zones import Restriction
from tests.helpers import DATA_DIR

DATA = DATA_DIR / "airspace"
PLAN_DAY = dt.date(2026, 11, 21)  # a Saturday
SHANGHAI = "Asia/Shanghai"


def load(name, **kwargs):
    kwargs.setdefault("date", PLAN_DAY)
    kwargs.setdefault("timezone", SHANGHAI)
    return {zone.id: zone for zone in load_zones(DATA / name, **kwargs)}


# ------------------------------------------------------------------------------------------------ ED-269
def test_ed269_circle_becomes_a_64_segment_polygon_of_the_right_size():
    zone = load("ed269_wuhan.json")["WHAPT01"]
    assert zone.restriction is Restriction.PROHIBITED
    assert (zone.lower_m, zone.upper_m) == (0.0, 500.0)
    assert zone.active is None  # permanent: YES
    shape = zone.geometry.shape
    assert len(shape.exterior.coords) == 65
    metric = Projector.for_lonlat(114.2081, 30.7838).to_metric(shape)
    assert metric.area == pytest.approx(math.pi * 5000**2, rel=0.005)
    for lon, lat in list(shape.exterior.coords)[::8]:
        assert geodesic_length_m([(114.2081, 30.7838), (lon, lat)]) == pytest.approx(5000, rel=0.003)


def test_ed269_feet_limits_and_utc_schedule_become_local_windows():
    zone = load("ed269_wuhan.json")["WHLAK02"]
    assert zone.restriction is Restriction.AUTHORISATION_REQUIRED  # REQ_AUTHORISATION
    assert zone.upper_m == pytest.approx(400 * 0.3048)
    # Saturdays 01:00-04:30 UTC is 09:00-12:30 in Wuhan (UTC+8)
    assert [(w.start_s, w.end_s) for w in zone.active] == [(9 * 3600, 12 * 3600 + 1800)]
    assert active_during(zone, 10 * 3600, 10 * 3600 + 60)
    assert not active_during(zone, 13 * 3600, 14 * 3600)


def test_ed269_schedule_day_that_does_not_match_gives_no_windows():
    monday = load("ed269_wuhan.json", date=dt.date(2026, 11, 23))["WHLAK02"]
    assert monday.active == []
    assert keep_out_zones([monday], 0, 86400, 0, 120) == []


def test_ed269_schedule_outside_its_date_range_is_inactive():
    december = load("ed269_wuhan.json", date=dt.date(2026, 12, 5))  # a Saturday after endDateTime
    assert december["WHLAK02"].active == []


def test_ed269_zone_applicable_another_month_is_never_active_today():
    zone = load("ed269_wuhan.json")["WHHOS03"]
    assert zone.active == []
    assert zone.restriction is Restriction.CONDITIONAL


def test_ed269_zone_applicable_part_of_the_day_is_clipped_to_the_local_day():
    # 2026-12-01T00:00Z is 08:00 in Wuhan: the zone starts mid-morning on its first day.
    zone = load("ed269_wuhan.json", date=dt.date(2026, 12, 1))["WHHOS03"]
    assert [(w.start, w.end) for w in zone.active] == [("08:00:00", "24:00:00")]


def test_ed269_amsl_limits_are_kept_and_flagged_in_the_name_and_a_warning():
    warnings = []
    zone = load("ed269_wuhan.json", warnings=warnings)["WHHOS03"]
    assert (zone.lower_m, zone.upper_m) == (20.0, 150.0)
    assert "AMSL treated as AGL" in zone.name
    (amsl,) = [w for w in warnings if "AMSL" in w.message]
    assert (amsl.feature, amsl.field) == ("2 (WHHOS03)", "geometry[0].upperVerticalReference")
    assert "treated as heights above ground, because ground elevation is unknown" in amsl.message


def test_without_a_date_every_zone_is_active_all_day():
    zones = load("ed269_wuhan.json", date=None, timezone=None)
    assert all(zone.active is None for zone in zones.values())


def test_ed269_in_utc_keeps_utc_clock_times():
    zone = load("ed269_wuhan.json", timezone="UTC")["WHLAK02"]
    assert [(w.start, w.end) for w in zone.active] == [("01:00:00", "04:30:00")]


# ------------------------------------------------------------------------------------------------ ED-318
def test_ed318_polygon_with_feet_layer_and_authority():
    zone = load("ed318_wuhan.geojson")["WHPWR01"]
    assert zone.restriction is Restriction.AUTHORISATION_REQUIRED  # REQ_AUTHORIZATION spelling
    assert zone.upper_m == pytest.approx(300 * 0.3048)
    assert zone.name.startswith("Guanshan substation")  # English text chosen over zh-CN
    assert "State Grid Hubei" in zone.name
    assert zone.active is None


def test_ed318_point_with_circle_extent_and_limited_applicability():
    zone = load("ed318_wuhan.geojson")["WHTFR02"]
    assert zone.restriction is Restriction.PROHIBITED
    assert zone.geometry.shape.contains(Point(114.3055, 30.5928))
    assert Projector.for_lonlat(114.3055, 30.5928).to_metric(zone.geometry.shape).area == pytest.approx(
        math.pi * 800**2, rel=0.005)
    assert [(w.start, w.end) for w in zone.active] == [("14:00:00", "18:00:00")]
    next_day = load("ed318_wuhan.geojson", date=PLAN_DAY + dt.timedelta(days=1))["WHTFR02"]
    assert next_day.active == []


# ------------------------------------------------------------------------------------------------ GeoJSON and KML
def test_plain_geojson_reads_inline_fields_and_feature_id():
    zones = load("zones_wuhan.geojson")
    assert set(zones) == {"TFR-1", "SCHOOL-7"}
    assert zones["TFR-1"].active[0].start == "09:00"
    assert zones["SCHOOL-7"].restriction is Restriction.AUTHORISATION_REQUIRED  # authorization_required
    assert zones["SCHOOL-7"].geometry.type == "MultiPolygon"
    assert zones["SCHOOL-7"].source == str(DATA / "zones_wuhan.geojson")


def test_kml_placemarks_become_zones_with_holes_and_default_restriction():
    warnings = []
    zones = load("zones_wuhan.kml", default_restriction=Restriction.ADVISORY, warnings=warnings)
    assert set(zones) == {"KML-PORT", "Hanyang steelworks"}  # the Point pin is skipped
    port = zones["KML-PORT"]
    assert port.restriction is Restriction.PROHIBITED and port.upper_m == 150.0
    assert len(port.geometry.shape.interiors) == 1
    assert not port.geometry.shape.contains(Point(114.5275, 30.646))  # inside the hole
    assert zones["Hanyang steelworks"].restriction is Restriction.ADVISORY
    (skipped,) = warnings
    assert (skipped.feature, skipped.field) == ("2 (Launch point pin)", "geometry.type")
    assert skipped.message == "placemark skipped: no Polygon (it holds Point)"


def test_kml_without_restriction_and_without_default_is_an_error():
    with pytest.raises(InputError) as err:
        load_zones(DATA / "zones_wuhan.kml")
    assert err.value.feature == "1 (Hanyang steelworks)"
    assert err.value.field == "ExtendedData.restriction"


@pytest.mark.parametrize(
    "name, fmt",
    [("ed269_wuhan.json", "ed269"), ("ed318_wuhan.geojson", "ed318"), ("zones_wuhan.geojson", "geojson")],
)
def test_format_detection_matches_explicit_format(name, fmt):
    detected = load_zones(DATA / name, date=PLAN_DAY, timezone=SHANGHAI)
    explicit = load_zones(DATA / name, format=fmt, date=PLAN_DAY, timezone=SHANGHAI)
    assert detected == explicit and detected


def test_zone_to_feature_round_trips_through_the_geojson_reader(tmp_path):
    zones = load_zones(DATA / "ed269_wuhan.json", date=PLAN_DAY, timezone=SHANGHAI)
    path = tmp_path / "out.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [zone_to_feature(z) for z in zones]}))
    back = load_zones(path)
    assert [z.id for z in back] == [z.id for z in zones]
    for a, b in zip(zones, back):
        assert (a.restriction, a.lower_m, a.upper_m, a.active) == (b.restriction, b.lower_m, b.upper_m, b.active)
        assert a.geometry.shape.equals(b.geometry.shape)


# ------------------------------------------------------------------------------------------------ broken files
@pytest.mark.parametrize(
    "name, feature, field, message",
    [
        ("ed269_UnknownRestriction.json", "1 (WHLAK02)", "restriction", "'FORBIDDEN' is not one of"),
        ("ed269_ScheduleTimeNotATime.json", "1 (WHLAK02)", "applicability[0].schedule[0].startTime", "'9am'"),
        ("ed269_CircleWithoutRadius.json", "0 (WHAPT01)", "geometry[0].horizontalProjection.radius", "missing"),
        ("ed269_UnknownUnit.json", "2 (WHHOS03)", "geometry[0].uomDimensions", "'NM' is neither M nor FT"),
        ("geojson_SelfIntersecting.geojson", "0 (BOWTIE)", "geometry.coordinates", "Self-intersection"),
        ("geojson_UpperBelowLower.geojson", "0 (Z9)", "upper_m", "is below lower_m"),
        ("geojson_SingleFeature.geojson", None, "type", "single GeoJSON Feature"),
        ("kml_BadCoordinate.kml", "0 (BAD-1)", "Polygon.outerBoundaryIs", "'114.3;30.5'"),
        ("kml_WithEntity.kml", None, None, "DOCTYPE or ENTITY"),
    ],
)
def test_broken_files_name_file_feature_and_field(name, feature, field, message):
    with pytest.raises(InputError) as err:
        load_zones(DATA / name, date=PLAN_DAY, timezone=SHANGHAI)
    exc = err.value
    assert exc.file == str(DATA / name)
    assert exc.feature == feature
    assert exc.field == field
    assert message in str(exc)


@pytest.mark.parametrize("name, feature, message", [
    ("ed318_LineStringZone.geojson", "0 (WHPWR01)", "zone skipped: a LineString geometry is no area"),
    ("geojson_LineStringZone.geojson", "1 (RIVER-1)", "feature skipped: a LineString is no area"),
])
def test_a_feature_that_is_no_area_is_skipped_with_a_warning_and_the_rest_loads(name, feature, message):
    warnings = []
    zones = load_zones(DATA / name, date=PLAN_DAY, timezone=SHANGHAI, warnings=warnings)
    skipped = [w for w in warnings if w.field == "geometry.type"]
    assert [(w.feature, w.message.split(" (")[0]) for w in skipped] == [(feature, message)]
    assert zones and feature.split(" ")[1].strip("()") not in {z.id for z in zones}


def test_wrong_explicit_format_is_a_clear_error():
    with pytest.raises(InputError, match="a ED-318 file is a FeatureCollection|FeatureCollection"):
        load_zones(DATA / "ed269_wuhan.json", format="ed318")
    with pytest.raises(InputError, match="format 'shp' is not one of"):
        load_zones(DATA / "zones_wuhan.geojson", format="shp")


def test_not_json_unknown_timezone_missing_file_and_duplicate_ids(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON \\(line 1"):
        load_zones(junk)
    with pytest.raises(InputError, match="IANA"):
        load_zones(DATA / "zones_wuhan.geojson", timezone="Mars/Olympus")
    with pytest.raises(InputError, match="cannot read file: No such file"):
        load_zones(tmp_path / "absent.geojson")
    latin1 = tmp_path / "latin1.geojson"
    latin1.write_bytes('{"name": "Z\u00fcrich"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_zones(latin1)
    doc = json.loads((DATA / "zones_wuhan.geojson").read_text())
    doc["features"][1]["properties"]["id"] = "TFR-1"
    dup = tmp_path / "dup.geojson"
    dup.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="'TFR-1' appears more than once"):
        load_zones(dup)


def test_schedule_across_midnight_and_permanent_period(tmp_path):
    doc = json.loads((DATA / "ed269_wuhan.json").read_text())
    lake = doc["features"][1]
    # 14:00Z-18:00Z Friday is 22:00-02:00 Wuhan time: Saturday gets 00:00-02:00 from Friday's period.
    lake["applicability"][0]["schedule"] = [{"day": ["FRI"], "startTime": "14:00Z", "endTime": "18:00Z"}]
    path = tmp_path / "night.json"
    path.write_text(json.dumps(doc))
    zone = {z.id: z for z in load_zones(path, date=PLAN_DAY, timezone=SHANGHAI)}["WHLAK02"]
    assert [(w.start, w.end) for w in zone.active] == [("00:00:00", "02:00:00")]
    lake["applicability"].append({"permanent": "YES"})
    path.write_text(json.dumps(doc))
    zone = {z.id: z for z in load_zones(path, date=PLAN_DAY, timezone=SHANGHAI)}["WHLAK02"]
    assert zone.active is None


# ------------------------------------------------------------------------------------------------ KML heights
def _kml(tmp_path, placemark: str):
    path = tmp_path / "zone.kml"
    path.write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark id="Z"><name>Z</name>'
                    f"{placemark}</Placemark></Document></kml>")
    return path


SQUARE = "114.30,30.50,{h} 114.31,30.50,{h} 114.31,30.51,{h} 114.30,30.51,{h} 114.30,30.50,{h}"


@pytest.mark.parametrize("mode, extrude, height, band, caveat", [
    ("relativeToGround", 1, 90, (0.0, 90.0), None),  # an extruded face reaches the ground
    ("absolute", 1, 150, (0.0, 150.0), "AMSL"),  # above sea level: kept, with the usual caveat
    ("clampToGround", 1, 90, (0.0, 120.0), "heights are ignored"),  # KML's rule: on the ground, no band given
    ("relativeToGround", 0, 60, (0.0, 60.0), "without extrude"),  # a floating sheet is read from the ground (safe)
])
def test_kml_heights_follow_altitude_mode_and_extrude(tmp_path, mode, extrude, height, band, caveat):
    polygon = (f"<Polygon><extrude>{extrude}</extrude><altitudeMode>{mode}</altitudeMode><outerBoundaryIs>"
               f"<LinearRing><coordinates>{SQUARE.format(h=height)}</coordinates></LinearRing></outerBoundaryIs>"
               "</Polygon>")
    warnings = []
    (zone,) = load_zones(_kml(tmp_path, polygon), default_restriction="prohibited", warnings=warnings)
    assert (zone.lower_m, zone.upper_m) == band
    if caveat is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert caveat in warning.message and warning.feature == "0 (Z)"


def test_kml_extended_data_limits_win_over_heights_and_the_difference_is_a_warning(tmp_path):
    faces = "".join(f"<Polygon><altitudeMode>relativeToGround</altitudeMode><outerBoundaryIs><LinearRing>"
                    f"<coordinates>{SQUARE.format(h=h)}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
                    for h in (30, 200))
    data = '<ExtendedData><Data name="lower_m"><value>0</value></Data><Data name="upper_m"><value>150</value>' \
           '</Data></ExtendedData>'
    warnings = []
    (zone,) = load_zones(_kml(tmp_path, data + f"<MultiGeometry>{faces}</MultiGeometry>"),
                         default_restriction="prohibited", warnings=warnings)
    assert (zone.lower_m, zone.upper_m) == (0.0, 150.0)
    assert [w.message for w in warnings] == ["ExtendedData limits 0-150 m are used; the KML heights say 30-200 m"]


def test_ed318_daylight_event_schedule_is_whole_day_with_a_warning(tmp_path):
    doc = json.loads((DATA / "ed318_wuhan.geojson").read_text())
    zone = doc["features"][1]["properties"]
    zone["limitedApplicability"] = [{"schedule": [{"day": ["ANY"], "startEvent": "SR", "endEvent": "SS"}]}]
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps(doc))
    warnings = []
    zones = {z.id: z for z in load_zones(path, date=PLAN_DAY, timezone=SHANGHAI, warnings=warnings)}
    assert [(w.start, w.end) for w in zones[zone["identifier"]].active] == [("00:00:00", "24:00:00")]
    (event,) = [w for w in warnings if "daylight events" in w.message]
    assert event.field == "properties.limitedApplicability[0].schedule[0]"
    assert event.message == ("schedule uses daylight events (SR/SS), which lowalt does not resolve: that period "
                             "counts as the whole day (the safe reading)")
