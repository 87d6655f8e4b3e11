"""Dates read the same on every page, in one format per language, on a 24-hour clock; English
is written day-month-year (12/07/2026 reads as 12 July in Europe)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from intercampus.accounts.models import ApiToken

EARLY_MORNING = dt.datetime(2026, 12, 7, 1, 5, tzinfo=dt.UTC)
NAMED_FORMATS = ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_each_language_has_one_date_format_on_a_24_hour_clock(language):
    with translation.override(language):
        dates = {formats.date_format(EARLY_MORNING, f) for f in NAMED_FORMATS[:2]}
        times = {formats.date_format(EARLY_MORNING, f) for f in NAMED_FORMATS[2:]}
        clock = formats.time_format(EARLY_MORNING.time(), "TIME_FORMAT")

    assert len(dates) == 1
    assert len(times) == 1
    assert times.pop().endswith("01:05")
    assert clock == "01:05"


def test_english_pages_write_dates_day_month_year_without_am_pm(world, student_client):
    token, _ = ApiToken.objects.issue(user=world.student, name="laptop")
    ApiToken.objects.filter(pk=token.pk).update(created=EARLY_MORNING)

    page = student_client.get(reverse("me:tokens")).content.decode()

    assert "7 Dec 2026 01:05" in page
    assert "a.m." not in page
    assert "12/07/2026" not in page
