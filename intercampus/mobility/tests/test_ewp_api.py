"""The EWP endpoints of the API: export and import an institution's agreements as IIAs v7
XML (its international office only: outsiders 404, other roles 403), and the iia-hash of a
document for anyone signed in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.institutions.models import Institution
from intercampus.interop.iia_hash import hashes_of_get_response
from intercampus.interop.schemas import validate
from intercampus.mobility.models import Agreement, EwpImportJob
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

API = "/api/v1"
TPU_IIAS = f"{API}/institutions/tpu.ru/ewp/iias"
HASH = f"{API}/ewp/iia-hash"
XML = "application/xml"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


def _counts() -> tuple[int, int]:
    with scopes_disabled():
        return Institution.objects.count(), Agreement.objects.count()


# --- Export ---------------------------------------------------------------------------------


def test_the_export_is_a_valid_get_response_of_our_agreements(world, tpu_api):
    demo_agreements(world)

    response = tpu_api.get(TPU_IIAS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(XML)
    assert validate(response.content, "iias-get-response") == []
    with scopes_disabled():
        ours = {a.iia_id: a.iia_hash for a in Agreement.objects.filter(owner=world.tpu)}
    assert dict(hashes_of_get_response(response.content)) == ours


# --- Import ---------------------------------------------------------------------------------


def test_an_xml_body_is_imported_and_reported(world, tpu_api):
    response = tpu_api.post(TPU_IIAS, example_with_partner("tpu.ru"), content_type=XML)

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 0, 0)
    assert body["institutions_created"] == ["uw.edu.pl"]
    [item] = body["items"]
    assert item["owner"] == "uw.edu.pl"
    assert item["partner"] == "tpu.ru"
    assert item["iia_id"] == EXAMPLE_IIA_ID
    assert item["outcome"] == "created"
    with scopes_disabled():
        copy = Agreement.objects.get(owner__schac="uw.edu.pl", iia_id=EXAMPLE_IIA_ID)
    assert copy.iia_hash == item["iia_hash"]


def test_a_multipart_file_is_imported_too(world, tpu_api):
    upload = SimpleUploadedFile("iias.xml", example_with_partner("tpu.ru"), content_type=XML)

    response = tpu_api.post(TPU_IIAS, {"file": upload})

    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_the_export_re_imports_unchanged(world, tpu_api):
    demo_agreements(world)
    exported = tpu_api.get(TPU_IIAS).content

    body = tpu_api.post(TPU_IIAS, exported, content_type=XML).json()

    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (example_bytes()[:400], "not well-formed XML"),
        (
            example_bytes().replace(b'blob/stable-v7/endpoints/get-response.xsd"', b'blob/v6"', 1),
            "root element is",
        ),
        (example_bytes().replace(b"<in-effect>true</in-effect>", b""), "in-effect"),
    ],
    ids=["not well-formed", "wrong namespace", "missing element"],
)
def test_invalid_xml_is_refused_with_422_and_its_errors_and_nothing_is_stored(
    world, tpu_api, document, says
):
    before = _counts()

    response = tpu_api.post(TPU_IIAS, document, content_type=XML)

    assert response.status_code == 422
    body = response.json()
    assert says in body["detail"]
    assert body["errors"] and all(e["line"] for e in body["errors"])
    assert _counts() == before


def test_agreements_that_do_not_involve_us_are_refused(world, tpu_api):
    response = tpu_api.post(TPU_IIAS, example_bytes(), content_type=XML)

    assert response.status_code == 403
    assert "does not involve tpu.ru" in response.json()["detail"]
    assert _counts()[1] == 0


def test_an_empty_body_is_refused(world, tpu_api):
    response = tpu_api.post(TPU_IIAS, b"", content_type=XML)

    assert response.status_code == 400
    assert "request body" in response.json()["detail"]


# --- Who may export and import --------------------------------------------------------------


def _call(client: Client, method: str):
    if method == "get":
        return client.get(TPU_IIAS)
    return client.post(TPU_IIAS, example_with_partner("tpu.ru"), content_type=XML)


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_of_another_institution_get_404(world, method):
    client = api_client(world.kth_officer)

    response = _call(client, method)

    assert response.status_code == 404
    assert _counts()[1] == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_without_the_permission_gets_403(world, method):
    client = api_client(world.tpu_coordinator)

    response = _call(client, method)

    assert response.status_code == 403
    assert _counts()[1] == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_student_gets_404(world, method):
    response = getattr(api_client(world.student), method)(TPU_IIAS)

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_get_401(world, client, method):
    response = getattr(client, method)(TPU_IIAS)

    assert response.status_code == 401


# --- iia-hash -------------------------------------------------------------------------------


def test_the_official_example_s_hash_is_reproduced_for_any_signed_in_user(world):
    response = api_client(world.student).post(HASH, example_bytes(), content_type=XML)

    assert response.status_code == 200
    assert response.json() == [
        {"iia_id": EXAMPLE_IIA_ID, "iia_hash": EXAMPLE_HASH, "valid_for_approval": True}
    ]


def test_the_hash_accepts_a_multipart_file(world):
    upload = SimpleUploadedFile("iias.xml", example_bytes(), content_type=XML)

    response = api_client(world.student).post(HASH, {"file": upload})

    assert response.json()[0]["iia_hash"] == EXAMPLE_HASH


def test_the_hash_of_exported_agreements_is_their_stored_hash(world, tpu_api):
    demo_agreements(world)
    exported = tpu_api.get(TPU_IIAS).content

    hashed = tpu_api.post(HASH, exported, content_type=XML).json()

    with scopes_disabled():
        ours = {a.iia_id: a.iia_hash for a in Agreement.objects.filter(owner=world.tpu)}
    assert {h["iia_id"]: h["iia_hash"] for h in hashed} == ours


def test_the_hash_refuses_what_is_not_xml(world):
    response = api_client(world.student).post(HASH, b"<iia>", content_type=XML)

    assert response.status_code == 422
    assert "not well-formed" in response.json()["detail"]


def test_the_hash_needs_a_signed_in_caller(world, client):
    response = client.post(HASH, example_bytes(), content_type=XML)

    assert response.status_code == 401


def test_the_endpoints_are_documented(db):
    from ninja import NinjaAPI

    from intercampus.mobility.api import router

    # A copy of the router alone, so that another router's schema cannot hide this one's.
    api = NinjaAPI(urls_namespace="ewp-openapi-test")
    api.add_router("/", router)
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]

    assert "get" in paths["/api/v1/institutions/{schac}/ewp/iias"]
    assert "application/xml" in paths["/api/v1/ewp/iia-hash"]["post"]["requestBody"]["content"]


# --- Large imports: 202 and a job to follow -------------------------------------------------


def test_a_large_import_is_answered_202_with_the_job_to_follow(world, tpu_api, monkeypatch):
    monkeypatch.setattr(ewp_jobs, "BACKGROUND_THRESHOLD", 1)

    response = tpu_api.post(TPU_IIAS, two_agreements_with("tpu.ru"), content_type=XML)

    assert response.status_code == 202
    body = response.json()
    assert (body["phase"], body["total"], body["processed"]) == ("queued", 2, 0)
    assert body["url"].endswith(f"{API}/institutions/tpu.ru/ewp/imports/{body['job']}")
    ewp_jobs.iias_import_job_run(job_uuid=body["job"], actor_id=world.tpu_officer.pk)
    followed = tpu_api.get(body["url"]).json()
    assert (followed["phase"], followed["created"]) == ("done", 2)


def test_another_institution_s_import_job_is_not_found(world, monkeypatch):
    with scopes_disabled():
        job = EwpImportJob.objects.create(institution=world.tpu, document=b"<x/>")
    kth = api_client(world.kth_officer)

    assert kth.get(f"{API}/institutions/kth.se/ewp/imports/{job.uuid}").status_code == 404
    assert kth.get(f"{API}/institutions/tpu.ru/ewp/imports/{job.uuid}").status_code == 404
