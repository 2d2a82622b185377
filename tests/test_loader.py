"""load_scenario / check_scenario: every contract field lands in the model, file references resolve.

Scenarios live in tests/data/scenarios; broken ones are in tests/data/bad (see test_bad_inputs.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from airspace.zones import Restriction, Zone
from missions.errors import ScenarioError
from missions.loader import check_scenario, load_scenario
from missions.models import Scenario, Target

DATA = Path(__file__).parent / "data" / "scenarios"


def test_inline_scenario_loads_with_every_value():
    scenario = load_scenario(DATA / "inline_minimal.yaml")
    assert scenario.name == "inline-minimal"
    assert scenario.hangars[0].lon == pytest.approx(114.4121)
    zone = scenario.zones()[0]
    assert isinstance(zone, Zone) and zone.restriction is Restriction.PROHIBITED
    target = scenario.resolved_targets()[0]
    assert isinstance(target, Target) and target.window.start == "08:00"


def test_invalid_scenario_raises_with_every_error(tmp_path):
    raw = yaml.safe_load((DATA / "inline_minimal.yaml").read_text())
    raw["hangars"][0]["drone_model"] = "nope"
    raw["targets"][0]["priority"] = 9
    raw["bogus"] = 1
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    fields = {(p.feature, p.field) for p in info.value.problems}
    assert ("hangars[0] (H01)", "drone_model") in fields
    assert ("targets[0] (R-1)", "priority") in fields
    assert (None, "bogus") in fields
