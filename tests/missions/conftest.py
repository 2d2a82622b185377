"""Shared fixtures of the missions tests: the small hand-built day most verifier and file tests start from.

A test module that needs another day defines its own `scenario` fixture, which takes precedence over this one.
"""
from __future__ import annotations

import pytest

from missions.models import Scenario
from tests.helpers.plan_factory import small_scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return small_scenario()
