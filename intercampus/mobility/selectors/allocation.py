"""Reads of allocation runs: the staff's list, review and exports of a call's runs, and the
student's own result with the cut-offs that explain it.

Staff functions take a call already found among the institution's own (the tenant). The
student's function reads the runs of the call of their own application: allowed because the
application was found by ``student=user`` and only that student's entry is read from them.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import scopes_disabled

from intercampus.mobility.choices import ApplicationState, CallStatus, RunStatus
from intercampus.mobility.models import AllocationRun, Application, ApplicationChoice, Call, Place
from intercampus.mobility.selectors.applications import AllocationApplicant

CENT = Decimal("0.01")
# Students who left after a run: a seat they held is free for a re-allocation.
LEFT_STATES = (ApplicationState.DECLINED, ApplicationState.WITHDRAWN)
# The heavy columns of a run, left out where a page lists runs.
HEAVY = ("instance", "results", "cutoffs", "parameters")


def key_decimal(key: Any) -> Decimal | None:
    """A key as stored in a run (a JSON number) as the two-decimal score it stands for."""
    if key is None:
        return None
    return Decimal(str(key)).quantize(CENT)


def place_label(place: Place) -> str:
    host = place.host.display_name if place.host_id and place.host else place.host_hei_id
    return f"{host} · {place.subject_area}" if place.subject_area else host


# --- What a run allocates -----------------------------------------------------------------


def allocation_applicants(call: Call) -> list[AllocationApplicant]:
    """What ``selectors.applications.allocation_inputs`` gives (a test holds them equal: the
    eligible applications, their eligible choices in rank order), read as plain values in two
    queries: building 10,000 applications and 30,000 choices and places as model instances
    took most of the time a run of such a call may take."""
    eligible = ApplicationState.ELIGIBLE
    prefs: dict[int, list[str]] = defaultdict(list)
    choices = (
        ApplicationChoice.objects.filter(
            application__call=call, application__state=eligible, eligible=True
        )
        .order_by("application_id", "rank")
        .values_list("application_id", "place__uuid")
    )
    for application_id, place_uuid in choices.iterator(chunk_size=10_000):
        prefs[application_id].append(str(place_uuid))
    rows = (
        call.applications.filter(state=eligible)
        .order_by("id")
        .values_list("id", "uuid", "score", "tiebreak", "languages")
    )
    return [
        AllocationApplicant(
            application_uuid=str(uid),
            score=score if score is not None else Decimal(0),
            tiebreak=tiebreak or 0,
            place_uuids=tuple(prefs.get(pk, ())),
            languages=dict(languages or {}),
        )
        for pk, uid, score, tiebreak, languages in rows
    ]


# --- The runs of a call -------------------------------------------------------------------


def runs_of_call(call: Call) -> QuerySet[AllocationRun]:
    """The call's runs, newest first, without their inputs and results."""
    return (
        AllocationRun.objects.filter(call=call)
        .select_related("created_by", "base_run")
        .defer(*HEAVY)
        .order_by("-created", "-id")
    )


def get_run(call: Call, run_uuid: uuid.UUID) -> AllocationRun:
    """One run of the call, whole, or 404."""
    return get_object_or_404(
        AllocationRun.objects.filter(call=call).select_related("created_by", "base_run"),
        uuid=run_uuid,
    )


def get_run_light(call: Call, run_uuid: uuid.UUID) -> AllocationRun:
    """One run of the call without its inputs and results (for polling its phase), or 404."""
    return get_object_or_404(runs_of_call(call), uuid=run_uuid)


