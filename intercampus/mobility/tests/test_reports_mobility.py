"""The mobility report: seats offered and used per agreement and partner, the flows and the
balance, and its CSV and Excel exports."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from intercampus.lib.spreadsheets import read_table
from intercampus.mobility.selectors import reports as selectors
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_calls_factories as calls
from intercampus.mobility.tests import test_nominations_factories as f
from intercampus.mobility.tests.agreements_factories import (
    make_agreement,
    staff_condition,
    student_condition,
)

YEAR = "2027/2028"


def _nominate(world, application):
    return services.nomination_create(actor=world.kth_officer, application=application)


@pytest.fixture
def flows(world):
    """KTH sends 2 students to TPU (one more cancelled) and 1 to Polito; TPU sends 1 to KTH;
    one more KTH student goes to TPU the year after."""
    tpu_copy, kth_copy = f.agreements(world)
    polito_copy = make_agreement(
        world.kth,
        "polito.it",
        world.kth_officer,
        code="KTH-POLITO",
        conditions=[
            student_condition("kth.se", "polito.it", mobilities_per_year=4),
            staff_condition("kth.se", "polito.it", mobilities_per_year=9),
        ],
    )
    call, to_tpu = f.call_with_place(world.kth, kth_copy)
    to_polito = calls.place(call, f.condition_from(polito_copy, "kth.se"), subject_area="0714")
    a = _nominate(world, f.placed(call, to_tpu, f.named_student(world.kth, "Ann", "A")))
    b = _nominate(world, f.placed(call, to_tpu, f.named_student(world.kth, "Bo", "B")))
    services.nomination_cancel(actor=world.kth_officer, nomination=b)
    _nominate(world, f.placed(call, to_tpu, f.named_student(world.kth, "Cy", "C")))
    services.nomination_accept(actor=world.tpu_officer, nomination=a)
    _nominate(world, f.placed(call, to_polito, f.named_student(world.kth, "Di", "D")))
    later, later_place = f.call_with_place(
        world.kth, kth_copy, academic_year="2028/2029", title="Later"
    )
    later.terms = ["2028/2029-1/2"]
    _nominate(world, f.placed(later, later_place, f.named_student(world.kth, "Ed", "E")))
    tpu_call, to_kth = f.call_with_place(world.tpu, tpu_copy)
    incoming = services.nomination_create(
        actor=world.tpu_officer,
        application=f.placed(tpu_call, to_kth, f.named_student(world.tpu, "Ivan", "I")),
    )
    services.nomination_accept(actor=world.kth_officer, nomination=incoming)
    return kth_copy, polito_copy


def _report(institution, year=YEAR):
    with scope(institution=institution):
        return selectors.mobility_report(institution, year)


def _figures(figures) -> tuple:
    return (
        figures.out_offered,
        figures.out_used,
        figures.in_offered,
        figures.in_used,
        figures.balance,
    )


def test_kths_report_counts_seats_per_agreement_and_partner(world, flows):
    kth_copy, polito_copy = flows
    report = _report(world.kth)
    by_agreement = {row.agreement: _figures(row.figures) for row in report.agreements}
    assert by_agreement == {kth_copy: (2, 2, 2, 1, -1), polito_copy: (4, 1, 0, 0, -1)}
    by_partner = {row.partner_hei_id: _figures(row.figures) for row in report.partners}
    assert by_partner == {"tpu.ru": (2, 2, 2, 1, -1), "polito.it": (4, 1, 0, 0, -1)}
    assert _figures(report.total) == (6, 3, 2, 1, -2)


def test_the_host_counts_what_it_receives_under_its_own_copy(world, flows):
    report = _report(world.tpu)
    [row] = report.agreements
    assert row.agreement.owner == world.tpu
    assert _figures(row.figures) == (2, 1, 2, 2, 1)


def test_another_year_counts_its_own_nominations(world, flows):
    report = _report(world.kth, "2028/2029")
    by_partner = {row.partner_hei_id: _figures(row.figures) for row in report.partners}
    assert by_partner["tpu.ru"] == (2, 1, 2, 0, -1)


def test_a_year_without_agreements_is_empty(world, flows):
    assert _report(world.kth, "2040/2041").empty


def test_the_current_academic_year_turns_in_august():
    import datetime

    assert selectors.current_academic_year(datetime.date(2027, 7, 31)) == "2026/2027"
    assert selectors.current_academic_year(datetime.date(2027, 8, 1)) == "2027/2028"
    assert selectors.is_academic_year("2027/2028")
    assert not selectors.is_academic_year("2027/2029")


# --- Pages ------------------------------------------------------------------------------------


def _url(name: str, schac: str = "kth.se", year: str = YEAR) -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac}) + f"?year={year}"


def test_the_report_page_shows_the_chart_and_its_table(world, flows, kth_officer_client):
    page = kth_officer_client.get(_url("mobility_report"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="flows-chart"' in body
    assert 'id="flows-chart-data"' in body
    assert "KTH-TPU-2026" in body
    assert "KTH-POLITO" in body
    assert "TPU <small>(tpu.ru)</small>" in body
    assert "<tfoot>" in body


def test_a_wrong_year_is_said_and_the_current_year_shown(world, kth_officer_client):
    page = kth_officer_client.get(_url("mobility_report", year="next year"))
    assert page.status_code == 200
    assert "is not an academic year" in page.content.decode()


def test_the_csv_export_parses(world, flows, kth_officer_client):
    response = kth_officer_client.get(_url("mobility_report_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = read_table(io.BytesIO(response.content), "report.csv")
    assert table.header[:3] == ["level", "agreement", "partner (schac)"]
    total = [row.values for row in table.rows if row.values["level"] == "total"]
    assert total[0]["outgoing seats offered"] == "6"
    assert total[0]["balance (incoming − outgoing)"] == "-2"
    assert {r.values["agreement"] for r in table.rows} >= {"KTH-TPU-2026", "KTH-POLITO"}


def test_the_excel_export_parses(world, flows, kth_officer_client):
    response = kth_officer_client.get(_url("mobility_report_xlsx"))
    assert response.status_code == 200
    table = read_table(io.BytesIO(response.content), "report.xlsx")
    partners = {
        r.values["partner (schac)"]: r.values for r in table.rows if r.values["level"] == "partner"
    }
    assert partners["tpu.ru"]["incoming seats used"] == "1"
    assert partners["polito.it"]["outgoing seats used"] == "1"


def test_the_secretariat_may_read_its_own_institutions_report(world, secretariat_client):
    assert secretariat_client.get(_url("mobility_report", "kuleuven.be")).status_code == 200


@pytest.mark.parametrize("name", ["mobility_report", "mobility_report_csv", "mobility_report_xlsx"])
def test_outsiders_get_404_and_staff_without_the_permission_403(world, name):
    outsider = Client()
    outsider.force_login(f.officer(world.polito, "iro@polito.it"))
    assert outsider.get(_url(name, "kth.se")).status_code == 404
    coordinator = Client()
    coordinator.force_login(world.tpu_coordinator)
    assert coordinator.get(_url(name, "tpu.ru")).status_code == 403


def test_the_report_opens_on_the_current_year_when_it_has_nominations(world, flows):
    with scope(institution=world.kth):
        assert selectors.default_report_year(world.kth, today=datetime.date(2027, 9, 1)) == YEAR


def test_the_report_opens_on_the_newest_year_with_nominations_rather_than_on_zeros(world, flows):
    with scope(institution=world.kth):
        assert (
            selectors.default_report_year(world.kth, today=datetime.date(2026, 12, 7))
            == "2028/2029"
        )


def test_a_report_without_any_nomination_opens_on_the_current_year(world):
    today = datetime.date(2026, 12, 7)
    assert selectors.default_report_year(world.kth, today=today) == "2026/2027"
