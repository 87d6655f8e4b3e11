"""The newcomer's own journey at /me/journey/: the timeline by phase, what is due next, late
steps, marking steps done with evidence, and nobody else's journey."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from intercampus.onboarding import clock
from intercampus.onboarding.choices import StepStatus
from intercampus.onboarding.services import templates as template_services
from intercampus.onboarding.tests.journeys_factories import (
    MIGRATION_STEP,
    make_newcomer,
    make_template,
    pdf,
    png,
    start,
    state_of,
)

ARRIVAL = datetime.date(2027, 9, 3)
# Five days after arrival in Tomsk: the buddy meeting (3 days after) is late.
NOW = datetime.datetime(2027, 9, 8, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "current_time", lambda: NOW)


@pytest.fixture
def journey(world):
    make_template(world.tpu, world.tpu_officer)
    return start(world, world.student, ARRIVAL)


@pytest.fixture
def other(world):
    """Another newcomer with a journey at the same host."""
    person = make_newcomer("other@example.org", "Olga", "Other")
    journey = start(world, person, ARRIVAL)
    client = Client()
    client.force_login(person)
    return journey, client


def _url(name, journey, title):
    step = state_of(journey, title).step
    return reverse(f"journey:{name}", kwargs={"journey": journey.uuid, "step": step.uuid})


def test_the_newcomer_sees_the_four_phases_in_order(student_client, journey):
    page = student_client.get(reverse("journey:home")).content.decode()
    positions = [
        page.index(label)
        for label in (
            "Attractiveness",
            "Selection &amp; Application",
            "Formalities – First Days",
            "Onboarding – First 100 Days",
        )
    ]
    assert positions == sorted(positions)
    assert MIGRATION_STEP in page


def test_the_page_says_what_is_due_next_and_what_is_late(student_client, journey):
    response = student_client.get(reverse("journey:home"))
    late = [ln.step.title for t in response.context["timelines"] for ln in t.late]
    nxt = response.context["timelines"][0].next
    assert "Meet your buddy" in late
    assert nxt.step.title == MIGRATION_STEP
    page = response.content.decode()
    # Late is said in words, not only by colour.
    assert "was due on" in page
    assert ">Late<" in page


def test_a_newcomer_marks_a_step_done_with_evidence(student_client, journey):
    url = _url("step_done", journey, MIGRATION_STEP)
    response = student_client.post(url, {"evidence": png()})
    assert response.status_code == 302
    state = state_of(journey, MIGRATION_STEP)
    assert state.status == StepStatus.DONE
    assert state.evidence_name == "evidence.png"
    download = student_client.get(_url("evidence", journey, MIGRATION_STEP))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"


def test_a_step_can_be_marked_done_without_evidence_and_reopened(student_client, journey):
    student_client.post(_url("step_done", journey, "Apply for the study visa"))
    assert state_of(journey, "Apply for the study visa").status == StepStatus.DONE
    student_client.post(_url("step_reopen", journey, "Apply for the study visa"))
    assert state_of(journey, "Apply for the study visa").status == StepStatus.TODO


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: png("evidence.pdf"), "does not match its content"),
        (lambda: png(size=5 * 1024 * 1024 + 1), "the limit is 5 MB"),
        (lambda: _text_file(), "Only PDF, PNG or JPEG"),
    ],
    ids=["wrong-extension", "too-large", "not-a-document"],
)
def test_evidence_is_checked_by_its_content_and_size(student_client, journey, upload, message):
    response = student_client.post(
        _url("step_done", journey, MIGRATION_STEP), {"evidence": upload()}, follow=True
    )
    assert message in response.content.decode()
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.TODO


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.pdf", b"just some text", content_type="application/pdf")


def test_a_pdf_is_accepted_as_evidence(student_client, journey):
    student_client.post(_url("step_done", journey, MIGRATION_STEP), {"evidence": pdf()})
    assert state_of(journey, MIGRATION_STEP).evidence_type == "application/pdf"


def test_an_optional_step_can_be_skipped_but_a_required_one_cannot(student_client, journey):
    student_client.post(_url("step_skip", journey, "Meet your buddy"))
    assert state_of(journey, "Meet your buddy").status == StepStatus.SKIPPED
    response = student_client.post(_url("step_skip", journey, MIGRATION_STEP), follow=True)
    assert "required" in response.content.decode()
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.TODO


def test_a_newcomer_sees_only_their_own_journey(student_client, journey, other):
    other_journey, _client = other
    page = student_client.get(reverse("journey:home"))
    shown = [t.journey for t in page.context["timelines"]]
    assert shown == [journey]


def test_another_newcomers_steps_and_files_are_404(student_client, journey, other):
    other_journey, other_client = other
    other_client.post(_url("step_done", other_journey, MIGRATION_STEP), {"evidence": png()})
    for name in ("step_done", "step_skip", "step_reopen"):
        url = _url(name, other_journey, MIGRATION_STEP)
        assert student_client.post(url).status_code == 404
    assert student_client.get(_url("evidence", other_journey, MIGRATION_STEP)).status_code == 404
    assert state_of(other_journey, MIGRATION_STEP).status == StepStatus.DONE


def test_staff_cannot_use_the_newcomers_pages_on_someone_elses_journey(tpu_officer_client, journey):
    assert tpu_officer_client.post(_url("step_done", journey, MIGRATION_STEP)).status_code == 404


def test_a_newcomer_without_a_journey_is_told_when_it_will_start(world, kth_officer_client):
    page = kth_officer_client.get(reverse("journey:home")).content.decode()
    assert "You have no arrival journey yet" in page


def test_the_journey_page_needs_a_sign_in(client, journey):
    response = client.get(reverse("journey:home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_hosts_step_document_is_downloadable_by_the_newcomer(world, student_client, journey):
    step = state_of(journey, MIGRATION_STEP).step
    template_services.step_update(actor=world.tpu_officer, step=step, document=pdf("guide.pdf"))
    response = student_client.get(_url("document", journey, MIGRATION_STEP))
    assert response.status_code == 200
    assert "guide.pdf" in response["Content-Disposition"]
