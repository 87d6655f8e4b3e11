"""Importing degree newcomers from a spreadsheet: all rows or none, every problem named by
row and column."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import Workbook

from intercampus.accounts.models import User
from intercampus.onboarding.models import Journey
from intercampus.onboarding.tests.journeys_factories import csv_file, make_template

IMPORT_URL = reverse("staff:journey_newcomer_import", kwargs={"institution": "tpu.ru"})
HEADER = "email,given_name,family_name,target_group,anchor_date\n"


@pytest.fixture
def templates(world):
    make_template(world.tpu, world.tpu_officer, name="Master's", target_group="degree_master")
    make_template(world.tpu, world.tpu_officer, name="PhD", target_group="phd")


def _post(client, text, name="newcomers.csv"):
    return client.post(IMPORT_URL, {"file": csv_file(text, name)})


def test_a_good_file_adds_every_newcomer_and_invites_the_new_ones(
    world, templates, tpu_officer_client, mailoutbox, django_capture_on_commit_callbacks
):
    text = (
        HEADER
        + "ana@example.org,Ana,Lima,degree_master,2027-09-01\n"
        + "li.wei@example.org,Wei,Li,phd,2027-10-15\n"
        + "student@kth.se,Kim,Student,degree_master,2027-09-01\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(tpu_officer_client, text)
    assert response.status_code == 302
    with scopes_disabled():
        assert Journey.objects.filter(institution=world.tpu, source="import").count() == 3
    # The KTH student already had an account: no invitation for them.
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "li.wei@example.org"]


def test_one_bad_row_imports_nothing_and_every_problem_is_named(
    templates, tpu_officer_client, mailoutbox
):
    text = (
        HEADER
        + "ana@example.org,Ana,Lima,degree_master,2027-09-01\n"
        + "not-an-address,Wei,Li,phd,2027-10-15\n"
        + "bo@example.org,,Berg,exchange,01/09/2027\n"
        + "ana@example.org,Ana,Again,phd,2027-09-01\n"
    )
    response = _post(tpu_officer_client, text)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Nothing was imported" in errors
    assert "Row 3, column email" in errors
    assert "Row 4, column given_name" in errors
    assert "Row 4, column target_group" in errors  # no exchange template at TPU here
    assert "Row 4, column anchor_date" in errors
    assert "Row 5: ana@example.org is already in row 2" in errors
    assert not User.objects.filter(email="ana@example.org").exists()
    with scopes_disabled():
        assert not Journey.objects.exists()
    assert mailoutbox == []


def test_a_file_without_the_columns_says_which_are_missing(templates, tpu_officer_client):
    response = _post(tpu_officer_client, "email,name\nana@example.org,Ana\n")
    errors = " ".join(response.context["form"].non_field_errors())
    assert "missing: given_name, family_name, target_group, anchor_date" in errors


def test_an_excel_file_imports_too(world, templates, tpu_officer_client):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "given_name", "family_name", "target_group", "anchor_date"])
    sheet.append(["excel@example.org", "Eva", "Excel", "phd", datetime.datetime(2027, 9, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "newcomers.xlsx"
    response = tpu_officer_client.post(IMPORT_URL, {"file": buffer})
    assert response.status_code == 302
    with scopes_disabled():
        journey = Journey.objects.get(newcomer__email="excel@example.org")
    assert journey.anchor_date == datetime.date(2027, 9, 1)


def test_importing_the_same_file_twice_starts_no_second_journey(templates, tpu_officer_client):
    text = HEADER + "ana@example.org,Ana,Lima,degree_master,2027-09-01\n"
    _post(tpu_officer_client, text)
    _post(tpu_officer_client, text)
    with scopes_disabled():
        assert Journey.objects.filter(newcomer__email="ana@example.org").count() == 1
