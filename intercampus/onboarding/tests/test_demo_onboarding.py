"""The onboarding part of the demo: journey templates, TPU's newcomers, the TPU Buddy Club."""

import pytest
from django.apps import apps
from django_scopes import scope, scopes_disabled

from intercampus.institutions.models import Institution
from intercampus.mobility.choices import NominationStatus
from intercampus.mobility.models import Nomination
from intercampus.network.demo.loader import load_demo
from intercampus.onboarding import workdays
from intercampus.onboarding.choices import JourneySource, StepStatus, TargetGroup
from intercampus.onboarding.clock import host_today
from intercampus.onboarding.demo import MIGRATION_STEP, PROGRAMME_NAME
from intercampus.onboarding.models import (
    BuddyMatch,
    BuddyProfile,
    BuddyProgramme,
    CheckIn,
    Journey,
    JourneyStepState,
    JourneyTemplate,
    NewcomerProfile,
)
from intercampus.onboarding.models.buddies import MatchStatus
from intercampus.onboarding.selectors.journeys import CohortFilters, cohort_summary

SCORE_PARTS = {"languages", "faculty", "interests", "availability", "total"}


@pytest.fixture(autouse=True)
def demo_db(demo, db, monkeypatch):
    monkeypatch.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)


@pytest.fixture(autouse=True)
def unscoped():
    with scopes_disabled():
        yield


def tpu():
    return Institution.objects.get(schac="tpu.ru")


def template(schac, name):
    return JourneyTemplate.objects.get(institution__schac=schac, name=name)


def every_row():
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def test_tpus_exchange_template_registers_newcomers_with_the_migration_authority():
    exchange = template("tpu.ru", "Exchange students")
    assert exchange.active and exchange.target_group == TargetGroup.EXCHANGE
    step = exchange.steps.get(title=MIGRATION_STEP)
    assert (step.phase, step.offset_days, step.offset_kind) == ("formalities", 7, "working")
    assert (step.category, step.required, str(step.country)) == ("legal", True, "RU")
    titles = set(exchange.steps.values_list("title", flat=True))
    assert "TPU sends your visa invitation letter" in titles
    assert "Book a room in the dormitory" in titles
    assert "Start the Russian language course" in titles
    assert "Meet your buddy" in titles
    assert "First-100-days check-in with the international office" in titles


def test_every_template_has_steps_in_all_four_phases():
    templates = JourneyTemplate.objects.filter(institution__schac__in=["tpu.ru", "kth.se"])
    templates = [*templates, template("polito.it", "Master's degree newcomers")]
    assert len(templates) == 4
    for t in templates:
        phases = set(t.steps.values_list("phase", flat=True))
        assert phases == {"attractiveness", "selection", "formalities", "onboarding"}, t.name


def test_kth_and_polito_have_their_own_countrys_formalities():
    kth = template("kth.se", "Exchange students").steps.get(title__contains="personnummer")
    assert str(kth.country) == "SE"
    assert template("kth.se", "Exchange students").steps.filter(category="housing").exists()
    polito = template("polito.it", "Master's degree newcomers")
    assert polito.target_group == TargetGroup.DEGREE_MASTER
    assert polito.steps.filter(title__contains="codice fiscale").exists()
    permit = polito.steps.get(title__contains="permesso di soggiorno")
    assert (permit.offset_days, permit.offset_kind, str(permit.country)) == (8, "working", "IT")


def test_the_kth_student_whom_tpu_accepted_has_the_journey_the_nomination_started():
    (nomination,) = Nomination.objects.filter(
        host__schac="tpu.ru", status=NominationStatus.ACCEPTED
    )
    journey = Journey.objects.get(reference=str(nomination.uuid))
    assert journey.institution.schac == "tpu.ru"
    assert journey.newcomer == nomination.application.student
    assert journey.source == JourneySource.NOMINATION
    assert journey.template == template("tpu.ru", "Exchange students")


