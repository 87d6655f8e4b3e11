"""Reads about journeys: the host's templates and cohort, and a newcomer's own journeys.

Staff reads take the host (``request.institution``) and run in its scope; a UUID that is not
the host's is 404. A newcomer's reads filter by ``newcomer=user`` across hosts (a newcomer
may have journeys at several), so nobody ever sees another person's journey.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from intercampus.institutions.models import Institution
from intercampus.onboarding.choices import (
    PHASE_ORDER,
    Phase,
    StepCategory,
    StepOwner,
    StepStatus,
    TargetGroup,
)
from intercampus.onboarding.clock import host_today
from intercampus.onboarding.models import Journey, JourneyStep, JourneyStepState, JourneyTemplate

FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)


# --- Templates ------------------------------------------------------------------------------


def templates_of(host: Institution) -> QuerySet[JourneyTemplate]:
    return (
        JourneyTemplate.objects.filter(institution=host)
        .annotate(
            n_steps=Count("steps", distinct=True), n_journeys=Count("journeys", distinct=True)
        )
        .order_by("target_group", "-active", "name")
    )


def get_template(host: Institution, template: uuid.UUID | str) -> JourneyTemplate:
    found = JourneyTemplate.objects.filter(institution=host, uuid=template).first()
    if found is None:
        raise Http404
    return found


def steps_of(template: JourneyTemplate) -> list[JourneyStep]:
    """The template's steps in the order of the journey: by phase, then position and offset."""
    steps = list(template.steps.all())
    return sorted(steps, key=lambda s: (s.phase_order, s.position, s.offset_days, s.pk))


def get_step(template: JourneyTemplate, step: uuid.UUID | str) -> JourneyStep:
    found = JourneyStep.objects.filter(template=template, uuid=step).first()
    if found is None:
        raise Http404
    return found


# --- The cohort -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortFilters:
    """What the dashboard and the API narrow the cohort down to."""

    phase: str = ""
    owner: str = ""
    category: str = ""
    target_group: str = ""
    # "", "behind" (a step is late), "on_track" (open, nothing late) or "complete".
    progress: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> CohortFilters:
        """Filters from a query string; unknown values are ignored rather than refused."""

        def pick(name: str, allowed: list[str]) -> str:
            value = (data.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            phase=pick("phase", Phase.values),
            owner=pick("owner", StepOwner.values),
            category=pick("category", StepCategory.values),
            target_group=pick("target_group", TargetGroup.values),
            progress=pick("progress", ["behind", "on_track", "complete"]),
            q=(data.get("q") or "").strip()[:100],
        )

    def step_q(self, prefix: str = "") -> Q:
        """The condition on step states that these filters count (phase, owner, category)."""
        condition = Q()
        if self.phase:
            condition &= Q(**{f"{prefix}step__phase": self.phase})
        if self.owner:
            condition &= Q(**{f"{prefix}step__owner_role": self.owner})
        if self.category:
            condition &= Q(**{f"{prefix}step__category": self.category})
        return condition

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _journey_q(host: Institution, filters: CohortFilters, prefix: str = "") -> Q:
    """The condition on journeys (reached through ``prefix``): the host, target group, search."""
    condition = Q(**{f"{prefix}institution": host})
    if filters.target_group:
        condition &= Q(**{f"{prefix}target_group": filters.target_group})
    if filters.q:
        words = Q()
        for name in ("newcomer__email", "newcomer__first_name", "newcomer__last_name"):
            words |= Q(**{f"{prefix}{name}__icontains": filters.q})
        condition &= words
    return condition


def _late_states(host: Institution, filters: CohortFilters, today: datetime.date):
    """The open, past-due states of the cohort's journeys, of the steps the filters count."""
    return JourneyStepState.objects.filter(
        _journey_q(host, filters, "journey__"),
        filters.step_q(),
        status=StepStatus.TODO,
        due_date__lt=today,
    )


