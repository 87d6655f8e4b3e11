"""Agreements in the API: the international office lists, creates, changes and deletes its
copies and their conditions, compares them with the partner's, links, approves and
terminates; with the pages' permissions (outsiders 404, other roles 403, anonymous 401)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.mobility.models import Agreement, CooperationCondition
from intercampus.mobility.selectors.agreements import partner_copy
from intercampus.mobility.tests.agreements_factories import (
    linked_pair,
    make_agreement,
    staff_condition,
    student_condition,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
TPU = f"{API}/institutions/tpu.ru/agreements"
KTH = f"{API}/institutions/kth.se/agreements"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


@pytest.fixture
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


@pytest.fixture
def tpu_copy(world) -> Agreement:
    """TPU's copy with KTH: two student conditions, not linked."""
    return make_agreement(
        world.tpu,
        "kth.se",
        world.tpu_officer,
        code="TPU-KTH",
        conditions=[student_condition("tpu.ru", "kth.se"), student_condition("kth.se", "tpu.ru")],
    )


def _condition_uuid(agreement: Agreement) -> uuid.UUID:
    with scopes_disabled():
        return agreement.conditions.order_by("position").first().uuid


def _endpoints(agreement: Agreement) -> list[tuple[str, str, dict | None]]:
    """Every agreement endpoint under ``tpu.ru``, with a valid body."""
    one = f"{TPU}/{agreement.uuid}"
    condition = f"{one}/conditions/{_condition_uuid(agreement)}"
    return [
        ("get", TPU, None),
        ("post", TPU, {"partner_hei_id": "usp.br", "iia_code": "X-1"}),
        ("get", one, None),
        ("patch", one, {"iia_code": "X-2"}),
        ("delete", one, None),
        ("post", f"{one}/conditions", student_condition("tpu.ru", "kth.se")),
        ("patch", condition, {"mobilities_per_year": 5}),
        ("delete", condition, None),
        ("get", f"{one}/difference", None),
        ("post", f"{one}/approve", {"iia_hash": "0" * 64}),
        ("post", f"{one}/link", {"partner_iia_id": "abc"}),
        ("post", f"{one}/terminate", None),
    ]


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, client, tpu_copy):
    for method, url, body in _endpoints(tpu_copy):
        response = send(client, method, url, body)
        assert response.status_code == 401, (method, url)
        assert response.json()["detail"]


def test_staff_of_another_institution_get_404_on_every_endpoint(world, kth_api, tpu_copy):
    for method, url, body in _endpoints(tpu_copy):
        assert send(kth_api, method, url, body).status_code == 404, (method, url)
    with scopes_disabled():
        assert Agreement.objects.filter(pk=tpu_copy.pk, iia_code="TPU-KTH").exists()


def test_our_agreement_named_under_another_institution_is_404(world, kth_api, tpu_copy):
    assert kth_api.get(f"{KTH}/{tpu_copy.uuid}").status_code == 404
    assert kth_api.get(f"{KTH}/{tpu_copy.uuid}/difference").status_code == 404


def test_a_work_group_coordinator_gets_403_on_every_endpoint(world, tpu_copy):
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in _endpoints(tpu_copy):
        response = send(coordinator, method, url, body)
        assert response.status_code == 403, (method, url)
        assert "does not allow" in response.json()["detail"]


def test_a_student_gets_404_as_they_hold_no_staff_role(world, tpu_copy):
    assert api_client(world.student).get(KTH).status_code == 404


# --- The list -------------------------------------------------------------------------------


