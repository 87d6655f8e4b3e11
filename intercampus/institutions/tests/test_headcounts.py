"""The officer keeps their institution's headcounts: a grid of years and categories."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Headcount


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


def counts(institution, year):
    return dict(
        Headcount.objects.filter(institution=institution, year=year).values_list(
            "category", "count"
        )
    )


def test_the_grid_shows_every_year_of_my_institution_only(world, tpu_officer_client):
    Headcount.objects.create(institution=world.tpu, year=2024, category="students", count=12345)
    response = tpu_officer_client.get(url("headcounts"))
    assert response.status_code == 200
    assert "2025" in response.text and "2024" in response.text
    assert "12,345" in response.text or "12345" in response.text


def test_the_officer_enters_a_new_year_and_each_count_is_audited(world, tpu_officer_client):
    response = tpu_officer_client.post(
        url("headcount_add"),
        {"year": 2026, "professors": 41, "teachers": 42, "phd_students": 43, "students": 44},
    )
    assert response.status_code == 302
    assert counts(world.tpu, 2026) == {
        "professors": 41,
        "teachers": 42,
        "phd_students": 43,
        "students": 44,
    }
    entries = AuditEntry.objects.filter(action="institutions.headcount.set", institution=world.tpu)
    assert entries.count() == 4
    assert entries.first().actor == world.tpu_officer


def test_editing_a_year_replaces_its_numbers_and_an_empty_one_removes_the_category(
    world, tpu_officer_client
):
    response = tpu_officer_client.post(
        url("headcount_edit", year=2025),
        {"professors": 40, "teachers": 400, "phd_students": "", "students": 40},
    )
    assert response.status_code == 302
    assert counts(world.tpu, 2025) == {"professors": 40, "teachers": 400, "students": 40}
    assert AuditEntry.objects.filter(action="institutions.headcount.set").count() == 1
    assert AuditEntry.objects.filter(action="institutions.headcount.deleted").count() == 1


def test_the_year_of_an_edit_comes_from_the_url_not_from_the_form(world, tpu_officer_client):
    tpu_officer_client.post(
        url("headcount_edit", year=2025), {"year": 1999, "professors": 1, "students": 2}
    )
    assert not Headcount.objects.filter(year=1999).exists()
    assert counts(world.tpu, 2025)["professors"] == 1


def test_a_negative_count_keeps_what_was_typed_and_says_what_is_wrong(world, tpu_officer_client):
    response = tpu_officer_client.post(
        url("headcount_add"), {"year": 2026, "professors": -3, "students": 77}
    )
    assert response.status_code == 200
    assert 'value="77"' in response.text
    assert 'value="-3"' in response.text
    assert "greater than or equal to 0" in response.text
    assert not Headcount.objects.filter(year=2026).exists()


def test_an_empty_year_is_refused(world, tpu_officer_client):
    response = tpu_officer_client.post(url("headcount_add"), {"year": 2026})
    assert response.status_code == 200
    assert "Enter at least one number." in response.text


def test_the_officer_deletes_a_year(world, tpu_officer_client):
    assert tpu_officer_client.get(url("headcount_delete", year=2025)).status_code == 200
    response = tpu_officer_client.post(url("headcount_delete", year=2025))
    assert response.status_code == 302
    assert counts(world.tpu, 2025) == {}
    assert counts(world.kth, 2025) != {}
    assert AuditEntry.objects.filter(action="institutions.headcount.deleted").count() == 4


def test_deleting_a_year_that_was_never_counted_is_404(world, tpu_officer_client):
    assert tpu_officer_client.post(url("headcount_delete", year=2001)).status_code == 404


def test_the_csv_export_lists_year_category_and_count(world, tpu_officer_client):
    response = tpu_officer_client.get(url("headcounts_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "year,category,count"
    assert lines[1:] == [
        "2025,professors,40",
        "2025,teachers,40",
        "2025,phd_students,40",
        "2025,students,40",
    ]


def test_the_excel_export_has_the_same_rows(world, tpu_officer_client):
    response = tpu_officer_client.get(url("headcounts_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("year", "category", "count")
    assert rows[1] == (2025, "professors", 40)
    assert len(rows) == 5


def test_a_member_without_the_permission_gets_403(world, coordinator_client):
    assert coordinator_client.get(url("headcounts")).status_code == 403
    assert coordinator_client.get(url("headcounts_csv")).status_code == 403
    assert coordinator_client.post(url("headcount_delete", year=2025)).status_code == 403
    assert counts(world.tpu, 2025) != {}


def test_staff_of_another_institution_get_404(world, kth_officer_client):
    for name, kwargs in [
        ("headcounts", {}),
        ("headcount_add", {}),
        ("headcount_edit", {"year": 2025}),
        ("headcounts_csv", {}),
        ("headcounts_xlsx", {}),
    ]:
        assert kth_officer_client.get(url(name, **kwargs)).status_code == 404
    assert kth_officer_client.post(url("headcount_delete", year=2025)).status_code == 404
    assert (
        kth_officer_client.post(url("headcount_add"), {"year": 2026, "students": 1}).status_code
        == 404
    )
    assert counts(world.tpu, 2025) != {}
    assert not Headcount.objects.filter(year=2026).exists()
