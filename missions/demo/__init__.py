"""The built-in demo day over Wuhan: scenario files shipped as package data, for `lowalt demo` and tests.

Demo data, not an official dataset: sources and caveats in wuhan/ATTRIBUTION.md.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_PACKAGE = "missions.demo.wuhan"


def copy_demo_scenario(out_dir: Path) -> Path:
    """Copy the shipped scenario and its data files into `out_dir`; returns the scenario.yaml path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in resources.files(DEMO_PACKAGE).iterdir():
        if entry.is_file() and not entry.name.startswith(("__", ".")) and not entry.name.endswith(".py"):
            (out_dir / entry.name).write_bytes(entry.read_bytes())
    return out_dir / "scenario.yaml"