def test_the_list_filters_searches_and_paginates_as_the_page(world, tpu_api, tpu_copy):
    make_agreement(
        world.tpu,
        "usp.br",
        world.tpu_officer,
        code="TPU-USP-STAFF",
        conditions=[staff_condition("tpu.ru", "usp.br")],
    )
    make_agreement(world.tpu, "polito.it", world.tpu_officer, code="TPU-POLITO")

    body = tpu_api.get(TPU).json()
    assert body["count"] == 3
    row = next(r for r in body["items"] if r["iia_code"] == "TPU-KTH")
    assert row["partner"] == {"id": "kth.se", "name": "KTH", "on_platform": True}
    assert (row["status"], row["condition_count"]) == ("proposed", 2)
    assert (row["first_academic_year"], row["last_academic_year"]) == ("2026/2027", "2028/2029")

    def codes(query: str) -> list[str]:
        return [r["iia_code"] for r in tpu_api.get(f"{TPU}?{query}").json()["items"]]

    assert codes("partner=usp.br") == ["TPU-USP-STAFF"]
    assert codes("status=draft") == ["TPU-POLITO"]
    assert codes("type=staff-teacher") == ["TPU-USP-STAFF"]
    assert codes("year=2028/2029") == ["TPU-KTH"]
    assert codes("q=polito") == ["TPU-POLITO"]
    assert tpu_api.get(f"{TPU}?limit=1&offset=1").json()["count"] == 3
    assert len(tpu_api.get(f"{TPU}?limit=1").json()["items"]) == 1


@pytest.mark.parametrize("query", ["status=signed", "type=walking", "year=2027", "limit=0"])
def test_a_bad_filter_is_422(world, tpu_api, query):
    response = tpu_api.get(f"{TPU}?{query}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid input.")


# --- One copy -------------------------------------------------------------------------------


def test_creating_an_agreement_audits_it_and_answers_its_detail(world, tpu_api):
    response = send(tpu_api, "post", TPU, {"partner_hei_id": "KTH.se", "iia_code": "TPU-KTH-1"})

    assert response.status_code == 201
    body = response.json()
    assert body["partner"]["id"] == "kth.se"
    assert (body["status"], body["linked"], body["conditions"]) == ("draft", False, [])
    assert len(body["iia_hash"]) == 64
    assert any("Not linked yet" in b["text"] for b in body["blockers"])
    with scopes_disabled():
        assert Agreement.objects.get(uuid=body["id"]).owner == world.tpu
    assert audited("mobility.agreement.created")


