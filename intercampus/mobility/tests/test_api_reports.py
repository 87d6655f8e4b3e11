"""The mobility report in the API: seats offered and used per agreement and partner, both
directions, the balance and the totals, as JSON or CSV/Excel; with the page's permission
(outsiders 404, other roles 403, anonymous 401) and refusing a year that is not YYYY/YYYY."""

from __future__ import annotations

import pytest
from django.test import Client

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.mobility.selectors import reports as selectors
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_nominations_factories as f

pytestmark = pytest.mark.django_db

KTH = "/api/v1/institutions/kth.se/mobility-report"
YEAR = f.YEAR


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def flows(world):
    """Under the linked KTH–TPU agreement (2 mobilities a year each way): KTH nominates one
    student to TPU, TPU nominates one to KTH, which accepts."""
    tpu_copy, kth_copy = f.agreements(world)
    kth_call, to_tpu = f.call_with_place(world.kth, kth_copy)
    outgoing = f.placed(kth_call, to_tpu, f.named_student(world.kth, "Astrid", "Lind"))
    services.nomination_create(actor=world.kth_officer, application=outgoing)
    tpu_call, to_kth = f.call_with_place(world.tpu, tpu_copy)
    incoming = services.nomination_create(
        actor=world.tpu_officer,
        application=f.placed(tpu_call, to_kth, f.named_student(world.tpu, "Ivan", "Petrov")),
    )
    services.nomination_accept(actor=world.kth_officer, nomination=incoming)
    return kth_copy


@pytest.fixture
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


FIGURES = {"outgoing": {"offered": 2, "used": 1}, "incoming": {"offered": 2, "used": 1}}


def test_kth_reads_its_seats_per_agreement_and_partner(world, flows, kth_api):
    response = kth_api.get(f"{KTH}?year={YEAR}")
    assert response.status_code == 200
    body = response.json()
    assert (body["institution"], body["year"]) == ("kth.se", YEAR)
    [agreement] = body["agreements"]
    assert agreement["agreement"] == {"id": str(flows.uuid), "iia_code": flows.iia_code}
    assert agreement["partner"] == {"id": "tpu.ru", "name": world.tpu.display_name}
    assert {k: agreement[k] for k in FIGURES} == FIGURES
    assert agreement["balance"] == 0
    [partner] = body["partners"]
    assert partner["partner"]["id"] == "tpu.ru"
    assert {k: partner[k] for k in FIGURES} == FIGURES
    assert body["total"] == {**FIGURES, "balance": 0}


def test_the_figures_are_those_of_the_page(world, flows, kth_api):
    from django_scopes import scope

    body = kth_api.get(f"{KTH}?year={YEAR}").json()
    with scope(institution=world.kth):
        report = selectors.mobility_report(world.kth, YEAR)
    total = report.total
    assert body["total"]["outgoing"] == {"offered": total.out_offered, "used": total.out_used}
    assert body["total"]["incoming"] == {"offered": total.in_offered, "used": total.in_used}


def test_a_year_without_seats_is_empty(world, flows, kth_api):
    body = kth_api.get(f"{KTH}?year=2040/2041").json()
    assert body["agreements"] == body["partners"] == []
    assert body["total"]["balance"] == 0


def test_without_a_year_the_current_one_is_reported(world, kth_api):
    body = kth_api.get(KTH).json()
    assert body["year"] == selectors.current_academic_year()


@pytest.mark.parametrize("year", ["2027-2028", "2027/2029", "27/28", "2027", "x" * 20])
def test_a_year_that_is_not_yyyy_yyyy_is_refused_with_422(world, kth_api, year):
    response = kth_api.get(KTH, {"year": year})
    assert response.status_code == 422
    assert "year" in response.json()["detail"]


def test_the_report_comes_as_csv_or_excel(world, flows, kth_api):
    csv = kth_api.get(f"{KTH}?year={YEAR}&format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert 'filename="mobility-kth.se-2027-2028.csv"' in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    assert "tpu.ru" in text.splitlines()[1]
    xlsx = kth_api.get(f"{KTH}?year={YEAR}&format=xlsx")
    assert xlsx.status_code == 200
    assert "spreadsheetml" in xlsx["Content-Type"]
    assert kth_api.get(f"{KTH}?format=pdf").status_code == 422


def test_the_secretariat_reads_the_report_of_its_own_institution(world):
    secretariat = api_client(world.secretariat)
    assert secretariat.get("/api/v1/institutions/kuleuven.be/mobility-report").status_code == 200
    assert secretariat.get(KTH).status_code == 404


def test_anonymous_callers_get_401(world, client):
    assert client.get(KTH).status_code == 401


def test_staff_of_another_institution_get_404(world, flows):
    assert api_client(world.tpu_officer).get(f"{KTH}?year={YEAR}").status_code == 404
    assert api_client(world.tpu_officer).get(f"{KTH}?year={YEAR}&format=csv").status_code == 404


def test_staff_without_the_permission_get_403(world, flows):
    support = f.officer(world.kth, "support@kth.se", RoleKind.STUDENT_SUPPORT)
    assert api_client(support).get(f"{KTH}?year={YEAR}").status_code == 403
    assert (
        api_client(world.tpu_coordinator)
        .get("/api/v1/institutions/tpu.ru/mobility-report")
        .status_code
        == 403
    )


def test_a_student_gets_404(world):
    assert api_client(world.student).get(KTH).status_code == 404
