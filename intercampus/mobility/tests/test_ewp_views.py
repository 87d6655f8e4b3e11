"""The EWP pages of the international office: download our agreements as XML, import a
partner's get response (errors shown with their lines, nothing kept), compute iia-hashes;
and who may see them (outsiders 404, other roles 403)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.interop.iia_hash import hashes_of_get_response
from intercampus.interop.schemas import validate
from intercampus.mobility.models import Agreement, EwpImportJob
from intercampus.mobility.services import ewp as services
from intercampus.mobility.services import ewp_jobs
from intercampus.mobility.tests.ewp_fixtures import (
    EXAMPLE_HASH,
    EXAMPLE_IIA_ID,
    demo_agreements,
    example_bytes,
    example_with_partner,
    two_agreements_with,
)

pytestmark = pytest.mark.django_db

NAMES = ["ewp_export", "ewp_import", "ewp_hash"]


def _url(name: str, schac: str = "tpu.ru") -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac})


def _upload(data: bytes, name: str = "iias.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def _agreements() -> int:
    with scopes_disabled():
        return Agreement.objects.count()


def test_the_agreements_list_links_to_the_ewp_pages(world, tpu_officer_client):
    page = tpu_officer_client.get(_url("agreements")).content.decode()

    for name in NAMES:
        assert _url(name) in page


# --- Export ---------------------------------------------------------------------------------


def test_the_export_downloads_our_agreements_as_valid_xml(world, tpu_officer_client):
    demo_agreements(world)

    response = tpu_officer_client.get(_url("ewp_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Content-Disposition"] == 'attachment; filename="iias-tpu.ru.xml"'
    assert validate(response.content, "iias-get-response") == []
    with scopes_disabled():
        ours = {a.iia_id: a.iia_hash for a in Agreement.objects.filter(owner=world.tpu)}
    assert dict(hashes_of_get_response(response.content)) == ours


# --- Import ---------------------------------------------------------------------------------


def test_the_import_page_shows_a_file_field(world, tpu_officer_client):
    page = tpu_officer_client.get(_url("ewp_import")).content.decode()

    assert 'type="file"' in page
    assert 'enctype="multipart/form-data"' in page


def test_an_uploaded_get_response_is_imported_and_reported(world, tpu_officer_client):
    response = tpu_officer_client.post(
        _url("ewp_import"), {"file": _upload(example_with_partner("tpu.ru"))}, follow=True
    )

    assert response.redirect_chain[-1][0] == _url("agreements")
    assert "1 created, 0 updated, 0 unchanged" in response.content.decode()
    with scopes_disabled():
        copy = Agreement.objects.get(owner__schac="uw.edu.pl", iia_id=EXAMPLE_IIA_ID)
    assert copy.partner == world.tpu
    # The partner's copy now waits for ours.
    assert "983/E+/III14&amp;15" in response.content.decode()


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (example_bytes()[:400], "not well-formed XML"),
        (example_bytes().replace(b"<in-effect>true</in-effect>", b""), "in-effect"),
    ],
    ids=["not well-formed", "missing element"],
)
def test_an_invalid_document_shows_its_errors_with_lines_and_keeps_nothing(
    world, tpu_officer_client, document, says
):
    response = tpu_officer_client.post(_url("ewp_import"), {"file": _upload(document)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "What is wrong with the document" in page
    assert says in page
    assert "line " in page
    assert _agreements() == 0


def test_an_import_of_agreements_that_do_not_involve_us_is_refused(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("ewp_import"), {"file": _upload(example_bytes())})

    assert response.status_code == 200
    assert "does not involve tpu.ru" in response.content.decode()
    assert _agreements() == 0


def test_a_file_over_the_limit_is_refused(world, tpu_officer_client, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 1000)

    response = tpu_officer_client.post(
        _url("ewp_import"), {"file": _upload(example_with_partner("tpu.ru"))}
    )

    assert "larger than" in response.content.decode()
    assert _agreements() == 0


def test_an_import_without_a_file_says_so_next_to_the_field(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("ewp_import"), {})

    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()


# --- iia-hash -------------------------------------------------------------------------------


def test_an_uploaded_document_s_hashes_are_shown_in_a_table(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("ewp_hash"), {"file": _upload(example_bytes())})

    page = response.content.decode()
    assert EXAMPLE_IIA_ID in page
    assert EXAMPLE_HASH in page
    assert '<th scope="col">Valid for approval</th>' in page


def test_pasted_xml_is_hashed_too(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("ewp_hash"), {"xml": example_bytes().decode()})

    assert EXAMPLE_HASH in response.content.decode()


def test_a_document_invalid_against_the_schema_is_hashed_with_a_notice(world, tpu_officer_client):
    invalid = example_bytes().replace(b"<in-effect>true</in-effect>", b"")

    page = tpu_officer_client.post(_url("ewp_hash"), {"xml": invalid.decode()}).content.decode()

    assert "not valid against the IIAs v7 schema" in page
    assert "<table" in page


def test_text_that_is_not_xml_shows_the_error(world, tpu_officer_client):
    page = tpu_officer_client.post(_url("ewp_hash"), {"xml": "<iia>"}).content.decode()

    assert "not well-formed XML" in page
    assert "<table" not in page


def test_the_hash_page_asks_for_a_document(world, tpu_officer_client):
    page = tpu_officer_client.post(_url("ewp_hash"), {}).content.decode()

    assert "Choose a file or paste the XML." in page


def test_nothing_is_stored_by_hashing(world, tpu_officer_client):
    tpu_officer_client.post(_url("ewp_hash"), {"file": _upload(example_bytes())})

    assert _agreements() == 0


# --- Who may see the pages ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_of_another_institution_get_404(world, kth_officer_client, name, method):
    response = getattr(kth_officer_client, method)(_url(name))

    assert response.status_code == 404


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_without_the_permission_gets_403(world, coordinator_client, name, method):
    response = getattr(coordinator_client, method)(_url(name))

    assert response.status_code == 403


def test_an_outsider_cannot_import_into_another_institution(world, kth_officer_client):
    response = kth_officer_client.post(
        _url("ewp_import"), {"file": _upload(example_with_partner("tpu.ru"))}
    )

    assert response.status_code == 404
    assert _agreements() == 0


# --- Large imports: a job page with a progress bar ------------------------------------------


def _job_url(name: str, job, schac: str = "tpu.ru") -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac, "job": job.uuid})


def test_a_large_import_leads_to_its_job_page_which_follows_the_worker(
    world, tpu_officer_client, monkeypatch
):
    monkeypatch.setattr(ewp_jobs, "BACKGROUND_THRESHOLD", 1)

    response = tpu_officer_client.post(
        _url("ewp_import"), {"file": _upload(two_agreements_with("tpu.ru"), "big.xml")}
    )

    with scopes_disabled():
        job = EwpImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _job_url("ewp_import_job", job)
    assert _agreements() == 0
    page = tpu_officer_client.get(response["Location"]).content.decode()
    assert "big.xml" in page and "Waiting for the task worker" in page
    assert f'hx-get="{_job_url("ewp_import_job_progress", job)}"' in page

    ewp_jobs.iias_import_job_run(job_uuid=str(job.uuid), actor_id=world.tpu_officer.pk)

    panel = tpu_officer_client.get(_job_url("ewp_import_job_progress", job)).content.decode()
    assert "2 agreements read, 2 created" in panel
    assert "hx-get" not in panel  # done: the polling stops


@pytest.mark.parametrize("name", ["ewp_import_job", "ewp_import_job_progress"])
def test_staff_of_another_institution_cannot_see_an_import_job(world, kth_officer_client, name):
    with scopes_disabled():
        job = EwpImportJob.objects.create(institution=world.tpu, document=b"<x/>")

    assert kth_officer_client.get(_job_url(name, job)).status_code == 404
    assert kth_officer_client.get(_job_url(name, job, "kth.se")).status_code == 404
