"""Allocation runs on stored applications: run, store, replay, publish, decline and
re-allocate without moving anyone, and the ``intercampus allocate --call`` command.

Also the builder of a small call the view and student-result tests share (``small_call``):
TPU's call, scores equal to the grade average, five students and four places.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from intercampus.cli import _is_allocate_from_file
from intercampus.core.models import AuditEntry, PersonalNotice
from intercampus.core.services import ServiceError
from intercampus.mobility.allocation import ALGORITHM_VERSION, solve
from intercampus.mobility.choices import ApplicationState, CallStatus, RunStatus
from intercampus.mobility.instance import parse_instance
from intercampus.mobility.models import AllocationRun, Application, Call, Place
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.selectors.applications import allocation_inputs
from intercampus.mobility.services import allocation as services
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

# After the call's window (it closes on 28 February 2027 in Tomsk).
AFTER = datetime.datetime(2027, 3, 2, 12, 0, tzinfo=datetime.UTC)


@dataclass
class SmallCall:
    """TPU's call; the score of each student is their grade average (weights 100/0/0)."""

    call: Call
    kth: Place  # 1 seat
    polito: Place  # 1 seat
    usp: Place  # 2 seats
    bachelor: Place  # for bachelor students only: nobody here is eligible
    students: dict  # name -> User
    apps: dict  # name -> Application

    def uuid(self, name: str) -> str:
        return str(self.apps[name].uuid)

    def refreshed(self, name: str) -> Application:
        with scopes_disabled():
            return Application.objects.get(pk=self.apps[name].pk)


def small_call(world) -> SmallCall:
    """anna 90 (kth, polito), boris 80 (kth, polito), chen 70 (kth, bachelor, polito, usp),
    dmitri 60 (polito, kth), eva 50 (kth). Allocated: anna kth, boris polito, chen usp;
    dmitri and eva have no place."""
    call = make.call(
        world.tpu, weight_grades=100, weight_language=0, weight_committee=0, max_choices=5
    )
    kth = make.place(call, make.agreement(world.tpu, world.kth), seats=1)
    polito = make.place(call, make.agreement(world.tpu, world.polito), seats=1)
    usp_condition = make.agreement(world.tpu, world.usp)
    usp = make.place(call, usp_condition, seats=2)
    bachelor = make.place(call, usp_condition, seats=3, eqf_levels=[6], subject_area="0713")
    wishes = {
        "anna": (90, [kth, polito]),
        "boris": (80, [kth, polito]),
        "chen": (70, [kth, bachelor, polito, usp]),
        "dmitri": (60, [polito, kth]),
        "eva": (50, [kth]),
    }
    students, apps = {}, {}
    for name, (grade, places) in wishes.items():
        students[name] = make.student(world.tpu, f"{name}@tpu.ru")
        apps[name] = make.submitted(
            call, students[name], places=places, grade_average=Decimal(grade)
        )
    return SmallCall(call, kth, polito, usp, bachelor, students, apps)


@pytest.fixture
def small(world) -> SmallCall:
    return small_call(world)


def set_state(application: Application, state: str) -> None:
    with scopes_disabled():
        Application.objects.filter(pk=application.pk).update(state=state)


def run(small: SmallCall, **kwargs) -> AllocationRun:
    return services.allocation_run(actor=None, call=small.call, now=AFTER, **kwargs)


def _replay(run_: AllocationRun) -> dict:
    """The run's stored instance through the file reader and the pure solver."""
    columns = parse_instance(json.dumps(run_.instance).encode())
    return solve(columns, run_.parameters.get("fixed")).assignment


# --- Run ----------------------------------------------------------------------------------


def test_a_run_places_students_by_score_at_their_best_eligible_choice(world, small):
    done = run(small)
    expected = {
        small.uuid("anna"): str(small.kth.uuid),
        small.uuid("boris"): str(small.polito.uuid),
        small.uuid("chen"): str(small.usp.uuid),
        small.uuid("dmitri"): None,
        small.uuid("eva"): None,
    }
    assert done.results == expected
    assert (done.placed_count, done.unplaced_count) == (3, 2)
    assert done.status == RunStatus.DRAFT
    assert done.algorithm_version == ALGORITHM_VERSION
    small.call.refresh_from_db()
    assert small.call.status == CallStatus.ALLOCATED


