"""The funding and coverage rules on small hand-computed cases (no database)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kapabel.programmes import rules
from kapabel.programmes.rules import Param

d = datetime.date

RATES = [
    Param("hourly_rate", D("178.84"), d(2015, 1, 1), d(2015, 12, 31)),
    Param("hourly_rate", D("188.73"), d(2018, 1, 1), d(2018, 12, 31)),
    Param("hourly_rate", D("203.17"), d(2024, 1, 1), d(2024, 12, 31)),
    Param("closed_to_new", D("1"), d(2026, 2, 1), None),
]


def test_rate_in_force_per_year_and_none_outside():
    assert rules.param_at(RATES, "hourly_rate", d(2015, 6, 1)) == D("178.84")
    assert rules.param_at(RATES, "hourly_rate", d(2018, 12, 31)) == D("188.73")
    assert rules.param_at(RATES, "hourly_rate", d(2024, 1, 1)) == D("203.17")
    assert rules.param_at(RATES, "hourly_rate", d(2016, 3, 1)) is None  # not entered by an administrator


def test_hours_times_rate_per_year():
    # 37 training hours, 37 substitute hours: 37 × 178.84 = 6,617.08 in 2015; 37 × 203.17 = 7,517.29 in 2024.
    rate_2015 = rules.param_at(RATES, "hourly_rate", d(2015, 3, 2))
    rate_2024 = rules.param_at(RATES, "hourly_rate", d(2024, 3, 4))
    assert rules.weekly_ydelse(D(37), D(37), rate_2015) == D("6617.08")
    assert rules.weekly_ydelse(D(37), D(37), rate_2024) == D("7517.29")


def test_hour_for_hour_with_fewer_substitute_hours():
    # 30 training hours covered by a substitute on 20 hours: only 20 hours earn: 20 × 188.73 = 3,774.60.
    assert rules.weekly_ydelse(D(30), D(20), D("188.73")) == D("3774.60")
    # More substitute than training hours: the training hours count (12 × 188.73 = 2,264.76).
    assert rules.weekly_ydelse(D(12), D(37), D("188.73")) == D("2264.76")
    assert rules.weekly_ydelse(D(12), D(37), None) == D(0)


def test_fund_grant_under_and_over_the_cap_in_a_rolling_year():
    # 80 % of 20,000 = 16,000, under the 30,000 cap.
    assert rules.fund_grant(D(20000), D(80), D(30000)) == D("16000.00")
    # 80 % of 50,000 = 40,000, capped at 30,000.
    assert rules.fund_grant(D(50000), D(80), D(30000)) == D("30000.00")
    # 20,000 already granted within 12 months: 10,000 left of the cap.
    used = rules.rolling_used([(d(2024, 9, 1), D(20000))], d(2025, 3, 1))
    assert used == D(20000)
    assert rules.fund_grant(D(20000), D(80), D(30000), used) == D("10000.00")
    # The earlier grant started exactly 12 months before: outside the rolling year, the cap is whole again.
    assert rules.rolling_used([(d(2024, 3, 1), D(20000))], d(2025, 3, 1)) == D(0)
    assert rules.rolling_used([(d(2024, 3, 2), D(20000))], d(2025, 3, 1)) == D(20000)
    assert rules.fund_grant(D(20000), D(80), D(30000), D(35000)) == D(0)


def test_application_window_first_and_last_day():
    first, last = rules.application_window(d(2026, 9, 1), 9, 1)
    assert (first, last) == (d(2025, 12, 1), d(2026, 8, 31))
    # Month ends: 9 months before 30 November is 28 February (no 30 February).
    assert rules.application_window(d(2026, 11, 30), 9, 1)[0] == d(2026, 2, 28)


def test_closure_boundary_1_february_2026():
    before = rules.param_at(RATES, "closed_to_new", d(2026, 1, 31))
    on = rules.param_at(RATES, "closed_to_new", d(2026, 2, 1))
    assert rules.open_for_new(before) is True  # a forløb started on 31 January may finish
    assert rules.open_for_new(on) is False


def test_training_hours_from_sessions_capped_per_day():
    tz = datetime.UTC
    monday = datetime.datetime(2016, 3, 7, 9, tzinfo=tz)
    sessions = [
        (monday, monday + datetime.timedelta(hours=6)),  # 6 h Monday
        (monday + datetime.timedelta(days=1), monday + datetime.timedelta(days=1, hours=10)),  # 10 h → 7.4
        # A full-time fortnight booked as one session from Monday 8:00 to Friday next week 16:00.
        (
            datetime.datetime(2016, 3, 14, 8, tzinfo=tz),
            datetime.datetime(2016, 3, 25, 16, tzinfo=tz),
        ),
    ]
    weeks = rules.session_hours_by_week(sessions, D("7.4"))
    assert weeks[d(2016, 3, 7)] == D("13.4")
    # Monday 16 h, Tue–Fri 24 h each, each capped at 7.4; the weekend counts nothing: 5 × 7.4 = 37.
    assert weeks[d(2016, 3, 14)] == D("37.0")
    assert weeks[d(2016, 3, 21)] == D("37.0")
    # Two cohorts in the same week add up, to at most a full-time week.
    capped = rules.participant_week_hours([weeks, {d(2016, 3, 14): D(10)}], D(37))
    assert capped[d(2016, 3, 14)] == D(37)
    assert capped[d(2016, 3, 7)] == D("13.4")


def test_placement_hours_prorated_by_working_days():
    week = d(2016, 3, 7)
    assert rules.placement_week_hours(d(2016, 3, 1), d(2016, 6, 1), D(37), week) == D(37)
    # Starts Wednesday: 3 of 5 working days.
    assert rules.placement_week_hours(d(2016, 3, 9), d(2016, 6, 1), D(30), week) == D(18)


def test_validations():
    assert rules.check_contracted("V", d(2016, 3, 7), D(40), D(37)) is not None
    assert rules.check_contracted("V", d(2016, 3, 7), D(37), D(37)) is None
    assert rules.check_absence("V", d(2016, 3, 7), D(0), D(20)) is not None
    assert rules.check_absence("V", d(2016, 3, 7), D(1), D(20)) is None
    assert rules.check_average("V", D(36), 4, D(10)) is not None  # 9 h/week
    assert rules.check_average("V", D(40), 4, D(10)) is None
    # Six months from 1 March is 31 August inclusive.
    assert rules.check_duration("V", d(2016, 3, 1), d(2016, 8, 31), D(6)) is None
    assert rules.check_duration("V", d(2016, 3, 1), d(2016, 9, 1), D(6)) is not None
    assert rules.check_unemployment("V", D(5), D(6)) is not None
    assert rules.check_unemployment("V", D(6), D(6)) is None
    assert rules.check_overlap("P", d(2016, 3, 7), 2) is not None
    assert rules.check_overlap("P", d(2016, 3, 7), 1) is None


@given(
    training=st.decimals(min_value=0, max_value=60, places=1),
    substitute=st.decimals(min_value=0, max_value=60, places=1),
    rate=st.decimals(min_value=100, max_value=300, places=2),
)
def test_ydelse_never_exceeds_either_side(training, substitute, rate):
    value = rules.weekly_ydelse(training, substitute, rate)
    assert value <= rules.money(training * rate)
    assert value <= rules.money(substitute * rate)
    assert value == rules.money(min(training, substitute) * rate)


@given(
    costs=st.lists(st.decimals(min_value=0, max_value=60000, places=2), min_size=1, max_size=6),
)
def test_fund_grants_in_a_year_never_exceed_the_cap(costs):
    start, granted = d(2025, 1, 6), []
    for n, cost in enumerate(costs):
        day = start + datetime.timedelta(days=30 * n)
        used = rules.rolling_used(granted, day)
        grant = rules.fund_grant(cost, D(80), D(30000), used)
        assert grant <= rules.money(cost * D("0.8"))
        granted.append((day, grant))
    assert sum(g for _, g in granted) <= D(30000)


@given(st.dates(min_value=d(2000, 1, 1), max_value=d(2040, 12, 31)), st.integers(min_value=-24, max_value=24))
def test_add_months_lands_in_the_right_month(day, months):
    moved = rules.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day
