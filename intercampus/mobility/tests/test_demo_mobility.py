"""The demo's mobility data: agreements, an open call at TPU, a published allocation at KTH."""

from __future__ import annotations

import zoneinfo

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.models import User
from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import (
    AgreementStatus,
    ApplicationState,
    CallStatus,
    NominationStatus,
    RunStatus,
)
from intercampus.mobility.demo import load_demo_mobility
from intercampus.mobility.ewp_mapping import agreement_iia_hash
from intercampus.mobility.models import Agreement, Application, Call, Nomination
from intercampus.mobility.selectors.agreements import (
    agreement_diff,
    agreements_of,
    approval_blockers,
    partner_copy,
)
from intercampus.mobility.selectors.calls import window_state
from intercampus.mobility.services import agreements as agreement_services
from intercampus.mobility.services import nominations as nomination_services
from intercampus.network.demo.loader import load_demo
from intercampus.network.demo.personas import DEFAULT_PASSWORD

TPU_CALL = "Exchange semester 2027/2028 – autumn"
KTH_CALL = "Exchange 2027/2028"


@pytest.fixture(autouse=True)
def demo_db(demo, db, monkeypatch):
    monkeypatch.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)


def copies(schac):
    with scopes_disabled():
        return list(agreements_of(Institution.objects.get(schac=schac)))


def copy(owner, code):
    with scopes_disabled():
        return Agreement.objects.select_related("owner").get(owner__schac=owner, iia_code=code)


def call(owner, title):
    with scopes_disabled():
        return Call.objects.select_related("owner").get(owner__schac=owner, title=title)


def client_for(email):
    client = Client()
    assert client.login(email=email, password=DEFAULT_PASSWORD)
    return client


# --- Agreements ------------------------------------------------------------------------------


def test_tpu_and_kth_hold_at_least_eight_agreements_with_several_partners():
    tpu, kth = copies("tpu.ru"), copies("kth.se")
    assert len(tpu) + len(kth) >= 8
    assert {a.partner_hei_id for a in tpu} == {
        "kth.se",
        "polito.it",
        "tu-darmstadt.de",
        "tsinghua.edu.cn",
        "usp.br",
    }


def test_at_least_three_pairs_are_approved_by_both_partners():
    approved = [a for a in copies("tpu.ru") + copies("kth.se") if a.status == "approved"]
    pairs = {frozenset((a.owner.schac, a.partner_hei_id)) for a in approved}
    assert len(pairs) >= 3
    assert frozenset(("tpu.ru", "tsinghua.edu.cn")) in pairs  # two associate partners


def test_every_copy_is_linked_to_the_partners_and_carries_the_hash_the_services_compute():
    with scopes_disabled():
        every = list(Agreement.objects.select_related("owner"))
    assert len(every) >= 18
    for agreement in every:
        theirs = partner_copy(agreement)
        assert theirs is not None and theirs.partner_iia_id == agreement.iia_id
        assert agreement.iia_hash == agreement_iia_hash(agreement)


def test_tu_darmstadt_has_not_approved_yet_while_tpu_has():
    ours = next(a for a in copies("tpu.ru") if a.partner_hei_id == "tu-darmstadt.de")
    assert ours.status == AgreementStatus.PROPOSED
    assert ours.approved_by_us and not ours.approved_by_partner


def test_the_kth_and_tue_copies_differ_in_mobilities_per_year_which_blocks_approval():
    ours, theirs = copy("kth.se", "KTH-TUE-2026"), copy("tue.nl", "TUE-KTH-2026")
    notes = agreement_diff(ours, theirs).blocking_notes
    assert "Condition 1: mobilities per year 3 in ours, 2 in the partner's." in notes
    assert approval_blockers(ours, theirs)
    page = client_for("iro@kth.demo").get(
        reverse("staff:agreement_detail", kwargs={"institution": "kth.se", "agreement": ours.uuid})
    )
    assert page.status_code == 200
    assert "mobilities per year 3 in ours, 2 in the partner" in page.content.decode()


def test_conditions_are_realistic():
    with scopes_disabled():
        conditions = [c for a in Agreement.objects.all() for c in a.conditions.all()]
    assert {c.mobility_type for c in conditions} == {"student-studies"}
    assert all(2 <= c.mobilities_per_year <= 6 for c in conditions)
    assert all(c.eqf_levels and set(c.eqf_levels) <= {6, 7} for c in conditions)
    english = [s for c in conditions for s in c.language_skills if s["language"] == "en"]
    assert len(english) == len(conditions)
    assert {s["cefr_level"] for s in english} == {"B2"}
    codes = {a["isced_f_code"] for c in conditions for a in c.subject_areas}
    assert {"0714", "0715", "0613", "0532", "0731"} <= codes
    assert {(c.first_academic_year, c.last_academic_year) for c in conditions} == {
        ("2026/2027", "2028/2029")
    }


# --- The open call at TPU --------------------------------------------------------------------


def test_the_tpu_call_is_open_for_six_weeks_in_tomsk_time():
    found = call("tpu.ru", TPU_CALL)
    assert found.status == CallStatus.PUBLISHED
    assert window_state(found) == "open"
    tomsk = zoneinfo.ZoneInfo("Asia/Tomsk")
    opens, closes = found.opens_at.astimezone(tomsk), found.closes_at.astimezone(tomsk)
    assert (opens.hour, opens.minute, closes.hour, closes.minute) == (9, 0, 23, 59)
    assert (closes.date() - opens.date()).days == 42