def test_the_run_reads_the_same_inputs_as_the_applications_selector(world, small):
    set_state(small.apps["eva"], ApplicationState.WITHDRAWN)
    with make.in_scope(world.tpu):
        assert selectors.allocation_applicants(small.call) == allocation_inputs(small.call)


def test_the_stored_instance_names_applications_and_places_by_uuid(world, small):
    done = run(small)
    chen = next(a for a in done.instance["applicants"] if a["id"] == small.uuid("chen"))
    # The bachelor place is not eligible for chen: it is not among chen's prefs.
    assert chen["prefs"] == [str(small.kth.uuid), str(small.polito.uuid), str(small.usp.uuid)]
    assert chen["score"] == 70
    assert chen["tiebreak"] == small.refreshed("chen").tiebreak
    capacities = {p["id"]: p["capacity"] for p in done.instance["places"]}
    assert capacities[str(small.usp.uuid)] == 2
    assert done.instance["format"] == "alloc-instance/1"
    assert done.parameters["lottery_seed"] == small.call.lottery_seed
    assert done.parameters["weights"] == {"grades": 100, "language": 0, "committee": 0}


def test_the_stored_instance_replays_to_the_same_results(world, small):
    done = run(small)
    assert _replay(done) == done.results
    # And with the dataclasses of the pure module, as the service calls it.
    assert services.solve_instance(done.instance).assignment == done.results


def test_cutoffs_are_the_score_of_the_last_admitted_and_none_where_seats_were_left(world, small):
    done = run(small)
    assert done.cutoffs == {
        str(small.kth.uuid): 90,
        str(small.polito.uuid): 80,
        str(small.usp.uuid): None,
        str(small.bachelor.uuid): None,
    }
    solver_cutoffs = services.solve_instance(done.instance).cutoffs
    for place in (small.kth, small.polito):
        assert done.cutoffs[str(place.uuid)] == solver_cutoffs[str(place.uuid)]


def test_a_run_is_audited_without_copying_its_inputs(world, small):
    run(small)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="mobility.allocation.run")
    assert entry.institution == world.tpu
    assert entry.after["placed"] == 3
    assert "instance" not in entry.after


def test_a_run_before_the_call_closes_needs_confirmation(world, small):
    before = datetime.datetime(2027, 2, 20, tzinfo=datetime.UTC)
    with pytest.raises(ServiceError) as refused:
        services.allocation_run(actor=None, call=small.call, now=before)
    assert refused.value.field == "early"
    done = services.allocation_run(actor=None, call=small.call, now=before, early=True)
    assert done.parameters["early"] is True


def test_a_draft_call_cannot_be_allocated(world, small):
    with scopes_disabled():
        Call.objects.filter(pk=small.call.pk).update(status=CallStatus.DRAFT)
    small.call.refresh_from_db()
    with pytest.raises(ServiceError):
        run(small)


def test_a_new_run_replaces_the_one_under_review(world, small):
    first = run(small)
    second = run(small)
    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED
    assert second.status == RunStatus.DRAFT


# --- Publish ------------------------------------------------------------------------------


def test_publishing_sets_every_application_placed_or_not_placed(world, small):
    done = services.allocation_publish(actor=None, run=run(small))
    states = {name: small.refreshed(name).state for name in small.apps}
    assert states == {
        "anna": ApplicationState.PLACED,
        "boris": ApplicationState.PLACED,
        "chen": ApplicationState.PLACED,
        "dmitri": ApplicationState.UNPLACED,
        "eva": ApplicationState.UNPLACED,
    }
    assert done.status == RunStatus.PUBLISHED
    assert done.published_at is not None
    small.call.refresh_from_db()
    assert small.call.status == CallStatus.RESULTS_PUBLISHED


def test_publishing_tells_each_student_on_their_page_and_by_email(world, small):
    done = services.allocation_publish(actor=None, run=run(small))
    notices = PersonalNotice.objects.filter(kind=services.NOTICE_KIND)
    assert notices.count() == 5
    anna = notices.get(user=small.students["anna"])
    assert "you have a place at KTH" in anna.text
    assert anna.link.endswith(f"/me/mobility/applications/{small.uuid('anna')}/#result")
    eva = notices.get(user=small.students["eva"])
    assert "no place this time" in eva.text

    assert services.allocation_send_results(run_uuid=str(done.uuid)) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@tpu.ru" for name in small.students
    )


