"""Writes of allocation runs: run the allocation on a call's stored applications, publish a
run, a student declines their place, re-allocate the freed seats.

A run stores the ``alloc-instance/1`` document the algorithm was given (applicant ids are
application UUIDs, place ids place UUIDs, the key is the application's score), its
parameters, the algorithm's version and the results, so that anyone can replay it with
``intercampus allocate --instance`` and get the same answer, and every student can be told
why with the cut-offs. Every function is atomic and audited.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled
from django_tasks import task

from intercampus.core.audit import audit_log
from intercampus.core.models import PersonalNotice
from intercampus.core.notices import notice_for, render_message
from intercampus.core.services import ServiceError
from intercampus.mobility import allocation as solver
from intercampus.mobility.choices import ApplicationState, CallStatus, RunStatus
from intercampus.mobility.instance import FORMAT
from intercampus.mobility.models import AllocationRun, Application, Call
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.selectors.applications import AllocationApplicant
from intercampus.mobility.services.applications import local_moment
from intercampus.mobility.services.common import owned_update

logger = logging.getLogger(__name__)

Phase = AllocationRun.Phase
Progress = Callable[[str], None]

# The phases a run reports to its ``progress`` callback, in order.
LOADING, SOLVING, STORING = "loading", "solving", "storing"
# Calls with more eligible applications than this are allocated by the task worker.
INLINE_LIMIT = 2000
# Application states a published run may set to placed or not placed: later steps
# (nominated, accepted by the host...) are never moved back.
MOVABLE_STATES = (ApplicationState.ELIGIBLE, ApplicationState.PLACED, ApplicationState.UNPLACED)
# Ids per IN (...) list: well under the parameter limits of SQLite and PostgreSQL.
CHUNK = 5000
NOTICE_KIND = "mobility.allocation.result"
_ZERO = uuid.UUID(int=0)


def current_time() -> datetime.datetime:
    """The clock the call's closing time is checked against (one seam, for tests)."""
    return timezone.now()


def _silent(phase: str) -> None:
    return None


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_call(call: Call) -> Call:
    return Call.objects.select_for_update(of=("self",)).select_related("owner").get(pk=call.pk)


# --- The instance -------------------------------------------------------------------------


def build_instance(
    applicants: Sequence[AllocationApplicant], places: Iterable[tuple[Any, int]]
) -> dict[str, Any]:
    """The ``alloc-instance/1`` document of a call: each applicant's score is the key every
    place ranks by (scores have two decimals, exact as JSON numbers), their lottery number
    breaks ties, their prefs are their eligible choices, best first; capacities are seats."""
    return {
        "format": FORMAT,
        "applicants": [
            {
                "id": a.application_uuid,
                "score": float(a.score),
                "tiebreak": a.tiebreak,
                "prefs": list(a.place_uuids),
            }
            for a in applicants
        ],
        "places": [{"id": str(uid), "capacity": seats} for uid, seats in places],
    }


def solve_instance(
    instance: Mapping[str, Any], fixed: Mapping[str, str] | None = None
) -> solver.Result:
    """Allocate a stored instance (``fixed``: applicants who keep their place)."""
    applicants = [
        solver.Applicant(id=a["id"], score=a["score"], tiebreak=a["tiebreak"], prefs=a["prefs"])
        for a in instance["applicants"]
    ]
    places = [solver.Place(id=p["id"], capacity=p["capacity"]) for p in instance["places"]]
    try:
        if fixed:
            return solver.reallocate(applicants, places, fixed)
        return solver.allocate(applicants, places)
    except solver.InputError as error:
        raise ServiceError(
            _("The applications cannot be allocated: {error}").format(error=error), status=409
        ) from error


