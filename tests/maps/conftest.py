"""Shared fixtures of the map tests: the operations-centre day (zones, grid, sorties, unserved work) and its plan.

Built once per module from tests/helpers/map_fixtures.py, so the static and the browser tests look at one map.
"""
from __future__ import annotations

import pytest

from missions.models import MissionPlan, Scenario
from tests.helpers.map_fixtures import ops_plan, ops_scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return ops_scenario()


@pytest.fixture(scope="module")
def plan(scenario: Scenario) -> MissionPlan:
    return ops_plan(scenario)