def test_a_partner_off_the_platform_is_named_by_its_code(world, tpu_api):
    body = send(tpu_api, "post", TPU, {"partner_hei_id": "uw.edu.pl", "iia_code": "UW"}).json()
    assert body["partner"] == {"id": "uw.edu.pl", "name": None, "on_platform": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"partner_hei_id": "tpu.ru", "iia_code": "SELF"}, "partner_hei_id"),
        ({"partner_hei_id": "not a code", "iia_code": "X"}, "partner_hei_id"),
        ({"partner_hei_id": "kth.se", "iia_code": ""}, "iia_code"),
        ({"partner_hei_id": "kth.se"}, "iia_code"),
        ({"partner_hei_id": "kth.se", "iia_code": "X", "owner_ounit": str(uuid.uuid4())}, None),
        ({"partner_hei_id": "kth.se", "iia_code": "X", "owner_ounit": "unit-1"}, "owner_ounit"),
        ({"partner_hei_id": "kth.se", "iia_code": "X", "colour": "blue"}, "colour"),
        ({"partner_hei_id": 7, "iia_code": "X"}, "partner_hei_id"),
    ],
)
def test_a_refused_agreement_is_422_naming_the_field(world, tpu_api, body, field):
    response = send(tpu_api, "post", TPU, body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors
    assert field is None or any(e["loc"][-1] == field for e in errors)
    with scopes_disabled():
        assert not Agreement.objects.exists()


def test_a_body_that_is_not_json_is_refused_in_json(world, tpu_api):
    response = tpu_api.post(TPU, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_the_detail_shows_conditions_in_served_order(world, tpu_api, tpu_copy):
    body = tpu_api.get(f"{TPU}/{tpu_copy.uuid}").json()

    assert [c["number"] for c in body["conditions"]] == [1, 2]
    first = body["conditions"][0]
    assert (first["sending_hei_id"], first["receiving_hei_id"]) == ("tpu.ru", "kth.se")
    assert first["total_months_per_year"] == 10.0
    assert first["subject_areas"] == [{"isced_f_code": "0714", "isced_clarification": ""}]
    assert first["language_skills"][0]["cefr_level"] == "B2"


def test_a_malformed_agreement_id_is_422_and_an_unknown_one_404(world, tpu_api):
    assert tpu_api.get(f"{TPU}/not-a-uuid").status_code == 422
    assert tpu_api.get(f"{TPU}/{uuid.uuid4()}").status_code == 404


def test_changing_the_code_keeps_the_other_fields(world, tpu_api, tpu_copy):
    response = send(tpu_api, "patch", f"{TPU}/{tpu_copy.uuid}", {"iia_code": "TPU-KTH-NEW"})

    assert response.status_code == 200
    assert response.json()["iia_code"] == "TPU-KTH-NEW"
    with scopes_disabled():
        tpu_copy.refresh_from_db()
    assert (tpu_copy.iia_code, tpu_copy.partner_hei_id) == ("TPU-KTH-NEW", "kth.se")
    assert audited("mobility.agreement.changed")


def test_our_unit_is_set_and_cleared_by_its_id(world, kth_api):
    with scopes_disabled():
        unit = world.kth.units.get()
    created = send(kth_api, "post", KTH, {"partner_hei_id": "tpu.ru", "iia_code": "K"}).json()
    url = f"{KTH}/{created['id']}"

    assert send(kth_api, "patch", url, {"owner_ounit": str(unit.uuid)}).json()["owner_ounit"] == (
        str(unit.uuid)
    )
    assert send(kth_api, "patch", url, {"owner_ounit": None}).json()["owner_ounit"] is None


def test_null_is_refused_where_a_field_cannot_be_empty(world, tpu_api, tpu_copy):
    response = send(tpu_api, "patch", f"{TPU}/{tpu_copy.uuid}", {"iia_code": None})
    assert response.status_code == 422
    assert "cannot be null" in response.json()["detail"]


def test_deleting_an_agreement_never_approved(world, tpu_api, tpu_copy):
    assert tpu_api.delete(f"{TPU}/{tpu_copy.uuid}").status_code == 204
    with scopes_disabled():
        assert not Agreement.objects.filter(pk=tpu_copy.pk).exists()
    assert audited("mobility.agreement.deleted")


def test_an_agreement_approved_by_both_cannot_be_deleted(world, tpu_api):
    from intercampus.mobility.tests.agreements_factories import approve

    tpu, kth = linked_pair(world)
    approve(tpu, world.tpu_officer)
    approve(kth, world.kth_officer)

    response = tpu_api.delete(f"{TPU}/{tpu.uuid}")

    assert response.status_code == 400
    assert "terminate it" in response.json()["detail"]


# --- Conditions -----------------------------------------------------------------------------


def test_adding_a_condition_changes_the_version(world, tpu_api, tpu_copy):
    before = tpu_copy.iia_hash
    body = staff_condition("tpu.ru", "kth.se")

    response = send(tpu_api, "post", f"{TPU}/{tpu_copy.uuid}/conditions", body)

    assert response.status_code == 201
    added = response.json()
    assert (added["mobility_type"], added["total_days_per_year"]) == ("staff-teacher", 5.0)
    with scopes_disabled():
        tpu_copy.refresh_from_db()
        assert tpu_copy.conditions.count() == 3
    assert tpu_copy.iia_hash != before
    assert audited("mobility.agreement.condition_added")


def test_changing_a_condition_keeps_the_fields_not_sent(world, tpu_api, tpu_copy):
    condition = _condition_uuid(tpu_copy)
    url = f"{TPU}/{tpu_copy.uuid}/conditions/{condition}"

    response = send(tpu_api, "patch", url, {"mobilities_per_year": 5, "eqf_levels": [7]})

    assert response.status_code == 200
    body = response.json()
    assert (body["mobilities_per_year"], body["eqf_levels"]) == (5, [7])
    assert body["subject_areas"][0]["isced_f_code"] == "0714"
    assert body["language_skills"][0]["language"] == "en"
    assert audited("mobility.agreement.condition_changed")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mobilities_per_year": "two"}, "mobilities_per_year"),
        ({"mobilities_per_year": 0}, "mobilities_per_year"),
        ({"first_academic_year": "2026-2027"}, "first_academic_year"),
        ({"last_academic_year": "2020/2021"}, "last_academic_year"),
        ({"receiving_hei_id": "usp.br"}, "receiving_hei_id"),
        ({"mobility_type": "sabbatical"}, "mobility_type"),
        ({"subject_areas": [{"isced_f_code": "1234"}]}, "subject_areas"),
        ({"subject_areas": ["0714"]}, "0"),
        ({"language_skills": [{"language": "english!", "cefr_level": "B2"}]}, "language_skills"),
        ({"total_days_per_year": 3}, "total_days_per_year"),
        ({"eqf_levels": [4]}, "eqf_levels"),
        ({"mobility_type": None}, "mobility_type"),
        ({"blended": "sometimes"}, "blended"),
    ],
)
def test_a_refused_condition_is_422_and_changes_nothing(world, tpu_api, tpu_copy, body, field):
    url = f"{TPU}/{tpu_copy.uuid}/conditions/{_condition_uuid(tpu_copy)}"

    response = send(tpu_api, "patch", url, body)

    assert response.status_code == 422, response.json()
    assert any(str(e["loc"][-1]) == field for e in response.json()["errors"]), response.json()
    with scopes_disabled():
        assert not CooperationCondition.objects.filter(mobilities_per_year__in=[0, 5]).exists()


