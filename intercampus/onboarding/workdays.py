"""Working-day arithmetic for a host country: weekends and public holidays are skipped.

Pure: no ORM. The calendar of each country comes from the ``holidays`` package, which also
knows a country's own weekend (Friday and Saturday in some countries) and the weekend days
that a government turns into working days when it moves a holiday (Russia does this every
year: e.g. Saturday 2027-02-20 is worked so that Monday 2027-02-22 is off). A country the
package does not know has a Saturday-Sunday weekend and no public holidays.

``add_working_days(d, 0, country)`` is ``d`` when it is a working day and otherwise the next
working day, so that a due date never falls on a day the offices are closed;
``add_working_days(d, n)`` for ``n > 0`` is the n-th working day after ``d``, and for
``n < 0`` the |n|-th working day before it. The result increases with ``n``, strictly except
from 0 to 1 when ``d`` is itself a closed day (both give the next working day).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import holidays

# How far a search may run: no country has a year without working days.
_MAX_SCAN_DAYS = 366 * 3
DEFAULT_WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class YearCalendar:
    """One country's non-working facts for one year."""

    holidays: frozenset[datetime.date]
    weekend: frozenset[int]
    weekend_workdays: frozenset[datetime.date]


@functools.lru_cache(maxsize=1024)
def year_calendar(country: str, year: int) -> YearCalendar:
    """The public holidays, weekend days and worked weekend days of ``country`` in ``year``."""
    try:
        calendar = holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:
        return YearCalendar(frozenset(), DEFAULT_WEEKEND, frozenset())
    return YearCalendar(
        holidays=frozenset(calendar.keys()),
        weekend=frozenset(calendar.weekend or DEFAULT_WEEKEND),
        weekend_workdays=frozenset(getattr(calendar, "weekend_workdays", ()) or ()),
    )


def is_working_day(day: datetime.date, country: str) -> bool:
    """Whether offices in ``country`` are open on ``day`` (not a weekend, not a holiday)."""
    calendar = year_calendar(country, day.year)
    if day in calendar.holidays:
        return False
    if day.weekday() in calendar.weekend:
        return day in calendar.weekend_workdays
    return True


def _step(day: datetime.date, direction: int, country: str) -> datetime.date:
    """The next working day strictly after (direction 1) or before (-1) ``day``."""
    one = datetime.timedelta(days=direction)
    for _i in range(_MAX_SCAN_DAYS):
        day += one
        if is_working_day(day, country):
            return day
    raise ValueError(f"No working day within {_MAX_SCAN_DAYS} days in {country!r}")


def add_working_days(day: datetime.date, n: int, country: str) -> datetime.date:
    """The n-th working day after ``day`` (before it when ``n`` is negative) in ``country``.

    With ``n == 0``: ``day`` itself if it is a working day, else the next working day.
    """
    if n == 0:
        return day if is_working_day(day, country) else _step(day, 1, country)
    direction = 1 if n > 0 else -1
    for _i in range(abs(n)):
        day = _step(day, direction, country)
    return day


def add_calendar_days(day: datetime.date, n: int) -> datetime.date:
    """``day`` moved by ``n`` calendar days (negative for before)."""
    return day + datetime.timedelta(days=n)
