"""How it looks: the operations-centre folium map and the schedule view, working offline.

Owns every folium import.
"""
from maps.basemap import TILE_CHOICES
from maps.render import OpsMap, render_map, save_map
from maps.schedule import SCHEDULE_FILENAME, schedule_html, write_schedule_html
from maps.status import TargetStatus, target_statuses

__all__ = ["OpsMap", "SCHEDULE_FILENAME", "TILE_CHOICES", "TargetStatus", "render_map", "save_map",
           "schedule_html", "target_statuses", "write_schedule_html"]