def test_removing_a_condition(world, tpu_api, tpu_copy):
    url = f"{TPU}/{tpu_copy.uuid}/conditions/{_condition_uuid(tpu_copy)}"

    assert tpu_api.delete(url).status_code == 204
    assert tpu_api.delete(url).status_code == 404
    assert audited("mobility.agreement.condition_deleted")


def test_a_condition_of_another_agreement_is_404(world, tpu_api, tpu_copy):
    other = make_agreement(
        world.tpu, "usp.br", world.tpu_officer, conditions=[staff_condition("tpu.ru", "usp.br")]
    )
    url = f"{TPU}/{tpu_copy.uuid}/conditions/{_condition_uuid(other)}"
    assert send(tpu_api, "patch", url, {"mobilities_per_year": 5}).status_code == 404


# --- Linking, the difference and approval ---------------------------------------------------


def test_the_partner_links_its_own_copy_to_ours(world, kth_api, tpu_copy):
    kth = send(kth_api, "post", KTH, {"partner_hei_id": "tpu.ru", "iia_code": "KTH-TPU"}).json()
    assert kth["link_candidates"] == [{"iia_id": tpu_copy.iia_id, "iia_code": "TPU-KTH"}]

    response = send(kth_api, "post", f"{KTH}/{kth['id']}/link", {"partner_iia_id": tpu_copy.iia_id})

    assert response.status_code == 200
    body = response.json()
    assert (body["linked"], body["partner_iia_id"], body["partner_iia_code"]) == (
        True,
        tpu_copy.iia_id,
        "TPU-KTH",
    )
    assert audited("mobility.agreement.linked")


def test_linking_to_a_copy_that_does_not_name_us_is_refused(world, kth_api, tpu_copy):
    kth = send(kth_api, "post", KTH, {"partner_hei_id": "tpu.ru", "iia_code": "KTH-TPU"}).json()
    response = send(kth_api, "post", f"{KTH}/{kth['id']}/link", {"partner_iia_id": "nope"})
    assert response.status_code == 400
    assert response.json()["field"] == "partner_iia_id"


