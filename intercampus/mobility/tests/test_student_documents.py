"""Documents with an application: PDF, PNG or JPEG told by their content, at most 5 MB; served
only to their student and to the staff of the home institution."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.mobility.models import ApplicationDocument
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def anna(world):
    return make.student(world.tpu, "anna@tpu.ru")


@pytest.fixture
def application(world, anna):
    call = make.call(world.tpu, required_documents=["transcript"])
    return make.draft(call, anna)


def _upload(client, application, name, content, kind="transcript"):
    url = reverse("mobility:document_upload", kwargs={"application": application.uuid})
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def _documents(application):
    with scopes_disabled():
        return list(ApplicationDocument.objects.filter(application=application))


def test_a_pdf_is_uploaded_and_audited(world, anna, application):
    response = _upload(make.client_for(anna), application, "transcript.pdf", PDF)
    assert response.status_code == 302
    (document,) = _documents(application)
    assert document.content_type == "application/pdf"
    assert document.original_name == "transcript.pdf"
    assert document.size == len(PDF)
    # Stored under a random name, never the one the student gave.
    assert "transcript" not in document.file.name
    assert AuditEntry.objects.filter(
        action="mobility.application.document.added", institution=world.tpu
    ).exists()


def test_a_png_is_accepted(world, anna, application):
    _upload(make.client_for(anna), application, "scan.png", PNG, kind="cv")
    assert [d.content_type for d in _documents(application)] == ["image/png"]


def test_a_text_file_named_pdf_is_refused_by_its_content(world, anna, application):
    response = _upload(make.client_for(anna), application, "transcript.pdf", b"just some text")
    assert response.status_code == 400
    assert "Only PDF, PNG or JPEG files are accepted" in response.content.decode()
    assert _documents(application) == []


def test_a_file_of_6_mb_is_refused(world, anna, application):
    big = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    response = _upload(make.client_for(anna), application, "big.pdf", big)
    assert response.status_code == 400
    assert "The file is 6.0 MB; the limit is 5 MB." in response.content.decode()
    assert _documents(application) == []


def test_a_pdf_renamed_to_png_is_refused(world, anna, application):
    response = _upload(make.client_for(anna), application, "photo.png", PDF)
    assert "does not match its content" in response.content.decode()
    assert _documents(application) == []


def test_an_upload_makes_a_missing_document_reason_go_away(world, anna, application):
    client = make.client_for(anna)
    with scopes_disabled():
        from intercampus.mobility.selectors.applications import applicant_for

        assert "transcript" not in applicant_for(application).documents
    _upload(client, application, "transcript.pdf", PDF)
    with scopes_disabled():
        assert "transcript" in applicant_for(application).documents


def test_the_student_downloads_their_own_document(world, anna, application):
    client = make.client_for(anna)
    _upload(client, application, "transcript.pdf", PDF)
    (document,) = _documents(application)
    url = reverse(
        "mobility:document", kwargs={"application": application.uuid, "document": document.uuid}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_another_student_cannot_download_or_remove_it(world, anna, application):
    _upload(make.client_for(anna), application, "transcript.pdf", PDF)
    (document,) = _documents(application)
    boris = make.client_for(make.student(world.tpu, "boris@tpu.ru"))
    kwargs = {"application": application.uuid, "document": document.uuid}
    assert boris.get(reverse("mobility:document", kwargs=kwargs)).status_code == 404
    assert boris.post(reverse("mobility:document_delete", kwargs=kwargs)).status_code == 404
    assert len(_documents(application)) == 1


def test_the_student_removes_a_document_from_a_draft(world, anna, application):
    client = make.client_for(anna)
    _upload(client, application, "transcript.pdf", PDF)
    (document,) = _documents(application)
    kwargs = {"application": application.uuid, "document": document.uuid}
    client.post(reverse("mobility:document_delete", kwargs=kwargs))
    assert _documents(application) == []


def test_documents_are_not_served_from_a_public_media_url(world, anna, application, client):
    _upload(make.client_for(anna), application, "transcript.pdf", PDF)
    (document,) = _documents(application)
    assert client.get("/media/" + document.file.name).status_code == 404