def cutoffs_of(instance: Mapping[str, Any], results: Mapping[str, str | None]) -> dict:
    """Place id -> the key of the last student admitted there, None when seats were left
    (everyone eligible who wanted it got it, or something better).

    Counted over everyone holding the place in ``results``: after a re-allocation that is
    the students who kept their seat as well as those placed in the freed ones.
    """
    capacity = {p["id"]: p["capacity"] for p in instance["places"]}
    placed: Counter = Counter()
    last: dict[str, tuple[Any, int]] = {}
    for a in instance["applicants"]:
        place = results.get(a["id"])
        if place is None:
            continue
        placed[place] += 1
        rank = (a["score"], -a["tiebreak"])  # lower: admitted later
        if place not in last or rank < last[place]:
            last[place] = rank
    return {p: last[p][0] if p in last and placed[p] >= capacity[p] else None for p in capacity}


def _parameters(call: Call, **extra: Any) -> dict[str, Any]:
    return {
        "key": "score",
        "weights": {
            "grades": call.weight_grades,
            "language": call.weight_language,
            "committee": call.weight_committee,
        },
        "lottery_seed": call.lottery_seed,
        "prefs": "eligible choices, best first",
        **extra,
    }


def _summary(run: AllocationRun) -> dict[str, Any]:
    """What the audit log keeps of a run: not its inputs and results, which the run keeps."""
    return {
        "run": str(run.uuid),
        "call": str(run.call.uuid),
        "status": run.status,
        "algorithm_version": run.algorithm_version,
        "placed": run.placed_count,
        "unplaced": run.unplaced_count,
        "base_run": str(run.base_run.uuid) if run.base_run_id else None,
    }


# --- Run ----------------------------------------------------------------------------------


def _check_runnable(call: Call, *, now: datetime.datetime, early: bool) -> None:
    if call.status == CallStatus.DRAFT:
        raise ServiceError(_("Publish the call and let students apply first."), status=409)
    if call.status == CallStatus.RESULTS_PUBLISHED:
        raise ServiceError(
            _(
                "The results are published; a new run would move students. Re-allocate the "
                "seats freed by declines instead."
            ),
            status=409,
        )
    if call.status == CallStatus.PUBLISHED and now < call.opens_at:
        raise ServiceError(_("The call has not opened yet: no student could apply."), status=409)
    if call.status == CallStatus.PUBLISHED and now < call.closes_at and not early:
        raise ServiceError(early_confirmation_message(call), field="early", status=409)


def early_confirmation_message(call: Call, confirm: str | None = None) -> str:
    """Why a run of a call still open needs confirming, and how: ``confirm`` says how in the
    words of the interface (the command's ``--early``, the page's checkbox); the default is
    the API's field."""
    return _(
        "The call is open for applications until {when}. Allocating now closes it early, for "
        "every student; to do so, {confirm}."
    ).format(
        when=local_moment(call.closes_at, call),
        confirm=confirm or _('send "early": true'),
    )


def _close_early(actor: Any, call: Call, now: datetime.datetime) -> dict[str, str]:
    """Close a call still open at ``now``, as its early run does: its closing time becomes
    ``now``, so every reader of the window (pages, API, submissions) sees it closed. Returns
    what the run records of it (the planned closing time is kept there and in the audit)."""
    planned = call.closes_at
    call.closes_at = now
    call.save(update_fields=["closes_at"])
    audit_log(
        actor=actor,
        action="mobility.call.closed_early",
        obj=call,
        before={"closes_at": planned.isoformat()},
        after={"closes_at": now.isoformat()},
        institution=call.owner,
    )
    return {"planned_closes_at": planned.isoformat(), "closed_early_at": now.isoformat()}


def _claim(run: AllocationRun) -> AllocationRun:
    """The queued run this worker fills in, locked; refused when it no longer waits."""
    claimed = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if claimed.status != RunStatus.DRAFT or claimed.phase not in (Phase.QUEUED, Phase.RUNNING):
        raise ServiceError(_("A later run replaced this one before it started."), status=409)
    return claimed


