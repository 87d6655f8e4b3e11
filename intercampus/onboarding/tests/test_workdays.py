"""Working days: weekends and the host country's public holidays are skipped."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from intercampus.onboarding.workdays import (
    add_calendar_days,
    add_working_days,
    is_working_day,
)

COUNTRIES = ["RU", "SE", "BE", "IT", "FR", "BR", "CN", "CA", "XX"]
dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))
offsets = st.integers(min_value=-80, max_value=80)
RUSSIAN_NEW_YEAR_2027 = [datetime.date(2027, 1, d) for d in range(1, 9)]


@settings(max_examples=300, deadline=None)
@given(day=dates, n=offsets, country=st.sampled_from(COUNTRIES))
def test_the_result_is_always_a_working_day(day, n, country):
    assert is_working_day(add_working_days(day, n, country), country)


@settings(max_examples=300, deadline=None)
@given(day=dates, n=offsets, country=st.sampled_from(COUNTRIES))
def test_more_working_days_land_later(day, n, country):
    earlier, later = add_working_days(day, n, country), add_working_days(day, n + 1, country)
    # Zero rolls a closed day forward to the same day one counts to.
    if n == 0 and not is_working_day(day, country):
        assert earlier == later
    else:
        assert earlier < later


@settings(max_examples=200, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=80), country=st.sampled_from(COUNTRIES))
def test_n_working_days_after_lie_past_exactly_n_working_days(day, n, country):
    result = add_working_days(day, n, country)
    between = [day + datetime.timedelta(days=i) for i in range(1, (result - day).days + 1)]
    assert sum(is_working_day(d, country) for d in between) == n


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=datetime.date(2026, 12, 1), max_value=datetime.date(2027, 1, 8)),
    n=st.integers(min_value=-10, max_value=15),
)
def test_the_russian_new_year_holidays_are_never_a_due_date(day, n):
    assert add_working_days(day, n, "RU") not in RUSSIAN_NEW_YEAR_2027


def test_a_friday_arrival_in_russia_at_new_year_counts_seven_working_days_into_january():
    # 28, 29, 30 December; the 31st and 1-8 January are holidays, 9-10 a weekend; 11-14.
    assert add_working_days(datetime.date(2026, 12, 25), 7, "RU") == datetime.date(2027, 1, 14)


def test_a_saturday_worked_in_russia_in_place_of_a_holiday_counts():
    # Saturday 2027-02-20 is worked so that Monday 22 February is off.
    assert is_working_day(datetime.date(2027, 2, 20), "RU")
    assert not is_working_day(datetime.date(2027, 2, 22), "RU")
    assert add_working_days(datetime.date(2027, 2, 19), 1, "RU") == datetime.date(2027, 2, 20)


def test_an_ordinary_week_skips_only_the_weekend():
    friday = datetime.date(2027, 9, 3)
    assert add_working_days(friday, 1, "SE") == datetime.date(2027, 9, 6)
    assert add_working_days(friday, 7, "SE") == datetime.date(2027, 9, 14)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(datetime.date(2027, 9, 1), 0, "SE") == datetime.date(2027, 9, 1)
    saturday = datetime.date(2027, 9, 4)
    assert add_working_days(saturday, 0, "SE") == datetime.date(2027, 9, 6)


def test_negative_working_days_count_back_over_holidays():
    # Before Monday 2027-01-11 in Russia: the last working day was Wednesday 30 December.
    assert add_working_days(datetime.date(2027, 1, 11), -1, "RU") == datetime.date(2026, 12, 30)


def test_a_country_without_a_holiday_calendar_still_skips_weekends():
    assert add_working_days(datetime.date(2027, 9, 3), 1, "XX") == datetime.date(2027, 9, 6)


def test_calendar_days_ignore_weekends_and_holidays():
    assert add_calendar_days(datetime.date(2026, 12, 25), 7) == datetime.date(2027, 1, 1)
    assert add_calendar_days(datetime.date(2027, 1, 1), -7) == datetime.date(2026, 12, 25)
