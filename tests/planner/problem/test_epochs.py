"""planner.problem.epochs: the operating window cut where keep-out zones open and close and around a clock change.

Cuts by hand: a minute's margin on each side of a zone's start or end, blackouts from airspace.clock widened by a
second before their start, slices shorter than a sortie dropped.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from missions.models import Scenario
from planner.problem.epochs import BOUNDARY_MARGIN_S, Epoch, clock, epochs_for, zone_active_in
from tests.helpers.problem_days import box

H = 3600
WINDOW = (8 * H, 17 * H)


def test_a_zone_opening_at_10_cuts_the_window_with_a_minute_either_side():
    zone = box("TFR", 1000, -100, 1200, 100, active=[("10:00", "12:00")])
    epochs = epochs_for(WINDOW, [zone], [], min_length_s=600)
    assert BOUNDARY_MARGIN_S == 60
    assert epochs == [Epoch(0, 8 * H, 10 * H - 60), Epoch(1, 10 * H + 60, 12 * H - 60), Epoch(2, 12 * H + 60, 17 * H)]
    assert [zone_active_in(zone, e) for e in epochs] == [False, True, False]
    assert [e.length_s for e in epochs] == [2 * H - 60, 2 * H - 120, 5 * H - 60]
    assert [clock(e.start_s) for e in epochs] == ["08:00", "10:01", "12:01"]


def test_zones_that_do_not_keep_drones_out_do_not_cut():
    prohibited = box("P", 0, 0, 10, 10, active=[("10:00", "12:00")])
    authorised = box("A", 0, 0, 10, 10, restriction="authorisation_required", active=[("11:00", "13:00")])
    advisory = box("ADV", 0, 0, 10, 10, restriction="advisory", active=[("14:00", "15:00")])
    all_day = box("ALL", 0, 0, 10, 10)
    assert epochs_for(WINDOW, [authorised, advisory, all_day], ["A"], 600) == [Epoch(0, 8 * H, 17 * H)]
    # Unauthorised, the authorisation zone cuts at 11:00 and 13:00 too.
    assert [(e.start_s, e.end_s) for e in epochs_for(WINDOW, [prohibited, authorised], [], 600)] == [
        (8 * H, 10 * H - 60), (10 * H + 60, 11 * H - 60), (11 * H + 60, 12 * H - 60), (12 * H + 60, 13 * H - 60),
        (13 * H + 60, 17 * H)]


def test_slices_shorter_than_a_sortie_are_dropped_and_epochs_renumbered():
    zone = box("TFR", 0, 0, 10, 10, active=[("08:10", "16:55")])
    # 08:00-08:09 is 540 s, 16:56-17:00 is 240 s: only the closure's own slice is long enough.
    assert epochs_for(WINDOW, [zone], [], min_length_s=600) == [Epoch(0, 8 * H + 660, 16 * H + 55 * 60 - 60)]
    assert epochs_for(WINDOW, [zone], [], min_length_s=500) == [Epoch(0, 8 * H, 8 * H + 540),
                                                               Epoch(1, 8 * H + 660, 16 * H + 54 * 60)]


def _riga(date: dt.date) -> Scenario:
    return Scenario.model_validate(dict(
        name="riga", date=date, timezone="Europe/Riga", operating_window={"start": "00:00", "end": "12:00"},
        drone_models=[], hangars=[], targets=[]))


def test_riga_spring_forward_cuts_out_the_skipped_hour_and_a_recharge_before_it():
    date = dt.date(2026, 3, 29)  # EU summer time: 03:00 EET becomes 04:00 EEST at 01:00 UTC
    tz = ZoneInfo("Europe/Riga")
    assert dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.timezone.utc).astimezone(tz).hour == 2
    assert dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.timezone.utc).astimezone(tz).hour == 4
    recharge = 30 * 60
    blackouts = _riga(date).clock.unflyable_spans(recharge)
    assert blackouts == [(3 * H - recharge, 4 * H)]
    zone = box("TFR", 0, 0, 10, 10, active=[("10:00", "12:00")])
    epochs = epochs_for((0, 12 * H), [zone], [], 600, blackouts=blackouts)
    # 02:30 (less a second: landing on it touches it) to 04:00 is out; the zone opens at 10:00 as on any day.
    assert epochs == [Epoch(0, 0, 3 * H - recharge - 1 - 60), Epoch(1, 4 * H + 60, 10 * H - 60),
                      Epoch(2, 10 * H + 60, 12 * H)]


def test_riga_fall_back_cuts_out_the_repeated_hour_only():
    date = dt.date(2026, 10, 25)  # 04:00 EEST becomes 03:00 EET at 01:00 UTC: 03:00-04:00 happens twice
    tz = ZoneInfo("Europe/Riga")
    assert dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc).astimezone(tz).hour == 3
    assert dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc).astimezone(tz).hour == 3
    blackouts = _riga(date).clock.unflyable_spans(30 * 60)
    assert blackouts == [(3 * H, 4 * H)]
    zone = box("TFR", 0, 0, 10, 10, active=[("10:00", "12:00")])
    assert epochs_for((0, 12 * H), [zone], [], 600, blackouts=blackouts) == [
        Epoch(0, 0, 3 * H - 1 - 60), Epoch(1, 4 * H + 60, 10 * H - 60), Epoch(2, 10 * H + 60, 12 * H)]