def _store(
    *,
    actor: Any,
    call: Call,
    run: AllocationRun | None,
    instance: dict[str, Any],
    result: solver.Result,
    parameters: dict[str, Any],
    base_run: AllocationRun | None = None,
) -> AllocationRun:
    """Record a solved run as a draft for review; other draft runs of the call are replaced."""
    results = {str(a): p for a, p in result.assignment.items()}
    placed = sum(1 for p in results.values() if p)
    fields = {
        "algorithm_version": result.algorithm_version,
        "parameters": parameters,
        "instance": instance,
        "results": results,
        "cutoffs": cutoffs_of(instance, results),
        "placed_count": placed,
        "unplaced_count": len(results) - placed,
        "phase": Phase.DONE,
        "error": "",
        "base_run": base_run,
    }
    drafts = AllocationRun.objects.filter(call=call, status=RunStatus.DRAFT)
    if run is not None:
        drafts = drafts.exclude(pk=run.pk)
    drafts.update(status=RunStatus.SUPERSEDED)
    if run is None:
        run = AllocationRun(call=call, owner=call.owner, created_by=_actor(actor))
    for name, value in fields.items():
        setattr(run, name, value)
    run.call = call
    run.save()
    return run


def allocation_run(
    *,
    actor: Any,
    call: Call,
    early: bool = False,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
    run: AllocationRun | None = None,
) -> AllocationRun:
    """Allocate the call's eligible applications and store the run as a draft for review.

    Needs a published call that has closed (``early``: staff confirmed running it before; the
    call then closes now, for everyone: see ``_close_early``), or an allocated one whose
    results are not published yet (the new run replaces the draft). Sets the call's status to
    allocated. ``progress`` is told each phase (loading, solving,
    storing); ``run``: a queued run to fill in (the task worker's). Raises ServiceError.
    """
    report = progress or _silent
    now = now or current_time()
    with transaction.atomic(), scope(institution=call.owner):
        locked = _lock_call(call)
        _check_runnable(locked, now=now, early=early)
        if run is not None:
            run = _claim(run)
        closing: dict[str, str] = {}
        if locked.status == CallStatus.PUBLISHED and now < locked.closes_at:
            closing = _close_early(actor, locked, now)
        report(LOADING)
        inputs = selectors.allocation_applicants(locked)
        places = locked.places.order_by("id").values_list("uuid", "seats")
        instance = build_instance(inputs, places)
        report(SOLVING)
        result = solve_instance(instance)
        report(STORING)
        stored = _store(
            actor=actor,
            call=locked,
            run=run,
            instance=instance,
            result=result,
            parameters=_parameters(locked, early=early, **closing),
        )
        locked.status = CallStatus.ALLOCATED
        locked.save(update_fields=["status"])
        audit_log(
            actor=actor,
            action="mobility.allocation.run",
            obj=stored,
            after=_summary(stored),
            institution=locked.owner,
        )
        return stored


def allocation_enqueue(
    *, actor: Any, call: Call, early: bool = False, now: datetime.datetime | None = None
) -> AllocationRun:
    """Queue a run of a large call for the task worker; the run is recorded at once (phase
    "queued") so that its page can follow it. Same conditions as ``allocation_run``."""
    now = now or current_time()
    with transaction.atomic(), scope(institution=call.owner):
        locked = _lock_call(call)
        _check_runnable(locked, now=now, early=early)
        run = AllocationRun.objects.create(
            call=locked,
            owner=locked.owner,
            created_by=_actor(actor),
            algorithm_version=solver.ALGORITHM_VERSION,
            parameters=_parameters(locked, early=early),
            instance={},
            phase=Phase.QUEUED,
        )
        audit_log(
            actor=actor,
            action="mobility.allocation.queued",
            obj=run,
            after=_summary(run),
            institution=locked.owner,
        )
        actor_id = getattr(_actor(actor), "pk", None)
        transaction.on_commit(lambda: allocate_call.enqueue(str(run.uuid), actor_id, early))
        return run


