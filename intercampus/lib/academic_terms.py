"""When an EWP academic term starts, when the host gives no date: one rule for the whole
platform (the start of a nominee's arrival journey depends on it).

EWP names a term by its academic year and ``term-number``/``total-terms``
(``2027/2028-2/2``: the second of two terms, a semester; ``-1/3`` a trimester, ``-1/4`` a
quarter, ``-1/1`` the whole year). It gives no dates: those are each institution's. The rule
here is the usual European calendar, stated once:

* an academic year ``yyyy/yyyy+1`` (northern hemisphere) starts on 1 September of its first
  year; a year ``yyyy/yyyy`` (southern hemisphere) starts on 1 January, as EWP's
  ``AcademicYearId`` describes it;
* teaching runs ten months from that day (to the end of June in the north); the year is cut
  into ``total-terms`` equal parts of those ten months, and term ``k`` starts on the first day
  of the first month that begins on or after the point (k-1)/total through them.

So the spring semester (2/2) starts on 1 February, trimesters on 1 September, 1 January and
1 April, quarters on 1 September, 1 December, 1 February and 1 May, and ten terms on the
first of each month from September to June.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

TEACHING_MONTHS = 10
ACADEMIC_YEAR = re.compile(r"^(?P<first>[0-9]{4})/(?P<second>[0-9]{4})$")
# EwpAcademicTermId: <academic year>-<term number>/<total terms>, both from 1 to 9.
TERM_ID = re.compile(r"^(?P<year>[0-9]{4}/[0-9]{4})-(?P<number>[1-9])/(?P<total>[1-9])$")


def academic_year_start(academic_year: str) -> datetime.date:
    """1 September of ``2027/2028``'s first year; 1 January of a southern ``2027/2027``.
    Raises ValueError for anything else."""
    match = ACADEMIC_YEAR.match(academic_year or "")
    if match is None:
        raise ValueError(f"Not an EWP academic year id (yyyy/yyyy): {academic_year!r}")
    first, second = int(match["first"]), int(match["second"])
    if second == first + 1:
        return datetime.date(first, 9, 1)
    if second == first:
        return datetime.date(first, 1, 1)
    raise ValueError(f"An academic year spans one or two calendar years: {academic_year!r}")


def term_start(academic_year: str, term_number: int = 1, total_terms: int = 1) -> datetime.date:
    """The first day of term ``term_number`` of ``total_terms`` of ``academic_year`` (see the
    module's rule). Raises ValueError unless 1 <= term_number <= total_terms."""
    if not 1 <= term_number <= total_terms:
        raise ValueError(f"Term {term_number} of {total_terms} does not exist")
    start = academic_year_start(academic_year)
    # Ceiling of (k-1)*10/n in whole months: the first month boundary at or after that point.
    months = -(-(term_number - 1) * TEACHING_MONTHS // total_terms)
    month_index = start.month - 1 + months
    return datetime.date(start.year + month_index // 12, month_index % 12 + 1, 1)


def term_id_start(term_id: str) -> datetime.date:
    """The first day of the term an EwpAcademicTermId names (``2027/2028-2/2``).
    Raises ValueError when it is not one."""
    match = TERM_ID.match(term_id or "")
    if match is None:
        raise ValueError(f"Not an EWP academic term id (yyyy/yyyy-n/total): {term_id!r}")
    return term_start(match["year"], int(match["number"]), int(match["total"]))


def earliest_start(academic_year: str, term_ids: Iterable[str] = ()) -> datetime.date:
    """When the first of ``term_ids`` starts; the start of ``academic_year`` when there are
    none. Raises ValueError on an id that is not an EWP term id."""
    starts = [term_id_start(term) for term in term_ids]
    return min(starts) if starts else academic_year_start(academic_year)
