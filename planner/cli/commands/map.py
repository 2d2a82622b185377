"""`lowalt map`: draw a plan over its scenario as a self-contained operations-centre map page.

Writes the map (Leaflet and plugins inlined, no CDN) and `schedule.html` beside it; tiles are selectable.
"""
from __future__ import annotations

import argparse
import logging
import sys

from planner.cli.exit_codes import EXIT_OK, EXIT_USAGE

HELP = "draw a plan on an offline map page (routes, zones, targets, layers, day slider) plus a schedule page"
EXAMPLES = """examples:
  lowalt map scenario.yaml out/plan.json --out out/map.html
  lowalt map scenario.yaml out/ --out out/map.html --tiles none          closed network, no basemap
  lowalt map scenario.yaml out/ --out map.html --tile-url 'http://tiles.intranet/{z}/{x}/{y}.png'
  lowalt map scenario.yaml out/ --out map.html --tiles tianditu --tianditu-key KEY
  lowalt map scenario.yaml out/ --out map.html --tiles amap              overlays shifted to GCJ-02

The page needs no network; only basemap tiles are fetched, and without them everything else still shows.
schedule.html (a Gantt of every drone's sorties and recharges) is written next to the map and linked from it.

exit codes: 0 map written, 1 invalid scenario, 2 bad tile options, 3 scenario or plan unreadable
"""

logger = logging.getLogger(__name__)


# Same as maps.TILE_CHOICES (a test checks); spelled out so `lowalt --help` does not import folium.
TILE_CHOICES = ("osm", "none", "custom", "tianditu", "amap")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON) the plan was made for")
    parser.add_argument("plan", metavar="PLAN", help="plan.json written by `lowalt plan` (or its directory)")
    parser.add_argument("--out", default="map.html", help="map page to write (default: map.html)")
    parser.add_argument("--tiles", choices=TILE_CHOICES, default=None,
                        help="basemap: osm (default), none, custom (with --tile-url), tianditu, amap")
    parser.add_argument("--tile-url", metavar="T", help="tile template of a local tile server, e.g. "
                        "http://tiles.intranet/{z}/{x}/{y}.png (implies --tiles custom)")
    parser.add_argument("--tianditu-key", metavar="K", help="Tianditu 'tk' key (with --tiles tianditu)")


def run(args: argparse.Namespace) -> int:
    from maps import render_map, save_map
    from maps.basemap import basemap_for
    from planner.cli.console import plan_for_command, scenario_for_command

    tiles = args.tiles or ("custom" if args.tile_url else "osm")
    try:
        basemap_for(tiles, args.tile_url, args.tianditu_key)  # check the options before reading anything
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    scenario = scenario_for_command(args.scenario, "no map drawn")
    plan = plan_for_command(args.plan)
    if plan.scenario != scenario.name:
        logger.warning("plan was made for scenario %r, drawing it over %r", plan.scenario, scenario.name)

    fmap = render_map(plan, scenario, tiles=tiles, tile_url=args.tile_url, tianditu_key=args.tianditu_key)
    path = save_map(fmap, args.out)
    print(f"map written to {path} ({len(plan.sorties)} sorties, {len(plan.unserved)} unserved tasks, "
          f"tiles: {tiles}); schedule: {path.parent / 'schedule.html'}")
    return EXIT_OK