def cohort(
    host: Institution, filters: CohortFilters, today: datetime.date | None = None
) -> QuerySet[Journey]:
    """The host's journeys with their progress over the steps the filters count:
    ``n_steps``, ``n_finished`` (done or skipped), ``n_late`` (open and past due) and
    ``next_due`` (the earliest open due date from today on); the ones behind first.
    Each journey carries ``late_states``: its late steps (with the step), earliest first."""
    today = today or host_today(host)
    steps = filters.step_q("states__")
    late = Q(states__status=StepStatus.TODO, states__due_date__lt=today)
    journeys = Journey.objects.filter(_journey_q(host, filters)).annotate(
        n_steps=Count("states", filter=steps),
        n_finished=Count("states", filter=steps & Q(states__status__in=FINISHED)),
        n_late=Count("states", filter=steps & late),
        next_due=Min(
            "states__due_date",
            filter=steps & Q(states__status=StepStatus.TODO, states__due_date__gte=today),
        ),
    )
    if filters.phase or filters.owner or filters.category:
        # A journey without any step of that kind has nothing to show.
        journeys = journeys.filter(n_steps__gt=0)
    if filters.progress == "behind":
        journeys = journeys.filter(n_late__gt=0)
    elif filters.progress == "on_track":
        journeys = journeys.filter(n_late=0, n_finished__lt=F("n_steps"))
    elif filters.progress == "complete":
        journeys = journeys.filter(n_finished=F("n_steps"))
    late_states = (
        JourneyStepState.objects.filter(status=StepStatus.TODO, due_date__lt=today)
        .filter(filters.step_q())
        .select_related("step")
        .order_by("due_date", "id")
    )
    return (
        journeys.select_related("newcomer")
        .prefetch_related(Prefetch("states", queryset=late_states, to_attr="late_states"))
        .order_by("-n_late", "anchor_date", "newcomer__last_name", "newcomer__email", "pk")
    )


@dataclass(frozen=True)
class CohortRow:
    """One journey of the cohort as plain values, for exports."""

    email: str
    given_name: str
    family_name: str
    target_group: str
    anchor_date: datetime.date
    n_steps: int
    n_finished: int
    n_late: int
    late_steps: list[tuple[str, datetime.date]]
    next_due: datetime.date | None


def cohort_rows(
    host: Institution, filters: CohortFilters, today: datetime.date | None = None
) -> list[CohortRow]:
    """The whole filtered cohort as values, in the dashboard's order: two queries, no model
    instances, so that exporting thousands of journeys stays quick."""
    today = today or host_today(host)
    journeys = cohort(host, filters, today).prefetch_related(None)
    late: dict[int, list[tuple[str, datetime.date]]] = {}
    late_states = (
        _late_states(host, filters, today)
        .order_by("due_date", "id")
        .values_list("journey_id", "step__title", "due_date")
    )
    for journey_id, title, due in late_states:
        late.setdefault(journey_id, []).append((title, due))
    columns = ("pk", "newcomer__email", "newcomer__first_name", "newcomer__last_name")
    columns += ("target_group", "anchor_date", "n_steps", "n_finished", "n_late", "next_due")
    return [
        CohortRow(
            email=email,
            given_name=given,
            family_name=family,
            target_group=group,
            anchor_date=anchor,
            n_steps=n_steps,
            n_finished=n_finished,
            n_late=n_late,
            late_steps=late.get(pk, []),
            next_due=next_due,
        )
        for pk, email, given, family, group, anchor, n_steps, n_finished, n_late, next_due in (
            journeys.values_list(*columns)
        )
    ]


@dataclass(frozen=True)
class StepBehind:
    """How many newcomers of the cohort are late on one step."""

    uuid: str
    title: str
    phase: str
    owner: str
    category: str
    count: int

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def owner_label(self) -> str:
        return str(StepOwner(self.owner).label)


@dataclass(frozen=True)
class CohortSummary:
    journeys: int
    behind: int
    complete: int
    by_step: list[StepBehind] = field(default_factory=list)


def cohort_summary(
    host: Institution, filters: CohortFilters, today: datetime.date | None = None
) -> CohortSummary:
    """Two queries: how many journeys, behind and complete; and how many are late per step.

    A journey with a late step is behind whatever the progress filter says, so the count per
    step needs only the target group and search filters (and the step filters)."""
    today = today or host_today(host)
    base = cohort(host, filters, today).order_by().prefetch_related(None)
    counts = base.aggregate(
        journeys=Count("pk"),
        behind=Count("pk", filter=Q(n_late__gt=0)),
        complete=Count("pk", filter=Q(n_steps__gt=0, n_finished=F("n_steps"))),
    )
    late = (
        _late_states(host, filters, today)
        .values("step__uuid", "step__title", "step__phase", "step__owner_role", "step__category")
        .annotate(n=Count("id"))
        .order_by("-n", "step__title")
    )
    by_step = [
        StepBehind(
            uuid=str(row["step__uuid"]),
            title=row["step__title"],
            phase=row["step__phase"],
            owner=row["step__owner_role"],
            category=row["step__category"],
            count=row["n"],
        )
        for row in late
    ]
    return CohortSummary(**counts, by_step=by_step)


