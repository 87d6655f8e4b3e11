"""The seat rule alone: reserved seats per group, a shared pool, never more than capacity."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intercampus.events import seats

GROUPS = ("local", "international")


def test_half_reserved_for_locals_leaves_internationals_the_other_half():
    quotas = {"local": 5, "international": 0}
    taken = {"local": 0, "international": 5}
    assert not seats.seat_free("international", capacity=10, quotas=quotas, taken=taken)
    assert seats.seats_left_for("local", capacity=10, quotas=quotas, taken=taken) == 5


def test_locals_spill_over_into_the_unreserved_seats():
    quotas = {"local": 5, "international": 0}
    taken = {"local": 7, "international": 2}
    assert seats.seats_left_for("local", capacity=10, quotas=quotas, taken=taken) == 1
    assert seats.seats_left_for("international", capacity=10, quotas=quotas, taken=taken) == 1


@st.composite
def events_and_arrivals(draw):
    capacity = draw(st.integers(1, 30))
    local = draw(st.integers(0, capacity))
    international = draw(st.integers(0, capacity - local))
    arrivals = draw(st.lists(st.sampled_from(GROUPS), max_size=60))
    return capacity, {"local": local, "international": international}, arrivals


@given(events_and_arrivals())
def test_seats_given_one_by_one_never_overbook_nor_break_a_quota(case):
    capacity, quotas, arrivals = case
    taken = dict.fromkeys(GROUPS, 0)
    for group in arrivals:
        if seats.seat_free(group, capacity=capacity, quotas=quotas, taken=taken):
            taken[group] += 1
        assert sum(taken.values()) <= capacity
        assert seats.fits(capacity=capacity, quotas=quotas, taken=taken)


@given(events_and_arrivals())
def test_a_group_is_refused_only_when_its_seats_and_the_pool_are_used_up(case):
    capacity, quotas, arrivals = case
    taken = dict.fromkeys(GROUPS, 0)
    for group in arrivals:
        if seats.seat_free(group, capacity=capacity, quotas=quotas, taken=taken):
            taken[group] += 1
        else:
            assert taken[group] >= quotas[group]
            assert seats.pool_taken(quotas, taken) == seats.pool_size(capacity, quotas)