def test_the_tpu_call_has_submitted_applications_and_drafts_by_tpu_students():
    with scopes_disabled():
        applications = list(call("tpu.ru", TPU_CALL).applications.select_related("student"))
    states = {a.state for a in applications}
    assert len(applications) >= 10
    assert {ApplicationState.ELIGIBLE, ApplicationState.DRAFT} <= states
    assert all(a.student.email.endswith("@tpu.demo") for a in applications)
    assert all(a.student.first_name and a.student.last_name for a in applications)


def test_one_tpu_student_sees_why_a_choice_is_not_eligible():
    reason = "Your English is B1; this place asks for B2."
    with scopes_disabled():
        (application,) = Application.objects.filter(
            call=call("tpu.ru", TPU_CALL), choices__eligible=False
        )
        assert application.choices.filter(eligible=True).exists()
    page = client_for(application.student.email).get(
        reverse("mobility:application", kwargs={"application": application.uuid})
    )
    assert reason in page.content.decode()


# --- The allocation at KTH -------------------------------------------------------------------


def test_the_kth_call_closed_and_has_a_published_run():
    found = call("kth.se", KTH_CALL)
    assert window_state(found) == "closed"
    assert found.status == CallStatus.RESULTS_PUBLISHED
    with scopes_disabled():
        run = found.runs.get(status=RunStatus.PUBLISHED)
        assert found.applications.count() >= 25
    assert run.placed_count and run.unplaced_count


def test_the_kth_persona_sees_their_place_and_the_cutoff_of_their_full_first_choice():
    persona = User.objects.get(email="student@kth.demo")
    with scopes_disabled():
        application = Application.objects.get(call=call("kth.se", KTH_CALL), student=persona)
    assert application.state == ApplicationState.PLACED
    page = client_for(persona.email).get(
        reverse("mobility:application", kwargs={"application": application.uuid})
    )
    text = page.content.decode()
    assert "You have a place at Aalto · 0613 (your 2nd choice)." in text
    assert "At Polito · 0731 (your 1st choice) the last student admitted had 91.10" in text


def test_placed_students_are_nominated_and_tpu_accepted_one():
    with scopes_disabled():
        nominations = list(Nomination.objects.select_related("decided_by", "application"))
    accepted = [n for n in nominations if n.status == NominationStatus.ACCEPTED]
    assert len(accepted) == 1
    assert accepted[0].host_hei_id == "tpu.ru"
    assert accepted[0].decided_by.email == "iro@tpu.demo"
    assert accepted[0].application.state == ApplicationState.ACCEPTED
    pending = [n for n in nominations if n.status == NominationStatus.PENDING]
    assert any(n.host_hei_id == "tpu.ru" for n in pending)
    assert len(pending) >= 3


# --- Every page shows data -------------------------------------------------------------------


def test_the_officers_pages_open_with_the_demo_data():
    kth_call, tpu_call = call("kth.se", KTH_CALL), call("tpu.ru", TPU_CALL)
    with scopes_disabled():
        run = kth_call.runs.get()
    pages = {
        "iro@tpu.demo": [
            ("staff:agreements", {}),
            ("staff:calls", {}),
            ("staff:call", {"call": tpu_call.uuid}),
            ("staff:applications", {"call": tpu_call.uuid}),
            ("staff:nominations_incoming", {}),
            ("staff:mobility_report", {}),
        ],
        "iro@kth.demo": [
            ("staff:agreements", {}),
            ("staff:call", {"call": kth_call.uuid}),
            ("staff:allocation_run", {"call": kth_call.uuid, "run": run.uuid}),
            ("staff:nominations", {}),
            ("staff:mobility_report", {}),
        ],
    }
    for email, names in pages.items():
        client = client_for(email)
        institution = "tpu.ru" if "tpu" in email else "kth.se"
        for name, kwargs in names:
            url = reverse(name, kwargs={"institution": institution, **kwargs})
            assert client.get(url).status_code == 200, url


# --- Loading again ---------------------------------------------------------------------------


def rows():
    """Every row of the mobility and events tables, and the audit log and notices."""
    models = [
        *apps.get_app_config("mobility").get_models(),
        *apps.get_app_config("events").get_models(),
        *apps.get_app_config("core").get_models(),
    ]
    with scopes_disabled():
        return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


def test_loading_twice_changes_nothing_and_audits_nothing():
    before, audited = rows(), AuditEntry.objects.count()
    load_demo()
    assert AuditEntry.objects.count() == audited
    assert rows() == before


def test_reloading_keeps_what_a_demo_user_did():
    with scopes_disabled():
        waiting = Nomination.objects.filter(
            host_hei_id="tpu.ru", status=NominationStatus.PENDING
        ).first()
    nomination_services.nomination_reject(
        actor=User.objects.get(email="iro@tpu.demo"), nomination=waiting, reason="Full."
    )
    load_demo_mobility()
    waiting.refresh_from_db()
    assert waiting.status == NominationStatus.REJECTED


def test_a_deleted_copy_comes_back_linked_and_no_email_is_queued(
    django_capture_on_commit_callbacks,
):
    theirs = copy("tue.nl", "TUE-KTH-2026")
    agreement_services.agreement_delete(actor=None, agreement=theirs)
    with django_capture_on_commit_callbacks() as queued:
        load_demo_mobility()
    assert queued == []
    back, ours = copy("tue.nl", "TUE-KTH-2026"), copy("kth.se", "KTH-TUE-2026")
    assert back.pk != theirs.pk
    assert (ours.partner_iia_id, back.partner_iia_id) == (back.iia_id, ours.iia_id)