def test_the_difference_names_each_changed_field_and_what_blocks_approval(world, tpu_api, kth_api):
    tpu, kth = linked_pair(world)
    same = kth_api.get(f"{KTH}/{kth.uuid}/difference").json()
    assert (same["linked"], same["same"], same["can_approve"]) == (True, True, True)

    condition = _condition_uuid(tpu)
    send(tpu_api, "patch", f"{TPU}/{tpu.uuid}/conditions/{condition}", {"mobilities_per_year": 4})
    body = kth_api.get(f"{KTH}/{kth.uuid}/difference").json()

    assert body["same"] is False
    assert body["can_approve"] is False
    assert body["theirs"]["iia_id"] == tpu.iia_id
    changed = [
        (pair["our_number"], f["label"], f["ours"], f["theirs"])
        for pair in body["conditions"]
        for f in pair["fields"]
        if not f["same"]
    ]
    assert changed == [(1, "mobilities per year", "2", "4")]
    blocking = [b["text"] for b in body["blockers"] if b["blocks_approval"]]
    assert any("mobilities per year" in text for text in blocking)


def test_the_difference_of_a_copy_not_linked_says_so(world, tpu_api, tpu_copy):
    body = tpu_api.get(f"{TPU}/{tpu_copy.uuid}/difference").json()
    assert (body["linked"], body["theirs"], body["conditions"]) == (False, None, [])
    assert body["blockers"][0]["text"].startswith("Not linked yet")


def test_approving_the_partners_copy_at_the_version_checked(world, kth_api):
    tpu, kth = linked_pair(world)
    detail = kth_api.get(f"{KTH}/{kth.uuid}").json()
    assert detail["can_approve"] is True

    response = send(
        kth_api, "post", f"{KTH}/{kth.uuid}/approve", {"iia_hash": detail["partner_copy_hash"]}
    )

    assert response.status_code == 200
    approvals = response.json()["approvals"]
    assert approvals["we_approved_theirs"]["state"] == "current"
    assert approvals["we_approved_theirs"]["approved_hash"] == tpu.iia_hash
    assert audited("mobility.agreement.approved")


def test_approving_a_version_that_changed_since_is_409(world, tpu_api, kth_api):
    tpu, kth = linked_pair(world)
    seen = kth_api.get(f"{KTH}/{kth.uuid}").json()["partner_copy_hash"]
    # The partner changes its copy after we read it.
    condition = _condition_uuid(tpu)
    send(tpu_api, "patch", f"{TPU}/{tpu.uuid}/conditions/{condition}", {"other_info": "Note."})

    response = send(kth_api, "post", f"{KTH}/{kth.uuid}/approve", {"iia_hash": seen})

    assert response.status_code == 409
    assert "changed since" in response.json()["detail"]
    assert not audited("mobility.agreement.approved")


@pytest.mark.parametrize("iia_hash", ["abc", "G" * 64, 12, None])
def test_an_approval_without_a_proper_hash_is_422(world, kth_api, iia_hash):
    _tpu, kth = linked_pair(world)
    response = send(kth_api, "post", f"{KTH}/{kth.uuid}/approve", {"iia_hash": iia_hash})
    assert response.status_code == 422


def test_approving_before_the_copies_are_linked_is_refused(world, tpu_api, tpu_copy):
    response = send(tpu_api, "post", f"{TPU}/{tpu_copy.uuid}/approve", {"iia_hash": "a" * 64})
    assert response.status_code == 400
    assert "Not linked yet" in response.json()["detail"]


def test_terminating_makes_the_partners_approval_stale(world, tpu_api):
    from intercampus.mobility.tests.agreements_factories import approve

    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)

    response = tpu_api.post(f"{TPU}/{tpu.uuid}/terminate")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["terminated"]) == ("terminated", True)
    assert body["approvals"]["partner_approved_ours"]["state"] == "stale"
    assert audited("mobility.agreement.terminated")
    again = tpu_api.post(f"{TPU}/{tpu.uuid}/terminate")
    assert again.status_code == 400
    assert "terminated" in again.json()["detail"]
    with scopes_disabled():
        assert partner_copy(kth).pk == tpu.pk
