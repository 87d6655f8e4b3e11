"""Importing headcounts from a spreadsheet: all rows or none, and every fault named."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Headcount
from intercampus.lib.spreadsheets import xlsx_bytes

URL = reverse("staff:headcount_import", kwargs={"institution": "tpu.ru"})


def csv_file(text, name="headcounts.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def tpu_counts(year):
    return dict(
        Headcount.objects.filter(institution__schac="tpu.ru", year=year).values_list(
            "category", "count"
        )
    )


def test_a_good_csv_file_is_applied_and_audited(world, tpu_officer_client):
    data = "year,category,count\n2024,professors,11\n2024,students,1200\n2025,students,41\n"
    response = tpu_officer_client.post(URL, {"file": csv_file(data)}, follow=True)
    assert response.status_code == 200
    assert tpu_counts(2024) == {"professors": 11, "students": 1200}
    assert tpu_counts(2025)["students"] == 41
    assert tpu_counts(2025)["teachers"] == 40  # not in the file: left as it was
    assert AuditEntry.objects.filter(action="institutions.headcount.set").count() == 3
    assert "3 rows read, 3 counts changed" in response.text


def test_a_semicolon_csv_from_a_european_excel_with_category_names_is_read(
    world, tpu_officer_client
):
    data = "\ufeffYear;Category;Count\n2024;PhD students;9\n"
    response = tpu_officer_client.post(URL, {"file": csv_file(data)})
    assert response.status_code == 302
    assert tpu_counts(2024) == {"phd_students": 9}


def test_a_good_excel_file_is_applied(world, tpu_officer_client):
    content = xlsx_bytes(["year", "category", "count"], [[2023, "teachers", 300.0]])
    upload = SimpleUploadedFile("headcounts.xlsx", content)
    response = tpu_officer_client.post(URL, {"file": upload})
    assert response.status_code == 302
    assert tpu_counts(2023) == {"teachers": 300}


def test_one_bad_row_refuses_the_whole_file_and_every_fault_is_named(world, tpu_officer_client):
    data = (
        "year,category,count\n"
        "2024,professors,11\n"
        "2024,students,many\n"
        "2024,teachers,-1\n"
        "24,deans,5\n"
    )
    response = tpu_officer_client.post(URL, {"file": csv_file(data)})
    assert response.status_code == 200
    text = response.text
    assert "Nothing was imported." in text
    assert "Row 3, column count: enter a whole number ≥ 0." in text
    assert "Row 4, column count: enter a whole number ≥ 0." in text
    assert "Row 5, column year: enter a year between 1900 and" in text
    assert "Row 5, column category: enter one of professors, teachers" in text
    assert tpu_counts(2024) == {}
    assert not AuditEntry.objects.exists()


def test_a_row_given_twice_is_refused(world, tpu_officer_client):
    data = "year,category,count\n2024,students,1\n2024,students,2\n"
    response = tpu_officer_client.post(URL, {"file": csv_file(data)})
    assert "Row 3: 2024 students is already given in row 2." in response.text
    assert tpu_counts(2024) == {}


def test_a_missing_column_is_named(world, tpu_officer_client):
    response = tpu_officer_client.post(URL, {"file": csv_file("year,count\n2024,1\n")})
    assert response.status_code == 200
    assert "missing: category" in response.text


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, tpu_officer_client):
    upload = SimpleUploadedFile("headcounts.xlsx", b"\x00\x01 not a workbook")
    response = tpu_officer_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert "cannot be read" in response.text


def test_a_csv_that_is_not_utf8_is_refused_with_advice(world, tpu_officer_client):
    upload = SimpleUploadedFile(
        "h.csv", "year,category,count\n2024,students,1 é\n".encode("cp1252")
    )
    response = tpu_officer_client.post(URL, {"file": upload})
    assert "CSV UTF-8" in response.text


def test_an_exported_file_imports_back_unchanged(world, tpu_officer_client):
    export = tpu_officer_client.get(
        reverse("staff:headcounts_xlsx", kwargs={"institution": "tpu.ru"})
    )
    upload = SimpleUploadedFile("export.xlsx", export.content)
    response = tpu_officer_client.post(URL, {"file": upload}, follow=True)
    assert "4 rows read, 0 counts changed" in response.text
    assert not AuditEntry.objects.exists()


def test_a_member_without_the_permission_gets_403(world, coordinator_client):
    data = "year,category,count\n2024,students,1\n"
    assert coordinator_client.post(URL, {"file": csv_file(data)}).status_code == 403
    assert tpu_counts(2024) == {}


def test_staff_of_another_institution_get_404(world, kth_officer_client):
    data = "year,category,count\n2024,students,1\n"
    assert kth_officer_client.post(URL, {"file": csv_file(data)}).status_code == 404
    assert tpu_counts(2024) == {}