def test_migration_steps_are_due_seven_working_days_after_arrival():
    states = JourneyStepState.objects.filter(
        journey__institution__schac="tpu.ru", step__title=MIGRATION_STEP
    ).select_related("journey")
    assert states.count() >= 10
    for state in states:
        expected = workdays.add_working_days(state.journey.anchor_date, 7, "RU")
        assert state.due_date == expected


def test_tpus_newcomers_are_at_different_stages():
    today = host_today(tpu())
    anchors = list(
        Journey.objects.filter(institution__schac="tpu.ru").values_list("anchor_date", flat=True)
    )
    arrived = [a for a in anchors if a <= today]
    coming = [a for a in anchors if a > today]
    assert len(arrived) >= 6 and len(coming) >= 3
    assert any((today - a).days >= 60 for a in arrived)
    done = JourneyStepState.objects.filter(journey__institution__schac="tpu.ru", status="done")
    assert done.exists()
    assert all(s.done_at is not None and s.done_by is not None for s in done)


def test_someone_is_behind_on_the_dashboard():
    host = tpu()
    today = host_today(host)
    late = JourneyStepState.objects.filter(
        journey__institution=host, status=StepStatus.TODO, due_date__lt=today
    )
    assert late.filter(step__title=MIGRATION_STEP).exists()
    with scope(institution=host):
        summary = cohort_summary(host, CohortFilters(), today)
    assert summary.behind >= 1
    assert MIGRATION_STEP in {s.title for s in summary.by_step}


def test_the_buddy_club_has_local_buddies_with_russian_and_capacity():
    programme = BuddyProgramme.objects.get(institution__schac="tpu.ru", name=PROGRAMME_NAME)
    buddies = list(BuddyProfile.objects.filter(programme=programme).select_related("user"))
    assert len(buddies) >= 8
    for buddy in buddies:
        assert buddy.languages["ru"] == "C2"
        assert 1 <= buddy.capacity <= 3
        assert buddy.available_from <= buddy.available_to
        assert buddy.user.last_name
    assert {lang for b in buddies for lang in b.languages} >= {"ru", "en", "de", "fr", "zh"}


def test_most_newcomers_are_matched_before_arrival_and_matches_say_why():
    programme = BuddyProgramme.objects.get(institution__schac="tpu.ru", name=PROGRAMME_NAME)
    newcomers = NewcomerProfile.objects.filter(programme=programme)
    matches = BuddyMatch.objects.filter(programme=programme).select_related("newcomer")
    assert newcomers.count() >= 8
    assert matches.count() > newcomers.count() / 2
    for match in matches:
        assert set(match.score) == SCORE_PARTS
        assert match.score["total"] == sum(match.score[p] for p in SCORE_PARTS - {"total"})
        assert match.shared_languages
        assert match.matched_at.date() < match.newcomer.arrival_date
    coming = matches.filter(newcomer__arrival_date__gt=host_today(tpu()))
    assert coming.filter(status=MatchStatus.PROPOSED).exists()


def test_the_nominated_kth_student_has_a_buddy_before_arriving():
    journey = Journey.objects.get(institution__schac="tpu.ru", source=JourneySource.NOMINATION)
    match = BuddyMatch.objects.get(newcomer__journey=journey, status=MatchStatus.PROPOSED)
    assert match.newcomer.arrival_date == journey.anchor_date
    assert match.matched_at.date() < journey.anchor_date


def test_newcomers_who_arrived_accepted_their_buddies_and_buddies_logged_check_ins():
    accepted = BuddyMatch.objects.filter(status=MatchStatus.ACCEPTED)
    assert accepted.exists()
    assert all(m.newcomer.arrival_date <= host_today(tpu()) for m in accepted)
    checkins = CheckIn.objects.select_related("match__buddy")
    assert checkins.count() >= 2
    assert all(c.by_id == c.match.buddy.user_id for c in checkins)


def test_loading_twice_changes_nothing():
    first = every_row()
    load_demo()
    assert every_row() == first