def test_a_run_is_published_once(world, small):
    done = services.allocation_publish(actor=None, run=run(small))
    with pytest.raises(ServiceError):
        services.allocation_publish(actor=None, run=done)


def test_a_fresh_run_is_refused_once_results_are_published(world, small):
    services.allocation_publish(actor=None, run=run(small))
    with pytest.raises(ServiceError, match="Re-allocate"):
        run(small)


def test_a_run_placing_a_student_who_withdrew_since_is_not_published(world, small):
    draft = run(small)
    set_state(small.apps["anna"], ApplicationState.WITHDRAWN)
    with pytest.raises(ServiceError, match="declined or withdrawn"):
        services.allocation_publish(actor=None, run=draft)


# --- Decline and re-allocate --------------------------------------------------------------


@pytest.fixture
def published(small) -> AllocationRun:
    return services.allocation_publish(actor=None, run=run(small))


def test_a_placed_student_declines_their_place(world, small, published):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    assert small.refreshed("anna").state == ApplicationState.DECLINED
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="mobility.allocation.declined").count() == 1


def test_nobody_declines_a_place_for_someone_else(world, small, published):
    with pytest.raises(ServiceError) as refused:
        services.allocation_decline(actor=small.students["boris"], application=small.apps["anna"])
    assert refused.value.status == 403


def test_a_student_without_a_place_has_nothing_to_decline(world, small, published):
    with pytest.raises(ServiceError):
        services.allocation_decline(actor=small.students["eva"], application=small.apps["eva"])


def test_reallocation_gives_the_freed_seat_to_the_best_unplaced_and_moves_nobody(
    world, small, published
):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    again = services.allocation_reallocate(actor=None, call=small.call)
    # boris (at polito) and chen (at usp) both preferred kth, but keep their places; of the
    # unplaced who want kth, dmitri (60) comes before eva (50).
    assert again.results == {
        small.uuid("boris"): str(small.polito.uuid),
        small.uuid("chen"): str(small.usp.uuid),
        small.uuid("dmitri"): str(small.kth.uuid),
        small.uuid("eva"): None,
    }
    assert again.base_run == published
    assert again.status == RunStatus.DRAFT
    assert again.parameters["fixed"] == {
        small.uuid("boris"): str(small.polito.uuid),
        small.uuid("chen"): str(small.usp.uuid),
    }
    assert again.parameters["left"] == [small.uuid("anna")]
    # Counted over everyone at the place: dmitri is the last admitted at kth now.
    assert again.cutoffs[str(small.kth.uuid)] == 60


def test_a_reallocation_replays_from_its_instance_and_fixed_places(world, small, published):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    again = services.allocation_reallocate(actor=None, call=small.call)
    assert _replay(again) == again.results


def test_publishing_a_reallocation_supersedes_the_previous_results(world, small, published):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    again = services.allocation_publish(
        actor=None, run=services.allocation_reallocate(actor=None, call=small.call)
    )
    published.refresh_from_db()
    assert published.status == RunStatus.SUPERSEDED
    assert again.status == RunStatus.PUBLISHED
    assert small.refreshed("dmitri").state == ApplicationState.PLACED
    assert small.refreshed("anna").state == ApplicationState.DECLINED
    assert small.refreshed("eva").state == ApplicationState.UNPLACED
    # Only dmitri's result changed: only dmitri is told.
    notices = PersonalNotice.objects.filter(kind=services.NOTICE_KIND)
    assert notices.filter(user=small.students["dmitri"]).count() == 2
    assert notices.filter(user=small.students["boris"]).count() == 1


def test_students_later_in_the_process_are_not_moved_back_by_a_reallocation(
    world, small, published
):
    set_state(small.apps["boris"], ApplicationState.NOMINATED)
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    services.allocation_publish(
        actor=None, run=services.allocation_reallocate(actor=None, call=small.call)
    )
    assert small.refreshed("boris").state == ApplicationState.NOMINATED


def test_reallocation_without_a_freed_seat_is_refused(world, small, published):
    with pytest.raises(ServiceError, match="no seat is free"):
        services.allocation_reallocate(actor=None, call=small.call)


def test_a_reallocation_draft_is_not_published_after_another_decline(world, small, published):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    again = services.allocation_reallocate(actor=None, call=small.call)
    services.allocation_decline(actor=small.students["boris"], application=small.apps["boris"])
    with pytest.raises(ServiceError, match="declined or withdrawn"):
        services.allocation_publish(actor=None, run=again)


