"""Helpers shared by the tests (and by benchmarks, which import tests, never the reverse).

TESTS_DIR and DATA_DIR locate the committed test data wherever a test module lives.
"""
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = TESTS_DIR / "data"