def allocation_run_queued(*, run_uuid: str, actor_id: int | None, early: bool) -> dict[str, Any]:
    """The task worker's side of ``allocation_enqueue``: run the allocation into the queued
    run, and record on it that it runs, and why it failed if it does."""
    from intercampus.accounts.models import User

    with scopes_disabled():
        run = AllocationRun.objects.select_related("call", "call__owner").get(uuid=run_uuid)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        AllocationRun.objects.filter(pk=run.pk, phase=Phase.QUEUED).update(phase=Phase.RUNNING)
    try:
        done = allocation_run(actor=actor, call=run.call, early=early, run=run)
    except ServiceError as error:
        _fail(run, error.message)
        return {"run": run_uuid, "error": error.message}
    except Exception:
        _fail(run, _("The allocation failed unexpectedly; the error is logged."))
        raise
    return {"run": run_uuid, "placed": done.placed_count, "unplaced": done.unplaced_count}


def _fail(run: AllocationRun, message: str) -> None:
    with scopes_disabled():
        AllocationRun.objects.filter(pk=run.pk).exclude(phase=Phase.DONE).update(
            phase=Phase.FAILED, error=message
        )


# --- Publish ------------------------------------------------------------------------------


def _set_states(call: Call, results: Mapping[str, str | None]) -> None:
    """Placed or not placed, as the run says, in a few UPDATEs (never one per student)."""
    for state, wanted in (
        (ApplicationState.PLACED, [a for a, p in results.items() if p]),
        (ApplicationState.UNPLACED, [a for a, p in results.items() if not p]),
    ):
        for chunk in _chunks(wanted):
            call.applications.filter(uuid__in=chunk, state__in=MOVABLE_STATES).exclude(
                state=state
            ).update(state=state)


def changed_results(run: AllocationRun) -> dict[str, str | None]:
    """The students whose result this run changes: all of a first run's; after declines,
    those placed in a freed seat."""
    before = run.base_run.results if run.base_run_id else {}
    return {a: p for a, p in run.results.items() if not run.base_run_id or before.get(a) != p}


def allocation_publish(
    *, actor: Any, run: AllocationRun, now: datetime.datetime | None = None
) -> AllocationRun:
    """Publish a draft run: the previous published run is superseded, each application of the
    run becomes placed or not placed, the call's results are published, and the students
    whose result changed get a notice on their page and an e-mail.

    Refused when a student the run places has declined or withdrawn since (run again), when
    the run no longer continues the published one, or when it places more students under an
    agreement condition than the agreement has left for the call (see ``_check_agreements``).
    """
    now = now or current_time()
    with transaction.atomic(), scope(institution=run.owner):
        call = _lock_call(run.call)
        locked = AllocationRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if locked.status != RunStatus.DRAFT or locked.phase != Phase.DONE:
            raise ServiceError(_("Only a finished run under review can be published."), status=409)
        current = selectors.published_run(call)
        if (current.pk if current else None) != locked.base_run_id:
            raise ServiceError(
                _("Other results were published since this run; run it again."), status=409
            )
        _check_agreements(call, locked.results)
        gone = selectors.freed_seats(locked, selectors.left_uuids(call))
        if gone:
            raise ServiceError(
                _(
                    "{n} students this run places have declined or withdrawn since; run it "
                    "again so that their seats go to others."
                ).format(n=gone),
                status=409,
            )
        if current is not None:
            current.status = RunStatus.SUPERSEDED
            current.save(update_fields=["status"])
        locked.status = RunStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        _set_states(call, locked.results)
        call.status = CallStatus.RESULTS_PUBLISHED
        call.save(update_fields=["status"])
        notified = _leave_notices(call, changed_results(locked))
        audit_log(
            actor=actor,
            action="mobility.allocation.published",
            obj=locked,
            after={**_summary(locked), "notified": notified},
            institution=call.owner,
        )
        run_uuid = str(locked.uuid)
        transaction.on_commit(lambda: _enqueue_emails(run_uuid))
        return locked


