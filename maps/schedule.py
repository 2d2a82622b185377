"""The day's schedule as a Gantt chart: one row per drone, its sorties and recharges, in plain HTML/CSS.

No script and no external asset: the page opens from disk on a closed network and prints as it shows.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

from airspace.windows import clock_from_seconds
from maps.layers import model_of
from maps.style import sortie_colour
from maps.text import battery, esc, km
from missions.models import MissionPlan, Scenario

logger = logging.getLogger(__name__)

SCHEDULE_FILENAME = "schedule.html"

_CSS = """
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: #222; margin: 16px; }
h1 { font-size: 18px; margin: 0 0 4px; } p.meta { margin: 0 0 12px; color: #555; }
.gantt { display: grid; grid-template-columns: 150px 1fr; border-top: 1px solid #ccc; }
.label { padding: 4px 6px; border-bottom: 1px solid #eee; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.label.hangar { font-weight: 600; background: #f3f3f3; }
.lane { position: relative; height: 26px; border-bottom: 1px solid #eee; }
.lane.hangar { background: #f3f3f3; height: 22px; }
.axis { position: relative; height: 20px; border-bottom: 1px solid #ccc; }
.tick { position: absolute; top: 0; bottom: 0; border-left: 1px solid #e4e4e4; }
.axis .tick span { position: absolute; left: 2px; top: 2px; font-size: 11px; color: #666; }
.bar { position: absolute; top: 3px; height: 20px; border-radius: 3px; box-sizing: border-box; overflow: hidden;
       white-space: nowrap; font-size: 11px; line-height: 20px; padding: 0 3px; color: #fff; }
.recharge { background: repeating-linear-gradient(45deg, #bbb 0 4px, #ddd 4px 8px); color: #333; }
.legend { margin-top: 10px; display: flex; gap: 16px; align-items: center; }
.legend span.swatch { display: inline-block; width: 18px; height: 10px; margin-right: 4px; vertical-align: middle; }
"""


def _span(plan: MissionPlan, scenario: Scenario) -> tuple[float, float]:
    """Axis range in seconds after midnight: the operating window widened to every bar, whole hours."""
    times: list[float] = []
    if scenario.operating_window:
        times += [scenario.operating_window.start_s, scenario.operating_window.end_s]
    for sortie in plan.sorties:
        recharge_s = _recharge_s(scenario, sortie.hangar_id)
        times += [scenario.seconds_after_midnight(sortie.takeoff),
                  scenario.seconds_after_midnight(sortie.landing) + recharge_s]
    if not times:
        times = [8 * 3600, 18 * 3600]
    start = math.floor(min(times) / 3600) * 3600
    end = max(math.ceil(max(times) / 3600) * 3600, start + 3600)
    return start, end


def _recharge_s(scenario: Scenario, hangar_id: str) -> float:
    try:
        return scenario.hangar(hangar_id).recharge_min * 60
    except KeyError:
        return 0.0


def _bar(start: float, end: float, span: tuple[float, float], css: str, text: str, title: str, style: str = "") -> str:
    total = span[1] - span[0]
    left = (start - span[0]) / total * 100
    width = max((end - start) / total * 100, 0.15)
    return (f'<div class="bar {css}" style="left:{left:.3f}%;width:{width:.3f}%;{style}" '
            f'title="{title}">{text}</div>')


def schedule_html(plan: MissionPlan, scenario: Scenario, *, map_href: str | None = None) -> str:
    """The Gantt page as a string; every user-provided value is escaped."""
    span = _span(plan, scenario)
    ticks = "".join(
        f'<div class="tick" style="left:{(h - span[0]) / (span[1] - span[0]) * 100:.3f}%">'
        f"<span>{clock_from_seconds(h)[:5]}</span></div>"
        for h in range(int(span[0]), int(span[1]), 3600)
    )
    grid = "".join(
        f'<div class="tick" style="left:{(h - span[0]) / (span[1] - span[0]) * 100:.3f}%"></div>'
        for h in range(int(span[0]), int(span[1]), 3600)
    )
    colours = {s.sortie_id: sortie_colour(i) for i, s in enumerate(plan.sorties)}
    by_drone: dict[str, list] = {}
    for sortie in plan.sorties:
        by_drone.setdefault(sortie.drone_id, []).append(sortie)

    rows = ['<div class="label">drone</div>', f'<div class="axis">{ticks}</div>']
    listed: set[str] = set()
    hangar_ids = [h.id for h in scenario.hangars]
    hangar_ids += sorted({s.hangar_id for s in plan.sorties} - set(hangar_ids))
    for hangar_id in hangar_ids:
        try:
            hangar = scenario.hangar(hangar_id)
            drones = hangar.drone_ids()
            name = f"{hangar.id} {hangar.name}" if hangar.name else hangar.id
        except KeyError:
            drones, name = [], hangar_id
        drones += sorted({s.drone_id for s in plan.sorties if s.hangar_id == hangar_id} - set(drones))
        rows.append(f'<div class="label hangar">{esc(name)}</div><div class="lane hangar">{grid}</div>')
        for drone in drones:
            listed.add(drone)
            bars = []
            for sortie in sorted(by_drone.get(drone, []), key=lambda s: s.takeoff):
                up = scenario.seconds_after_midnight(sortie.takeoff)
                down = scenario.seconds_after_midnight(sortie.landing)
                title = esc(
                    f"{sortie.sortie_id} {clock_from_seconds(up)[:5]}-{clock_from_seconds(down)[:5]}, "
                    f"{km(sortie.distance_m)}, battery {battery(sortie.battery_used, model_of(scenario, sortie))}, "
                    f"tasks: {', '.join(sortie.tasks)}"
                )
                bars.append(_bar(up, down, span, "sortie", esc(sortie.sortie_id), title,
                                 f"background:{colours[sortie.sortie_id]}"))
                recharge = _recharge_s(scenario, sortie.hangar_id)
                if recharge > 0:
                    title = esc(f"recharge {clock_from_seconds(down)[:5]}-{clock_from_seconds(down + recharge)[:5]}")
                    bars.append(_bar(down, down + recharge, span, "recharge", "", title))
            rows.append(f'<div class="label">{esc(drone)}</div><div class="lane">{grid}{"".join(bars)}</div>')

    used = len({s.drone_id for s in plan.sorties})
    fleet = sum(h.drones for h in scenario.hangars)
    back = f' · <a href="{esc(map_href)}">map</a>' if map_href else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Schedule: {esc(plan.scenario)}</title>
<style>{_CSS}</style></head>
<body>
<h1>Schedule: {esc(plan.scenario)} ({esc(plan.date.isoformat())})</h1>
<p class="meta">{len(plan.sorties)} sorties · {used} of {fleet} drones used · local time {esc(scenario.timezone)}{back}</p>
<div class="gantt">{"".join(rows)}</div>
<div class="legend"><span><span class="swatch" style="background:{sortie_colour(0)}"></span>sortie (colour as on the map)</span>
<span><span class="swatch recharge"></span>recharge on the dock</span></div>
</body></html>
"""


def write_schedule_html(plan: MissionPlan, scenario: Scenario, path: str | Path, *, map_href: str | None = None) -> Path:
    """Write the Gantt page to `path` and return it."""
    path = Path(path)
    path.write_text(schedule_html(plan, scenario, map_href=map_href), encoding="utf-8")
    logger.info("schedule: %d sorties written to %s", len(plan.sorties), path)
    return path