def get_journey(host: Institution, journey: uuid.UUID | str) -> Journey:
    found = (
        Journey.objects.filter(institution=host, uuid=journey)
        .select_related("newcomer", "template", "institution")
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_state(journey: Journey, step: uuid.UUID | str) -> JourneyStepState:
    """The state of step ``step`` (the step's UUID) in ``journey``, or 404."""
    found = (
        JourneyStepState.objects.filter(journey=journey, step__uuid=step)
        .select_related("step", "journey__institution", "journey__newcomer")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- One journey as a timeline --------------------------------------------------------------


@dataclass
class StepLine:
    """A step of a journey as the newcomer and staff read it."""

    state: JourneyStepState
    late: bool
    next: bool = False

    @property
    def step(self) -> JourneyStep:
        return self.state.step


@dataclass
class PhaseLines:
    phase: str
    label: str
    lines: list[StepLine]

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.state.status in FINISHED)


@dataclass
class Timeline:
    """A journey by phase, in the phases' order, with what is due next and what is late."""

    journey: Journey
    today: datetime.date
    phases: list[PhaseLines]
    next: StepLine | None
    late: list[StepLine]
    reminders: list[StepLine]
    total: int
    finished: int

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


def timeline(journey: Journey, states: list[JourneyStepState] | None = None) -> Timeline:
    """``journey``'s steps by phase; ``states`` (with their steps) if already fetched."""
    today = host_today(journey.institution)
    if states is None:
        states = list(journey.states.select_related("step"))
    lines = [
        StepLine(state=s, late=s.status == StepStatus.TODO and s.due_date < today) for s in states
    ]
    lines.sort(
        key=lambda ln: (ln.step.phase_order, ln.state.due_date, ln.step.position, ln.state.pk)
    )
    upcoming = [
        ln for ln in lines if ln.state.status == StepStatus.TODO and ln.state.due_date >= today
    ]
    nxt = min(upcoming, key=lambda ln: (ln.state.due_date, ln.step.position), default=None)
    if nxt is not None:
        nxt.next = True
    phases = [
        PhaseLines(
            phase=p.value, label=str(p.label), lines=[ln for ln in lines if ln.step.phase == p]
        )
        for p in sorted(Phase, key=lambda p: PHASE_ORDER[p.value])
    ]
    reminders = [
        ln
        for ln in lines
        if ln.state.status == StepStatus.TODO
        and (ln.state.reminded_before_at or ln.state.reminded_late_at)
    ]
    return Timeline(
        journey=journey,
        today=today,
        phases=[p for p in phases if p.lines],
        next=nxt,
        late=[ln for ln in lines if ln.late],
        reminders=reminders,
        total=len(lines),
        finished=sum(1 for ln in lines if ln.state.status in FINISHED),
    )


# --- The newcomer's own ---------------------------------------------------------------------


def journeys_of(user: Any) -> list[Journey]:
    """The user's own journeys at every host, newest anchor first, with states and steps."""
    if not getattr(user, "is_authenticated", False):
        return []
    with scopes_disabled():
        states = JourneyStepState.objects.select_related("step")
        return list(
            Journey.objects.filter(newcomer=user)
            .select_related("institution", "template")
            .prefetch_related(Prefetch("states", queryset=states, to_attr="all_states"))
            .order_by("-anchor_date", "pk")
        )


def get_own_journey(user: Any, journey: uuid.UUID | str) -> Journey:
    with scopes_disabled():
        found = (
            Journey.objects.filter(newcomer=user, uuid=journey)
            .select_related("institution", "template", "newcomer")
            .first()
        )
    if found is None:
        raise Http404
    return found


def get_own_state(user: Any, journey: uuid.UUID | str, step: uuid.UUID | str) -> JourneyStepState:
    """A step state of one of ``user``'s own journeys, or 404."""
    with scopes_disabled():
        found = (
            JourneyStepState.objects.filter(
                journey__newcomer=user, journey__uuid=journey, step__uuid=step
            )
            .select_related("step", "journey__institution", "journey__newcomer")
            .first()
        )
    if found is None:
        raise Http404
    return found


def journey_of_nomination(host: Institution, nomination: uuid.UUID | str) -> Journey | None:
    """The arrival journey that accepting ``nomination`` started at ``host``, if any (its
    reference is the nomination's UUID), with ``buddy_signup_problem`` for the staff page."""
    return (
        Journey.objects.filter(institution=host, reference=str(nomination)).order_by("-pk").first()
    )