# --- In the background --------------------------------------------------------------------


def test_a_queued_run_is_filled_in_by_the_worker(world, small, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    queued = services.allocation_enqueue(actor=world.tpu_officer, call=small.call)
    assert queued.phase == AllocationRun.Phase.QUEUED
    outcome = services.allocation_run_queued(
        run_uuid=str(queued.uuid), actor_id=world.tpu_officer.pk, early=False
    )
    queued.refresh_from_db()
    assert outcome["placed"] == 3
    assert queued.phase == AllocationRun.Phase.DONE
    assert queued.created_by == world.tpu_officer
    assert _replay(queued) == queued.results


def test_a_queued_run_replaced_before_it_starts_records_why(world, small, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    queued = services.allocation_enqueue(actor=None, call=small.call)
    run(small)
    services.allocation_run_queued(run_uuid=str(queued.uuid), actor_id=None, early=False)
    queued.refresh_from_db()
    assert queued.phase == AllocationRun.Phase.FAILED
    assert "replaced" in queued.error


# --- The command --------------------------------------------------------------------------


def test_allocate_with_a_call_reaches_the_django_command():
    assert not _is_allocate_from_file(["allocate", "--call", "x"])
    # Its --help is the one parser's, answered without Django like the file mode's.
    assert _is_allocate_from_file(["allocate", "--call", "x", "--help"])
    assert _is_allocate_from_file(["allocate", "--instance", "f.json"])


def test_the_command_allocates_a_call_and_prints_a_summary(world, small, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    out = io.StringIO()
    call_command("allocate", "--call", str(small.call.uuid), stdout=out)
    text = out.getvalue()
    assert "3 of 5 students placed, 2 not placed" in text
    assert "Storing the results" in text or "Done" in text
    assert "KTH" in text
    with scopes_disabled():
        stored = AllocationRun.objects.get(call=small.call)
    assert stored.status == RunStatus.DRAFT
    assert _replay(stored) == stored.results


def test_the_command_publishes_when_asked(world, small, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    call_command("allocate", "--call", str(small.call.uuid), "--publish", stdout=io.StringIO())
    assert small.refreshed("anna").state == ApplicationState.PLACED
    small.call.refresh_from_db()
    assert small.call.status == CallStatus.RESULTS_PUBLISHED


def test_the_command_says_why_it_refuses(world, small, monkeypatch):
    monkeypatch.setattr(
        services, "current_time", lambda: datetime.datetime(2027, 2, 20, tzinfo=datetime.UTC)
    )
    with pytest.raises(CommandError, match="open for applications until .* with --early"):
        call_command("allocate", "--call", str(small.call.uuid), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No call"):
        call_command(
            "allocate", "--call", "00000000-0000-0000-0000-000000000000", stdout=io.StringIO()
        )


def test_the_command_also_solves_an_instance_file(tmp_path):
    instance = tmp_path / "instance.json"
    instance.write_text(
        json.dumps(
            {
                "format": "alloc-instance/1",
                "applicants": [
                    {"id": "a", "score": 2, "tiebreak": 1, "prefs": ["x"]},
                    {"id": "b", "score": 1, "tiebreak": 2, "prefs": ["x"]},
                ],
                "places": [{"id": "x", "capacity": 1}],
            }
        )
    )
    out = tmp_path / "out.json"
    call_command("allocate", "--instance", str(instance), "--out", str(out))
    assert json.loads(out.read_text()) == {"a": "x", "b": None}


def test_a_mail_server_that_refuses_the_result_emails_fails_the_sending_loudly(
    world, small, settings
):
    import smtplib

    import pytest

    done = services.allocation_publish(actor=None, run=run(small))
    settings.EMAIL_BACKEND = "intercampus.mobility.tests.test_allocation_runs.RefusingBackend"
    with pytest.raises(smtplib.SMTPException):
        services.allocation_send_results(run_uuid=str(done.uuid))


class RefusingBackend:
    """A mail server that answers every message with an error."""

    def __init__(self, fail_silently=False, **kwargs):
        self.fail_silently = fail_silently

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        import smtplib

        if self.fail_silently:
            return 0
        raise smtplib.SMTPException("550 relaying denied")
