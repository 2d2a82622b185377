"""Test-session setup shared by every test directory.

The routing search is compiled once per install (planner.routing.compile_search); each test worker loads or builds
it before its first test, so no test's time budget pays for the compilation on a fresh machine.
"""
import pytest


@pytest.fixture(scope="session", autouse=True)
def compiled_search():
    from planner.routing import compile_search

    compile_search()
