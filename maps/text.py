"""Text for popups, tooltips, legend and schedule: escaping of user-provided values and number formats.

Everything a scenario or plan author typed goes through `esc` before it becomes HTML.
"""
from __future__ import annotations

import html

from airspace.windows import clock_from_seconds
from missions.models import DroneModel


def esc(value: object) -> str:
    """HTML-escape `value`; also backtick, `$` and backslash, which mean something in JS template literals."""
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def clock(seconds: float) -> str:
    """Clock seconds after local midnight -> 'HH:MM' (times come from Scenario.seconds_after_midnight)."""
    return clock_from_seconds(seconds)[:5]


def km(metres: float) -> str:
    return f"{metres / 1000:.1f} km"


def percent(fraction: float) -> str:
    # One decimal: a plan at 99.7 % must not read as 100 %.
    return f"{fraction * 100:.1f} %"


def battery(share: float, model: DroneModel | None) -> str:
    """'62.3 % (71.8 Wh) of 80 % usable': a sortie's energy as a share of a full battery, in Wh when the model's
    battery is known, against the share the reserve leaves usable."""
    if model is None:
        return percent(share)
    wh = model.energy_wh(share)
    energy = f" ({wh:.1f} Wh)" if wh is not None else ""
    return f"{percent(share)}{energy} of {model.usable_battery * 100:.0f} % usable"


def table(rows: list[tuple[str, str]], title: str) -> str:
    """A small popup table; `title` and every value must already be escaped HTML."""
    body = "".join(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<div class="lowalt-popup"><b>{title}</b><table>{body}</table></div>'
