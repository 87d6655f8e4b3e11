"""The buddy-instance/1 file takes what the solver takes: unknown days (null), and refuses
what it cannot solve (days and capacities out of range) with the field named."""

from __future__ import annotations

import json

import pytest

from intercampus.onboarding.instance import InstanceError, parse_instance
from intercampus.onboarding.matching import match

HUGE = 10**30


def instance(*, arrival=20, capacity=1, avail_from=10, avail_to=30) -> str:
    return json.dumps(
        {
            "format": "buddy-instance/1",
            "students": [
                {"id": "s", "langs": ["en"], "faculty": None, "interests": [], "arrival": arrival}
            ],
            "buddies": [
                {
                    "id": "b",
                    "capacity": capacity,
                    "langs": ["en"],
                    "faculty": None,
                    "interests": [],
                    "avail_from": avail_from,
                    "avail_to": avail_to,
                }
            ],
        }
    )


@pytest.mark.parametrize(
    "days",
    [
        {"arrival": None},
        {"avail_from": None, "avail_to": None},
        {"avail_from": None},
        {"arrival": None, "avail_from": None, "avail_to": None},
    ],
)
def test_unknown_days_are_null_and_still_matched(days):
    students, buddies = parse_instance(instance(**days))

    assert students[0].arrival == days.get("arrival", 20)
    assert buddies[0].avail_from == days.get("avail_from", 10)
    assert match(students, buddies).assignment == {"s": "b"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"arrival": HUGE}, "students[0].arrival: expected a day number"),
        ({"arrival": -HUGE}, "students[0].arrival: expected a day number"),
        ({"avail_to": HUGE}, "buddies[0].avail_to: expected a day number"),
        ({"capacity": HUGE}, "buddies[0].capacity: expected a non-negative integer"),
    ],
)
def test_numbers_too_large_to_solve_are_refused_naming_the_field(values, message):
    with pytest.raises(InstanceError) as refused:
        parse_instance(instance(**values))

    assert str(refused.value).startswith(message)


def test_json_nested_too_deeply_is_refused_as_invalid():
    deep = '{"format": "buddy-instance/1", "students": ' + "[" * 100_000 + "]" * 100_000 + "}"

    with pytest.raises(InstanceError, match="not valid JSON: nested too deeply"):
        parse_instance(deep)