def _check_agreements(call: Call, results: Mapping[str, str | None]) -> None:
    """Refuse results that place more students under one agreement condition than it has
    mobilities left for the call (after other calls of the year): publishing them would
    nominate students the agreement cannot take. Offering more seats than that is allowed
    while they stay empty (the call's page warns about it); placing students in them is not."""
    placed = Counter(p for p in results.values() if p)
    places = call.places.select_related("condition__agreement", "host")
    by_condition: dict[int, list] = {}
    for place in places:
        if placed[str(place.uuid)]:
            by_condition.setdefault(place.condition_id, []).append(place)
    for group in by_condition.values():
        condition = group[0].condition
        count = sum(placed[str(p.uuid)] for p in group)
        left = call_selectors.seats_left(condition, call)
        if count > left:
            agreement = condition.agreement
            raise ServiceError(
                _(
                    "This run places {count} students under the agreement {agreement} with "
                    "{host}, which has {left} mobilities left this year after other calls. "
                    "Lower the seats of its places and run the allocation again."
                ).format(
                    count=count,
                    agreement=agreement.iia_code or agreement.iia_id,
                    host=group[0].host or condition.receiving_hei_id,
                    left=left,
                ),
                status=409,
            )


# --- Telling the students -----------------------------------------------------------------


def _messages(call: Call, changed: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """For each student whose result changed: who they are, and their notice in their own
    language (a few queries for the whole call; one translation switch per language)."""
    places = {str(p.uuid): selectors.place_label(p) for p in call.places.select_related("host")}
    people = []
    keys = list(changed)
    for chunk in _chunks(keys):
        people += call.applications.filter(uuid__in=chunk).values(
            "uuid", "student_id", "student__email", "student__preferred_language"
        )
    people.sort(key=lambda p: p["student__preferred_language"] or "")
    # One reverse() for all: 10,000 of them cost seconds.
    link = reverse("mobility:application", kwargs={"application": _ZERO}) + "#result"
    found = []
    language = None
    with translation.override(settings.LANGUAGE_CODE):
        for person in people:
            wanted = person["student__preferred_language"] or settings.LANGUAGE_CODE
            if wanted != language:
                translation.activate(wanted)
                language = wanted
            place = changed[str(person["uuid"])]
            params = {"call": call.title, "place": places.get(place, "") if place else ""}
            message = (
                gettext_noop("{call}: you have a place at {place}.")
                if place
                else gettext_noop(
                    "{call}: you have no place this time. Your application shows the cut-offs."
                )
            )
            found.append(
                {
                    "user_id": person["student_id"],
                    "email": person["student__email"],
                    "message": message,
                    "params": params,
                    "text": render_message(message, params)[:500],
                    "subject": _("Your result: {call}").format(call=call.title),
                    "link": link.replace(str(_ZERO), str(person["uuid"])),
                }
            )
    return found


def _leave_notices(call: Call, changed: Mapping[str, str | None]) -> int:
    notices = [
        notice_for(
            user_id=m["user_id"],
            kind=NOTICE_KIND,
            message=m["message"],
            params=m["params"],
            link=m["link"],
            text=m["text"],
        )
        for m in _messages(call, changed)
    ]
    PersonalNotice.objects.bulk_create(notices, batch_size=5000)
    return len(notices)


def _enqueue_emails(run_uuid: str) -> None:
    try:
        send_allocation_results.enqueue(run_uuid)
    except Exception:  # noqa: BLE001 - the results are published; e-mail is a courtesy
        logger.exception("Could not queue the result e-mails of run %s", run_uuid)


def allocation_send_results(*, run_uuid: str) -> int:
    """E-mail the students whose result a published run changed, over one connection."""
    with scopes_disabled():
        run = AllocationRun.objects.select_related("call", "base_run").get(uuid=run_uuid)
        if run.status != RunStatus.PUBLISHED:
            return 0
        with scope(institution=run.owner):
            found = _messages(run.call, changed_results(run))
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    mails = [
        EmailMessage(m["subject"], f"{m['text']}\n\n{base}{m['link']}\n", None, [m["email"]])
        for m in found
        if m["email"]
    ]
    # A mail server that refuses fails the task rather than passing in silence: the task's
    # record and the log say so, for the operator to act (the results are published already,
    # and every student has them as a notice on /me/).
    with get_connection() as connection:
        return connection.send_messages(mails) or 0


# --- Declines and re-allocation -----------------------------------------------------------


def allocation_decline(*, actor: Any, application: Application) -> Application:
    """The student declines the place the published results gave them; the seat can then be
    re-allocated. Only the student, only a placed application."""
    with transaction.atomic(), scope(institution=application.owner):
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "owner")
            .get(pk=application.pk)
        )
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can decline their place."), status=403)
        if locked.state != ApplicationState.PLACED:
            raise ServiceError(_("Only a place you were given can be declined."), status=409)
        return owned_update(
            actor=actor,
            obj=locked,
            action="mobility.allocation.declined",
            owner=locked.owner,
            state=ApplicationState.DECLINED,
        )


