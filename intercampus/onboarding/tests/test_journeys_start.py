"""Starting a journey: the host's active template, due dates in working or calendar days,
country rules, idempotence, and the start from an accepted nomination."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.onboarding import clock
from intercampus.onboarding.choices import JourneySource, TargetGroup
from intercampus.onboarding.models import Journey, JourneyStepState
from intercampus.onboarding.selectors import journeys as selectors
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.services import templates as template_services
from intercampus.onboarding.tests.journeys_factories import (
    MIGRATION_STEP,
    make_newcomer,
    make_template,
    start,
    state_of,
)

FRIDAY_BEFORE_NEW_YEAR = datetime.date(2026, 12, 25)


@pytest.fixture
def tpu_template(world):
    return make_template(world.tpu, world.tpu_officer)


def test_a_newcomer_arriving_at_tpu_on_a_friday_registers_within_seven_russian_working_days(
    world, tpu_template
):
    journey = start(world, world.student, FRIDAY_BEFORE_NEW_YEAR)
    # Weekends, 31 December and the New Year holidays (1-8 January) do not count.
    assert state_of(journey, MIGRATION_STEP).due_date == datetime.date(2027, 1, 14)


def test_an_ordinary_friday_arrival_counts_only_weekends_out(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    assert state_of(journey, MIGRATION_STEP).due_date == datetime.date(2027, 9, 14)


def test_calendar_day_steps_fall_due_relative_to_the_anchor_date(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    assert state_of(journey, "Apply for the study visa").due_date == datetime.date(2027, 7, 20)
    assert state_of(journey, "Meet your buddy").due_date == datetime.date(2027, 9, 6)


def test_a_step_for_another_country_is_left_out_of_the_journey(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    with scopes_disabled():
        titles = set(journey.states.values_list("step__title", flat=True))
    assert MIGRATION_STEP in titles
    assert "Apply for a Swedish personal number" not in titles
    assert len(titles) == 7


def test_starting_twice_with_the_same_reference_returns_the_same_journey(world, tpu_template):
    first = start(world, world.student, datetime.date(2027, 9, 3), reference="nom-1")
    again = start(world, world.student, datetime.date(2027, 10, 1), reference="nom-1")
    assert again.pk == first.pk
    assert again.anchor_date == datetime.date(2027, 9, 3)
    with scopes_disabled():
        assert Journey.objects.count() == 1
        assert JourneyStepState.objects.count() == 7
    started = AuditEntry.objects.filter(action="onboarding.journey.started")
    assert started.count() == 1


def test_a_second_reference_starts_a_second_journey(world, tpu_template):
    start(world, world.student, datetime.date(2027, 9, 3), reference="nom-1")
    start(world, world.student, datetime.date(2028, 2, 1), reference="nom-2")
    with scopes_disabled():
        assert Journey.objects.filter(newcomer=world.student).count() == 2


def test_a_host_without_an_active_template_for_the_group_refuses_to_start(world, tpu_template):
    with pytest.raises(ServiceError) as refused:
        start(world, world.student, datetime.date(2027, 9, 3), target_group=TargetGroup.PHD)
    assert refused.value.status == 409
    assert refused.value.field == "target_group"


def test_activating_a_template_retires_the_groups_previous_one(world, tpu_template):
    newer = template_services.template_create(
        actor=world.tpu_officer,
        institution=world.tpu,
        name="Exchange 2028",
        target_group=TargetGroup.EXCHANGE,
    )
    tpu_template.refresh_from_db()
    assert not tpu_template.active
    assert services.active_template(world.tpu, TargetGroup.EXCHANGE) == newer


def test_a_step_added_later_reaches_the_journeys_already_started(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    template_services.step_create(
        actor=world.tpu_officer,
        template=tpu_template,
        phase="onboarding",
        title="Open a bank account",
        owner_role="student",
        offset_days=10,
        offset_kind="working",
        category="money",
    )
    assert state_of(journey, "Open a bank account").due_date == datetime.date(2027, 9, 17)


def test_changing_a_steps_offset_moves_open_due_dates(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    step = state_of(journey, MIGRATION_STEP).step
    template_services.step_update(actor=world.tpu_officer, step=step, offset_days=3)
    assert state_of(journey, MIGRATION_STEP).due_date == datetime.date(2027, 9, 8)


def test_a_step_done_by_someone_cannot_be_deleted(world, tpu_template):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    state = state_of(journey, MIGRATION_STEP)
    services.step_mark_done(actor=world.student, state=state)
    with pytest.raises(ServiceError):
        template_services.step_delete(actor=world.tpu_officer, step=state.step)


# --- Nominations ------------------------------------------------------------------------


def _nomination(world, **extra):
    call = SimpleNamespace(academic_year="2027/2028", terms=["2027/2028-2/2"])
    fields = {
        "uuid": uuid.uuid4(),
        "host": world.tpu,
        "application": SimpleNamespace(student=world.student, call=call),
        "decided_by": world.tpu_officer,
        **extra,
    }
    return SimpleNamespace(**fields)


def test_an_accepted_nomination_starts_an_exchange_journey_at_the_start_of_the_term(
    world, tpu_template
):
    nomination = _nomination(world)
    journey = services.journey_start_for_nomination(nomination=nomination)
    assert journey.source == JourneySource.NOMINATION
    assert journey.reference == str(nomination.uuid)
    assert journey.anchor_date == datetime.date(2028, 2, 1)
    assert journey.newcomer == world.student


def test_an_explicit_date_wins_over_the_term(world, tpu_template):
    explicit = _nomination(world)
    journey = services.journey_start_for_nomination(
        nomination=explicit, anchor_date=datetime.date(2028, 1, 25)
    )
    assert journey.anchor_date == datetime.date(2028, 1, 25)


def test_accepting_the_same_nomination_twice_keeps_one_journey(world, tpu_template):
    nomination = _nomination(world)
    first = services.journey_start_for_nomination(nomination=nomination)
    assert services.journey_start_for_nomination(nomination=nomination).pk == first.pk


def test_a_host_that_offers_no_journey_is_no_obstacle_to_a_nomination(world):
    assert services.journey_start_for_nomination(nomination=_nomination(world)) is None


# --- Time zones -------------------------------------------------------------------------


def test_today_and_lateness_follow_the_hosts_time_zone(world, tpu_template, monkeypatch):
    journey = start(world, world.student, datetime.date(2027, 9, 3))
    due = state_of(journey, MIGRATION_STEP).due_date  # 2027-09-14
    # 20:00 UTC on the due date is already the next morning in Tomsk (UTC+7).
    evening = datetime.datetime(2027, 9, 14, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(clock, "current_time", lambda: evening)
    assert clock.host_today(world.tpu) == due + datetime.timedelta(days=1)
    assert clock.host_today(world.kth) == due
    with scopes_disabled():
        line = selectors.timeline(journey)
    assert MIGRATION_STEP in [ln.step.title for ln in line.late]


def test_a_newcomer_with_no_other_role_can_start_a_journey(world, tpu_template):
    newcomer = make_newcomer("newcomer@example.org")
    journey = start(world, newcomer, datetime.date(2027, 9, 3))
    assert journey.newcomer == newcomer


def test_mobility_finds_the_nomination_hook_on_the_services_package():
    from intercampus.onboarding import services as package

    assert package.journey_start_for_nomination is services.journey_start_for_nomination