def published_run(call: Call) -> AllocationRun | None:
    return (
        AllocationRun.objects.filter(call=call, status=RunStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def eligible_count(call: Call) -> int:
    """How many applications a fresh run would allocate."""
    return call.applications.filter(state=ApplicationState.ELIGIBLE).count()


def left_uuids(call: Call) -> set[str]:
    """The applications that declined their place or withdrew."""
    found = call.applications.filter(state__in=LEFT_STATES).values_list("uuid", flat=True)
    return {str(u) for u in found}


def freed_seats(run: AllocationRun, left: Iterable[str]) -> int:
    """Seats of ``run`` held by students who have since left."""
    return sum(1 for a in left if run.results.get(a))


# --- Review of one run --------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRow:
    place: Place
    label: str
    seats: int
    placed: int
    cutoff: Decimal | None  # the key of the last admitted; None when seats were left

    @property
    def left(self) -> int:
        return max(self.seats - self.placed, 0)


def place_rows(run: AllocationRun) -> list[PlaceRow]:
    """Every place of the run: its seats then, how many were placed there, its cut-off."""
    capacity = {p["id"]: p["capacity"] for p in run.instance.get("places", [])}
    placed = Counter(p for p in run.results.values() if p)
    places = run.call.places.select_related("host").order_by("host_hei_id", "subject_area", "id")
    return [
        PlaceRow(
            place=place,
            label=place_label(place),
            seats=capacity[str(place.uuid)],
            placed=placed.get(str(place.uuid), 0),
            cutoff=key_decimal(run.cutoffs.get(str(place.uuid))),
        )
        for place in places
        if str(place.uuid) in capacity
    ]


def chart_by_host(rows: Sequence[PlaceRow]) -> dict[str, list]:
    """Seats and placed students per host, for the chart (the table says the same)."""
    seats: Counter = Counter()
    placed: Counter = Counter()
    for row in rows:
        host = row.place.host.display_name if row.place.host else row.place.host_hei_id
        seats[host] += row.seats
        placed[host] += row.placed
    hosts = sorted(seats)
    return {
        "labels": hosts,
        "seats": [seats[h] for h in hosts],
        "placed": [placed[h] for h in hosts],
    }


@dataclass(frozen=True)
class Entry:
    """One applicant of a run as its instance has them, with the run's result."""

    uuid: str
    score: Decimal
    tiebreak: int
    prefs: tuple[str, ...]
    result: str | None


def entries(run: AllocationRun) -> list[Entry]:
    """The run's applicants, best score first, equal scores in lottery order."""
    results = run.results
    found = [
        Entry(
            uuid=a["id"],
            score=key_decimal(a["score"]) or Decimal(0),
            tiebreak=a["tiebreak"],
            prefs=tuple(a["prefs"]),
            result=results.get(a["id"]),
        )
        for a in run.instance.get("applicants", [])
    ]
    found.sort(key=lambda e: (-e.score, e.tiebreak))
    return found


RESULT_FILTERS = {
    "placed": pgettext_lazy("filter", "Placed"),
    "unplaced": pgettext_lazy("filter", "Not placed"),
    "first": pgettext_lazy("filter", "Placed at their first choice"),
}


def filter_entries(
    run: AllocationRun, found: list[Entry], *, result: str = "", place: str = "", q: str = ""
) -> list[Entry]:
    """The entries that match the filters: result (see ``RESULT_FILTERS``), the place they got
    (a place UUID), and a part of the student's e-mail (one query)."""
    if result == "placed":
        found = [e for e in found if e.result]
    elif result == "unplaced":
        found = [e for e in found if not e.result]
    elif result == "first":
        found = [e for e in found if e.result and e.prefs and e.prefs[0] == e.result]
    if place:
        found = [e for e in found if e.result == place]
    if q:
        matching = {
            str(u)
            for u in run.call.applications.filter(student__email__icontains=q).values_list(
                "uuid", flat=True
            )
        }
        found = [e for e in found if e.uuid in matching]
    return found


@dataclass(frozen=True)
class ChoiceCell:
    rank: int
    label: str
    eligible: bool
    is_result: bool


@dataclass
class ApplicantRow:
    entry: Entry
    application: Application | None
    choices: list[ApplicationChoice]
    result: Place | None
    result_rank: int | None

    @property
    def cells(self) -> list[ChoiceCell]:
        return [
            ChoiceCell(c.rank, place_label(c.place), bool(c.eligible), c.rank == self.result_rank)
            for c in self.choices
        ]


def applicant_rows(run: AllocationRun, page: Sequence[Entry]) -> list[ApplicantRow]:
    """The page's applicants with their student and ranked choices (two queries)."""
    choices = ApplicationChoice.objects.select_related("place", "place__host").order_by("rank")
    applications = {
        str(a.uuid): a
        for a in run.call.applications.filter(uuid__in=[e.uuid for e in page])
        .select_related("student")
        .prefetch_related(_prefetch_choices(choices))
    }
    rows = []
    for entry in page:
        app = applications.get(entry.uuid)
        ranked = list(app.choices.all()) if app else []
        got = next((c for c in ranked if str(c.place.uuid) == entry.result), None)
        rows.append(
            ApplicantRow(
                entry=entry,
                application=app,
                choices=ranked,
                result=got.place if got else None,
                result_rank=got.rank if got else None,
            )
        )
    return rows


def _prefetch_choices(queryset: QuerySet) -> Any:
    from django.db.models import Prefetch

    return Prefetch("choices", queryset=queryset)


EXPORT_COLUMNS = (
    _("application"),
    _("student"),
    _("state"),
    _("score"),
    _("lottery number"),
    _("result"),
    _("rank of the result"),
    _("choices"),
    _("not eligible"),
)


def export_rows(run: AllocationRun) -> Iterable[list[Any]]:
    """One row per applicant of the run for CSV/Excel, in the order of ``EXPORT_COLUMNS``."""
    found = entries(run)
    for start in range(0, len(found), 2000):
        for row in applicant_rows(run, found[start : start + 2000]):
            app = row.application
            yield [
                row.entry.uuid,
                app.student.email if app else "",
                str(app.get_state_display()) if app else "",
                row.entry.score,
                row.entry.tiebreak,
                place_label(row.result) if row.result else "",
                row.result_rank or "",
                "; ".join(f"{c.rank}. {place_label(c.place)}" for c in row.choices),
                "; ".join(
                    f"{c.rank}. {place_label(c.place)}" for c in row.choices if not c.eligible
                ),
            ]


# --- The student's own result -------------------------------------------------------------


ORDINALS = {
    1: _("1st"),
    2: _("2nd"),
    3: _("3rd"),
    4: _("4th"),
    5: _("5th"),
    6: _("6th"),
    7: _("7th"),
    8: _("8th"),
    9: _("9th"),
    10: _("10th"),
}


def ordinal(n: int) -> str:
    return str(ORDINALS.get(n, n))


@dataclass
class Explanation:
    """Why the student did not get a place they ranked above the one they got.

    ``why``: below_cutoff (the last admitted had a higher score), lost_tiebreak (the same
    score: the lottery decided), no_seats (the place offered none), seats_left (not every
    seat was taken, e.g. the student was not in that run).
    """

    choice: ApplicationChoice
    label: str
    ordinal: str
    own: Decimal | None
    cutoff: Decimal | None
    why: str


@dataclass
class StudentResult:
    state: str
    place: Place | None  # the place they have (or declined)
    place_label: str
    rank: int | None  # of that place among their choices
    declined: bool
    can_decline: bool
    score: Decimal | None
    explanations: list[Explanation] = field(default_factory=list)
    ineligible: list[ApplicationChoice] = field(default_factory=list)

    @property
    def ordinal(self) -> str:
        return ordinal(self.rank) if self.rank else ""


def _runs_for(application: Application) -> list[dict[str, Any]]:
    """The call's published runs (also those a later run superseded), oldest first, each
    with only this application's entry: ``mine`` (place UUID or None), ``listed``."""
    key = str(application.uuid)
    # Cross-tenant read for the student: the application was found by student=user.
    with scopes_disabled():
        runs = list(
            AllocationRun.objects.filter(
                call_id=application.call_id,
                published_at__isnull=False,
                phase=AllocationRun.Phase.DONE,
            )
            .annotate(
                mine=KT(f"results__{key}"),
                listed=Case(
                    When(results__has_key=key, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            )
            .order_by("published_at", "id")
            .values("id", "base_run_id", "status", "cutoffs", "mine", "listed")
        )
    # SQLite gives a JSON null as the text "null" (never a place's UUID); PostgreSQL as NULL.
    for run in runs:
        if run["mine"] == "null":
            run["mine"] = None
    return runs


def _chain(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The published run and the runs it continues, newest first."""
    by_id = {r["id"]: r for r in runs}
    current = next((r for r in reversed(runs) if r["status"] == RunStatus.PUBLISHED), None)
    chain = []
    while current is not None and current not in chain:
        chain.append(current)
        current = by_id.get(current["base_run_id"])
    return chain


def _deciding(chain: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str | None]:
    """(the run that explains the student's result, the place they got or declined).

    A placed student keeps their place through re-allocations: the run that first gave it to
    them explains it (later runs placed others around them). An unplaced student is explained
    by the newest run they were in. A student who declined is in no later run.
    """
    listed = [r for r in chain if r["listed"]]
    if not listed:
        return None, None
    newest = listed[0]
    got = newest["mine"]
    if got is None:
        return newest, None
    deciding = newest
    for run in listed[1:]:
        if run["mine"] != got:
            break
        deciding = run
    return deciding, got


def _explain(
    choices: Sequence[ApplicationChoice],
    got_rank: int | None,
    cutoffs: Mapping[str, Any],
    own: Decimal | None,
) -> list[Explanation]:
    found = []
    for choice in choices:
        if got_rank is not None and choice.rank >= got_rank:
            break
        if not choice.eligible:
            continue
        uid = str(choice.place.uuid)
        cutoff = key_decimal(cutoffs.get(uid))
        if choice.place.seats == 0:
            why = "no_seats"
        elif cutoff is None:
            why = "seats_left"
        elif own is not None and own == cutoff:
            why = "lost_tiebreak"
        else:
            why = "below_cutoff"
        found.append(
            Explanation(
                choice=choice,
                label=place_label(choice.place),
                ordinal=ordinal(choice.rank),
                own=own,
                cutoff=cutoff,
                why=why,
            )
        )
    return found


def student_result(
    application: Application, choices: Sequence[ApplicationChoice]
) -> StudentResult | None:
    """The published result of the student's own application (None before it is out), with,
    for every place ranked above the one they got (all of them when unplaced), the cut-off
    there next to their own score, and their choices that were not eligible.

    ``choices``: the application's choices in rank order with their places (and hosts), as
    ``selectors.applications.choices_of`` gives them. One query.
    """
    if application.call.status != CallStatus.RESULTS_PUBLISHED:
        return None
    deciding, got = _deciding(_chain(_runs_for(application)))
    if deciding is None:
        return None
    by_place = {str(c.place.uuid): c for c in choices}
    got_choice = by_place.get(got) if got else None
    declined = application.state in LEFT_STATES
    own = application.score
    return StudentResult(
        state=application.state,
        place=got_choice.place if got_choice else None,
        place_label=place_label(got_choice.place) if got_choice else "",
        rank=got_choice.rank if got_choice else None,
        declined=declined and got_choice is not None,
        can_decline=application.state == ApplicationState.PLACED,
        score=own,
        explanations=_explain(
            choices, got_choice.rank if got_choice else None, deciding["cutoffs"], own
        ),
        ineligible=[c for c in choices if c.eligible is False],
    )
