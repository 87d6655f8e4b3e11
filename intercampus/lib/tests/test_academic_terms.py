"""One rule for when an EWP term starts (``lib.academic_terms``), checked for every
``total-terms`` from 1 to 10 and every term number of each."""

import datetime

import pytest

from intercampus.lib import academic_terms

# total-terms -> the months (September = 9) its terms start in, for 2027/2028.
STARTS = {
    1: [9],
    2: [9, 2],  # semesters
    3: [9, 1, 4],  # trimesters
    4: [9, 12, 2, 5],  # quarters
    5: [9, 11, 1, 3, 5],
    6: [9, 11, 1, 2, 4, 6],
    7: [9, 11, 12, 2, 3, 5, 6],
    8: [9, 11, 12, 1, 2, 4, 5, 6],
    9: [9, 11, 12, 1, 2, 3, 4, 5, 6],
    10: [9, 10, 11, 12, 1, 2, 3, 4, 5, 6],
}
TABLE = [
    (total, number, month)
    for total, months in STARTS.items()
    for number, month in enumerate(months, start=1)
]


@pytest.mark.parametrize(("total", "number", "month"), TABLE)
def test_every_term_of_a_northern_year_starts_on_the_first_of_its_month(total, number, month):
    year = 2027 if month >= 9 else 2028
    assert academic_terms.term_start("2027/2028", number, total) == datetime.date(year, month, 1)


@pytest.mark.parametrize("total", range(1, 11))
def test_terms_start_in_order_within_the_teaching_months(total):
    starts = [academic_terms.term_start("2027/2028", k, total) for k in range(1, total + 1)]
    assert starts == sorted(set(starts))
    assert starts[0] == datetime.date(2027, 9, 1)
    assert starts[-1] <= datetime.date(2028, 6, 1)


def test_the_examples_of_the_issue_have_one_answer():
    assert academic_terms.term_id_start("2027/2028-3/3") == datetime.date(2028, 4, 1)
    assert academic_terms.term_start("2027/2028", 5, 10) == datetime.date(2028, 1, 1)


@pytest.mark.parametrize(
    ("term_id", "start"),
    [
        ("2008/2009-1/1", datetime.date(2008, 9, 1)),  # the whole year
        ("2008/2009-1/2", datetime.date(2008, 9, 1)),  # autumn semester
        ("2008/2009-2/2", datetime.date(2009, 2, 1)),  # spring semester
        ("2008/2009-1/3", datetime.date(2008, 9, 1)),  # first trimester
        ("2008/2008-1/1", datetime.date(2008, 1, 1)),  # southern hemisphere: the year 2008
        ("2008/2008-2/2", datetime.date(2008, 6, 1)),
        ("2008/2008-1/4", datetime.date(2008, 1, 1)),
    ],
)
def test_the_examples_of_the_ewp_schema(term_id, start):
    assert academic_terms.term_id_start(term_id) == start


@pytest.mark.parametrize(
    "term_id", ["", "not a term", "2027/2028-3/2", "2027/2028-0/2", "2027/2029-1/2", "2027/2028"]
)
def test_what_is_not_an_ewp_term_is_refused(term_id):
    with pytest.raises(ValueError):
        academic_terms.term_id_start(term_id)


def test_the_earliest_term_is_the_anchor_and_a_year_without_terms_starts_in_september():
    terms = ["2027/2028-2/2", "2027/2028-1/2"]
    assert academic_terms.earliest_start("2027/2028", terms) == datetime.date(2027, 9, 1)
    assert academic_terms.earliest_start("2027/2028", ["2027/2028-2/2"]) == datetime.date(
        2028, 2, 1
    )
    assert academic_terms.earliest_start("2027/2028") == datetime.date(2027, 9, 1)
