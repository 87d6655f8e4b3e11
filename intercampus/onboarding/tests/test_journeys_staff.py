"""The host's journey pages: the cohort dashboard (progress, who is behind, filters, bulk
reminders, export), one journey, degree newcomers, and templates with their steps."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.onboarding import clock
from intercampus.onboarding.choices import StepStatus
from intercampus.onboarding.models import Journey, JourneyStep, JourneyTemplate
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.tests.journeys_factories import (
    MIGRATION_STEP,
    make_newcomer,
    make_template,
    pdf,
    png,
    start,
    state_of,
    step_named,
)

ARRIVAL = datetime.date(2027, 9, 3)
NOW = datetime.datetime(2027, 9, 8, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "current_time", lambda: NOW)


@pytest.fixture
def template(world):
    return make_template(world.tpu, world.tpu_officer)


@pytest.fixture
def journey(world, template):
    return start(world, world.student, ARRIVAL)


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


# --- Dashboard --------------------------------------------------------------------------


def test_the_dashboard_shows_who_is_behind_on_which_step(tpu_officer_client, journey):
    response = tpu_officer_client.get(url("journey_dashboard"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.journeys == 1
    assert summary.behind == 1
    late_titles = {row.title for row in summary.by_step}
    assert "Meet your buddy" in late_titles
    assert MIGRATION_STEP not in late_titles  # due on 14 September
    row = response.context["page"].object_list[0]
    assert row.n_late == len(row.late_states)


def test_filters_count_only_the_steps_of_a_phase_owner_or_category(tpu_officer_client, journey):
    legal = tpu_officer_client.get(url("journey_dashboard"), {"category": "legal"})
    row = legal.context["page"].object_list[0]
    assert row.n_steps == 2  # the visa and the migration registration
    buddy = tpu_officer_client.get(url("journey_dashboard"), {"owner": "buddy"})
    assert [s.step.title for s in buddy.context["page"].object_list[0].late_states] == [
        "Meet your buddy"
    ]
    formalities = tpu_officer_client.get(
        url("journey_dashboard"), {"phase": "formalities", "progress": "behind"}
    )
    # The visa and the room were due weeks before arrival: behind in this phase too.
    assert formalities.context["summary"].journeys == 1
    onboarding = tpu_officer_client.get(
        url("journey_dashboard"), {"phase": "onboarding", "owner": "international_office"}
    )
    assert onboarding.context["summary"].behind == 0


def test_behind_and_on_track_filters_split_the_cohort(world, tpu_officer_client, journey):
    punctual = make_newcomer("punctual@example.org", "Pia", "Punctual")
    later = start(world, punctual, datetime.date(2027, 12, 1))
    for title in (
        "Explore the programmes taught in English",
        "Send the signed learning agreement",
        "Apply for the study visa",
    ):
        services.step_mark_done(actor=world.tpu_officer, state=state_of(later, title))
    behind = tpu_officer_client.get(url("journey_dashboard"), {"progress": "behind"})
    on_track = tpu_officer_client.get(url("journey_dashboard"), {"progress": "on_track"})
    assert [j.pk for j in behind.context["page"].object_list] == [journey.pk]
    assert [j.pk for j in on_track.context["page"].object_list] == [later.pk]


def test_the_dashboard_runs_in_at_most_15_queries_with_hundreds_of_journeys(
    world, template, tpu_officer_client, django_assert_max_num_queries
):
    from intercampus.accounts.models import User

    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"n{i}@example.org", first_name="N", last_name=f"{i:04d}")
            for i in range(300)
        )
    for i, user in enumerate(users):
        start(world, user, ARRIVAL + datetime.timedelta(days=i % 30))
    with django_assert_max_num_queries(15):
        response = tpu_officer_client.get(url("journey_dashboard"))
    assert response.status_code == 200
    assert response.context["summary"].journeys == 300
    with django_assert_max_num_queries(15):
        tpu_officer_client.get(url("journey_dashboard"), {"phase": "onboarding", "page": 3})


def test_the_cohort_exports_as_csv_and_excel(tpu_officer_client, journey):
    csv = tpu_officer_client.get(url("journey_export_csv"))
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "student@kth.se" in text
    assert "Meet your buddy" in text
    xlsx = tpu_officer_client.get(url("journey_export_xlsx"), {"owner": "buddy"})
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")


def test_bulk_reminders_email_the_ticked_newcomers_and_are_audited(
    tpu_officer_client, journey, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = tpu_officer_client.post(url("journey_remind"), {"journey": [str(journey.uuid)]})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["student@kth.se"]
    assert "Meet your buddy" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="onboarding.journey.reminded").count() == 1
    with scopes_disabled():
        assert Journey.objects.get(pk=journey.pk).last_reminded_at is not None


def test_everyone_behind_can_be_reminded_at_once(
    world, tpu_officer_client, journey, mailoutbox, django_capture_on_commit_callbacks
):
    start(world, make_newcomer("ahead@example.org"), datetime.date(2028, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        tpu_officer_client.post(url("journey_remind"), {"everyone_behind": "1"})
    assert [m.to for m in mailoutbox] == [["student@kth.se"]]


def test_a_bulk_reminder_cannot_reach_another_hosts_journey(world, kth_officer_client, journey):
    make_template(world.kth, world.kth_officer, steps=[])
    response = kth_officer_client.post(
        reverse("staff:journey_remind", kwargs={"institution": "kth.se"}),
        {"journey": [str(journey.uuid)]},
        follow=True,
    )
    assert "Tick the newcomers to remind first" in response.content.decode()


# --- One journey ------------------------------------------------------------------------


def test_staff_mark_a_step_of_a_newcomer_done_and_read_the_evidence(
    world, tpu_officer_client, student_client, journey
):
    state = state_of(journey, MIGRATION_STEP)
    student_client.post(
        reverse("journey:step_done", kwargs={"journey": journey.uuid, "step": state.step.uuid}),
        {"evidence": png()},
    )
    evidence = tpu_officer_client.get(
        url("journey_evidence", journey=journey.uuid, step=state.step.uuid)
    )
    assert evidence.status_code == 200
    step = state_of(journey, "Mid-semester check-in").step
    tpu_officer_client.post(url("journey_step_done", journey=journey.uuid, step=step.uuid))
    assert state_of(journey, "Mid-semester check-in").status == StepStatus.DONE
    tpu_officer_client.post(url("journey_step_reopen", journey=journey.uuid, step=step.uuid))
    assert state_of(journey, "Mid-semester check-in").status == StepStatus.TODO
    page = tpu_officer_client.get(url("journey_detail", journey=journey.uuid))
    assert page.status_code == 200
    assert "evidence.png" in page.content.decode()


def test_staff_may_skip_a_required_step(tpu_officer_client, journey):
    step = state_of(journey, MIGRATION_STEP).step
    tpu_officer_client.post(url("journey_step_skip", journey=journey.uuid, step=step.uuid))
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.SKIPPED


def test_a_student_support_officer_manages_journeys_too(world, journey):
    officer = user_with_role("support@tpu.ru", world.tpu, RoleKind.STUDENT_SUPPORT)
    client = Client()
    client.force_login(officer)
    assert client.get(url("journey_dashboard")).status_code == 200


def test_staff_without_the_permission_are_refused(coordinator_client, journey):
    assert coordinator_client.get(url("journey_dashboard")).status_code == 403


# --- Degree newcomers -------------------------------------------------------------------


def test_adding_a_degree_newcomer_invites_them_and_starts_the_journey(
    world, tpu_officer_client, mailoutbox, django_capture_on_commit_callbacks
):
    make_template(world.tpu, world.tpu_officer, name="Master's", target_group="degree_master")
    with django_capture_on_commit_callbacks(execute=True):
        response = tpu_officer_client.post(
            url("journey_newcomer_add"),
            {
                "email": "Maria.Silva@Example.org",
                "given_name": "Maria",
                "family_name": "Silva",
                "target_group": "degree_master",
                "anchor_date": "2027-09-01",
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        journey = Journey.objects.get(newcomer__email="maria.silva@example.org")
    assert not journey.newcomer.has_usable_password()
    assert journey.source == "staff"
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_the_newcomer_form_keeps_what_was_typed_and_names_the_problem(
    world, tpu_officer_client, template
):
    response = tpu_officer_client.post(
        url("journey_newcomer_add"),
        {
            "email": "phd@example.org",
            "given_name": "Pavel",
            "family_name": "Petrov",
            "target_group": "phd",
            "anchor_date": "2027-09-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "no active journey template" in " ".join(form.errors["target_group"])
    assert 'value="Pavel"' in response.content.decode()


# --- Templates and steps ----------------------------------------------------------------


def test_staff_create_a_template_and_add_a_working_day_step(world, tpu_officer_client):
    response = tpu_officer_client.post(
        url("journey_template_add"),
        {"name": "PhD newcomers", "target_group": "phd", "active": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        template = JourneyTemplate.objects.get(name="PhD newcomers")
    response = tpu_officer_client.post(
        url("journey_step_add", template=template.uuid),
        {
            "title": MIGRATION_STEP,
            "phase": "formalities",
            "owner_role": "student",
            "category": "legal",
            "offset_days": "7",
            "offset_kind": "working",
            "required": "on",
            "links": "Migration office | https://tpu.ru/migration",
            "country": "RU",
            "document": pdf("how-to-register.pdf"),
        },
    )
    assert response.status_code == 302
    step = step_named(template, MIGRATION_STEP)
    assert step.links == [{"title": "Migration office", "url": "https://tpu.ru/migration"}]
    assert step.document_name == "how-to-register.pdf"
    page = tpu_officer_client.get(url("journey_template", template=template.uuid))
    assert MIGRATION_STEP in page.content.decode()


def test_the_step_form_keeps_typed_input_on_error(tpu_officer_client, template):
    response = tpu_officer_client.post(
        url("journey_step_add", template=template.uuid),
        {
            "title": "Pick up the student card",
            "phase": "formalities",
            "owner_role": "student",
            "category": "academic",
            "offset_days": "9999",
            "offset_kind": "calendar",
            "links": "not a link",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "offset_days" in form.errors
    assert "links" in form.errors
    assert 'value="Pick up the student card"' in response.content.decode()


def test_a_step_document_must_be_a_real_pdf_or_image(tpu_officer_client, template):
    from django.core.files.uploadedfile import SimpleUploadedFile

    step = step_named(template, MIGRATION_STEP)
    response = tpu_officer_client.post(
        url("journey_step_edit", template=template.uuid, step=step.uuid),
        {
            "title": step.title,
            "phase": step.phase,
            "owner_role": step.owner_role,
            "category": step.category,
            "offset_days": "7",
            "offset_kind": "working",
            "country": "RU",
            "document": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 200
    assert "Only PDF, PNG or JPEG" in " ".join(response.context["form"].errors["document"])


def test_staff_edit_and_delete_a_step_no_one_has_done(tpu_officer_client, template):
    step = step_named(template, "Meet your buddy")
    tpu_officer_client.post(
        url("journey_step_edit", template=template.uuid, step=step.uuid),
        {
            "title": "Meet your buddy for coffee",
            "phase": "onboarding",
            "owner_role": "buddy",
            "category": "social",
            "offset_days": "4",
            "offset_kind": "calendar",
        },
    )
    step.refresh_from_db()
    assert step.title == "Meet your buddy for coffee"
    assert step.offset_days == 4
    tpu_officer_client.post(url("journey_step_delete", template=template.uuid, step=step.uuid))
    with scopes_disabled():
        assert not JourneyStep.objects.filter(pk=step.pk).exists()


def test_a_template_with_journeys_cannot_be_deleted(tpu_officer_client, template, journey):
    response = tpu_officer_client.post(
        url("journey_template_delete", template=template.uuid), follow=True
    )
    assert "deactivate it instead" in response.content.decode()
    with scopes_disabled():
        assert JourneyTemplate.objects.filter(pk=template.pk).exists()


def test_the_template_pages_render(tpu_officer_client, template):
    assert tpu_officer_client.get(url("journey_templates")).status_code == 200
    assert tpu_officer_client.get(url("journey_template_add")).status_code == 200
    step = step_named(template, MIGRATION_STEP)
    assert (
        tpu_officer_client.get(
            url("journey_step_edit", template=template.uuid, step=step.uuid)
        ).status_code
        == 200
    )
    assert tpu_officer_client.get(url("journey_newcomer_import")).status_code == 200


# --- Outsiders --------------------------------------------------------------------------


def _every_staff_url(journey, template):
    step = step_named(template, MIGRATION_STEP)
    ids = {"journey": journey.uuid, "step": step.uuid}
    tids = {"template": template.uuid, "step": step.uuid}
    return [
        url("journey_dashboard"),
        url("journey_export_csv"),
        url("journey_export_xlsx"),
        url("journey_remind"),
        url("journey_newcomer_add"),
        url("journey_newcomer_import"),
        url("journey_templates"),
        url("journey_template_add"),
        url("journey_template", template=template.uuid),
        url("journey_template_delete", template=template.uuid),
        url("journey_step_add", template=template.uuid),
        url("journey_step_edit", **tids),
        url("journey_step_delete", **tids),
        url("journey_step_document", **tids),
        url("journey_detail", journey=journey.uuid),
        url("journey_evidence", **ids),
        url("journey_step_done", **ids),
        url("journey_step_skip", **ids),
        url("journey_step_reopen", **ids),
    ]


def test_staff_of_another_institution_get_404_on_every_journey_page(
    kth_officer_client, student_client, journey, template
):
    for address in _every_staff_url(journey, template):
        assert kth_officer_client.get(address).status_code == 404, address
        assert kth_officer_client.post(address).status_code == 404, address
        assert student_client.get(address).status_code == 404, address
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.TODO


def test_another_hosts_uuids_are_404_in_ones_own_staff_area(
    world, kth_officer_client, journey, template
):
    step = step_named(template, MIGRATION_STEP)
    kth = {"institution": "kth.se"}
    for name, kwargs in (
        ("journey_detail", {"journey": journey.uuid}),
        ("journey_template", {"template": template.uuid}),
        ("journey_step_edit", {"template": template.uuid, "step": step.uuid}),
    ):
        address = reverse(f"staff:{name}", kwargs={**kth, **kwargs})
        assert kth_officer_client.get(address).status_code == 404, address
    done = reverse(
        "staff:journey_step_done", kwargs={**kth, "journey": journey.uuid, "step": step.uuid}
    )
    assert kth_officer_client.post(done).status_code == 404
