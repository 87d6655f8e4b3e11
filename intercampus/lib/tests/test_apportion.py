"""Properties of largest-remainder apportionment."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercampus.lib.apportion import apportion

totals = st.integers(min_value=0, max_value=1_000_000)
weights = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=30,
).filter(lambda ws: sum(ws) > 0)


def exact_quotas(total, ws):
    weight_sum = sum(Fraction(w) for w in ws)
    return [total * Fraction(w) / weight_sum for w in ws]


@given(totals, weights)
def test_shares_add_up_to_the_total(total, ws):
    assert sum(apportion(total, ws)) == total


@given(totals, weights)
def test_shares_are_never_negative(total, ws):
    assert all(share >= 0 for share in apportion(total, ws))


@given(totals, weights)
def test_each_share_is_its_quota_rounded_down_or_up(total, ws):
    for share, quota in zip(apportion(total, ws), exact_quotas(total, ws), strict=True):
        assert abs(share - quota) < 1


@given(totals, weights)
def test_a_larger_weight_never_gets_a_smaller_share(total, ws):
    shares = apportion(total, ws)
    for i in range(len(ws)):
        for j in range(len(ws)):
            if ws[i] > ws[j]:
                assert shares[i] >= shares[j]


@given(totals, weights)
def test_the_same_input_gives_the_same_shares(total, ws):
    assert apportion(total, ws) == apportion(total, list(ws))


@given(totals, weights)
def test_a_zero_weight_gets_nothing(total, ws):
    shares = apportion(total, [*ws, 0.0])
    assert shares[-1] == 0


def test_ties_go_to_the_lower_index():
    assert apportion(1, [1, 1, 1]) == [1, 0, 0]
    assert apportion(5, [1, 1]) == [3, 2]


def test_a_known_case_matches_hamiltons_method():
    # Quotas 3.86, 2.57, 2.57: two units left; the first goes to the largest remainder,
    # the second to the lower index of the two equal remainders.
    assert apportion(9, [3, 2, 2]) == [4, 3, 2]


def test_nothing_to_split_among_nobody():
    assert apportion(0, []) == []


@pytest.mark.parametrize(
    ("total", "ws"),
    [(-1, [1]), (1, []), (1, [0, 0]), (1, [-1, 2]), (1, [float("nan")])],
)
def test_impossible_splits_are_refused(total, ws):
    with pytest.raises(ValueError):
        apportion(total, ws)
