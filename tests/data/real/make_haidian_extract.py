"""Writes haidian_extract.osm: the rivers, drivable roads and water areas of the Haidian OSM file, with the nodes
they use (ids, positions and tags only). Run once; see ATTRIBUTION.md.
usage: python make_haidian_extract.py ../../../../shared/benchmarks/real_inputs/targets/haidian/cau_qinghe_haidian_map.osm
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROADS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "service"}


def kept(element: ET.Element) -> bool:
    tags = {t.get("k"): t.get("v") for t in element.findall("tag")}
    return tags.get("waterway") in ("river", "canal") or tags.get("highway") in ROADS or tags.get("natural") == "water"


def main(source: str) -> None:
    root = ET.parse(source).getroot()
    ways = [w for w in root.findall("way") if kept(w)]
    relations = [r for r in root.findall("relation") if kept(r)]
    member_ways = {m.get("ref") for r in relations for m in r.findall("member") if m.get("type") == "way"}
    ways += [w for w in root.findall("way") if w.get("id") in member_ways and w not in ways]
    refs = {nd.get("ref") for w in ways for nd in w.findall("nd")}
    out = ET.Element("osm", version="0.6", generator="lowalt tests/data/real/make_haidian_extract.py")
    bounds = root.find("bounds")
    if bounds is not None:
        out.append(bounds)
    for node in root.findall("node"):
        if node.get("id") in refs:
            copy = ET.SubElement(out, "node", id=node.get("id"), lat=node.get("lat"), lon=node.get("lon"))
            copy.extend(node.findall("tag"))
    for element in ways + relations:
        copy = ET.SubElement(out, element.tag, id=element.get("id"))
        copy.extend(list(element))
    ET.indent(out, space=" ")
    ET.ElementTree(out).write(Path(__file__).with_name("haidian_extract.osm"), encoding="UTF-8", xml_declaration=True)


if __name__ == "__main__":
    main(sys.argv[1])