def allocation_reallocate(
    *, actor: Any, call: Call, progress: Progress | None = None
) -> AllocationRun:
    """Give the seats freed by declines (and withdrawals) to students without a place, as a
    new draft run that continues the published one; publish it with ``allocation_publish``.

    Nobody else moves: every student the published run placed who did not leave keeps their
    place (``fixed``) and takes their seat first; the others are allocated into the seats
    left, on the published run's instance without those who left. Raises ServiceError when
    no seat was freed.
    """
    report = progress or _silent
    with transaction.atomic(), scope(institution=call.owner):
        locked = _lock_call(call)
        if locked.status != CallStatus.RESULTS_PUBLISHED:
            raise ServiceError(_("Publish the results before re-allocating."), status=409)
        report(LOADING)
        base = selectors.published_run(locked)
        if base is None:
            raise ServiceError(_("Publish the results before re-allocating."), status=409)
        left = selectors.left_uuids(locked) & set(base.results)
        if not selectors.freed_seats(base, left):
            raise ServiceError(_("No placed student has declined: no seat is free."), status=409)
        fixed = {a: p for a, p in base.results.items() if p and a not in left}
        instance = {
            **base.instance,
            "applicants": [a for a in base.instance["applicants"] if a["id"] not in left],
        }
        report(SOLVING)
        result = solve_instance(instance, fixed)
        report(STORING)
        parameters = {**base.parameters, "fixed": fixed, "left": sorted(left)}
        stored = _store(
            actor=actor,
            call=locked,
            run=None,
            instance=instance,
            result=result,
            parameters=parameters,
            base_run=base,
        )
        audit_log(
            actor=actor,
            action="mobility.allocation.reallocated",
            obj=stored,
            after=_summary(stored),
            institution=locked.owner,
        )
        return stored


# --- Background work (run by ``intercampus worker``) -----------------------------------------
# The tasks sit beside the services that queue them and do their work, so that no service has
# to import ``mobility.tasks`` back; that module lists them.


@task()
def allocate_call(run_uuid: str, actor_id: int | None, early: bool = False) -> dict[str, Any]:
    """Allocate a large call into the run ``allocation_enqueue`` recorded as queued; the run's
    page follows its phase (queued, running, done or failed with the reason)."""
    return allocation_run_queued(run_uuid=run_uuid, actor_id=actor_id, early=early)


@task()
def send_allocation_results(run_uuid: str) -> int:
    """E-mail the students whose result a just published run changed."""
    return allocation_send_results(run_uuid=run_uuid)
