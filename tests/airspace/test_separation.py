"""Tests for airspace.separation: the one separation rule and its 'reached, not undercut' convention."""
import numpy as np
import pytest
from pydantic import ValidationError

from airspace.separation import SeparationMinima, interval_gap, separated

MINIMA = SeparationMinima(horizontal_m=30, vertical_m=15, time_s=30)


def test_defaults_are_the_documented_ones():
    assert SeparationMinima() == SeparationMinima(horizontal_m=30.0, vertical_m=15.0, time_s=30.0)


def test_any_one_gap_at_its_minimum_separates():
    assert separated(30.0, -5.0, -10.0, MINIMA)  # exactly 30 m apart: reached, not undercut
    assert separated(0.0, 15.0, -10.0, MINIMA)
    assert separated(0.0, -5.0, 30.0, MINIMA)
    assert not separated(29.99, 14.99, 29.99, MINIMA)


def test_interval_gaps_are_signed():
    assert interval_gap(0, 10, 20, 30) == 10
    assert interval_gap(20, 30, 0, 10) == 10
    assert interval_gap(0, 10, 5, 30) == -5  # overlapping by 5
    assert interval_gap(0, 10, 10, 30) == 0  # touching


def test_a_zero_time_minimum_still_forbids_sharing_a_moment():
    minima = SeparationMinima(horizontal_m=30, vertical_m=15, time_s=0)
    assert not separated(0.0, -1.0, interval_gap(0, 10, 5, 30), minima)
    assert separated(0.0, -1.0, interval_gap(0, 10, 10, 30), minima)  # one ends as the other starts


def test_arrays_broadcast_elementwise():
    result = separated(np.array([10.0, 40.0, 10.0]), np.array([0.0, 0.0, 20.0]), np.zeros(3), MINIMA)
    assert result.tolist() == [False, True, True]


@pytest.mark.parametrize("field, value", [("horizontal_m", 0), ("vertical_m", -1), ("time_s", -1)])
def test_minima_must_be_meaningful(field, value):
    with pytest.raises(ValidationError, match=field):
        SeparationMinima(**{field: value})
