"""Writes of the buddy programme: programmes, sign-ups of buddies and newcomers, matching runs,
accepting and declining matches, check-ins, and the buddy's certificate.

Matching is the pure module ``onboarding.matching``: ``matching_run`` builds its input from the
stored profiles (the languages spoken at B1 or better; dates as day numbers), keeps every
proposed and accepted pair fixed, so that late arrivals go into the capacity left and nobody
moves, and stores the new pairs with the parts of their score. A sign-up of a newcomer (or
buddy), a decline and the staff's request (page, API) queue a run for the task worker
(``match_buddies`` at the end of this module; never inside the web request, and at most one
waiting per programme); ``intercampus match_buddies`` runs it at once.

Every service is keyword-only, atomic, runs in the host's scope and writes an audit entry
(``onboarding.buddy_<thing>.<verb>``).
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled
from django_tasks import task

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.models import AuditEntry
from intercampus.core.notices import notify_person
from intercampus.core.services import ServiceError, audited_create, audited_update
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.onboarding import matching
from intercampus.onboarding.clock import host_today
from intercampus.onboarding.models import (
    BuddyMatch,
    BuddyProfile,
    BuddyProgramme,
    CheckIn,
    Journey,
    NewcomerProfile,
)
from intercampus.onboarding.models.buddies import (
    DECLINED_STATUSES,
    LIVE_STATUSES,
    MATCHING_LEVELS,
    MAX_CAPACITY,
    MIN_CAPACITY,
    CefrLevel,
    CheckInKind,
    MatchStatus,
)
from intercampus.onboarding.selectors import buddies as selectors

logger = logging.getLogger(__name__)

# The phases of a matching run, reported to ``progress``.
LOADING = "loading"
SOLVING = "solving"
STORING = "storing"

MAX_LANGUAGES = 10
MAX_INTERESTS = 20
MAX_INTEREST_CHOICES = 100
MAX_LABEL = 60
MAX_REASON = 1000
MAX_MINUTES = 24 * 60
# "en", "pt-br", "zh-hans": a BCP 47 language tag, lower case.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
# Languages of a newcomer with declined pairs are renamed "<tag>#<newcomer id>" (see
# _matching_input); no language tag contains "#".
_PRIVATE = "#"

# Runs that nobody asked for by hand: audited only when they make pairs.
AUTOMATIC_TRIGGERS = frozenset({"buddy_signup", "newcomer_signup", "decline"})

WEIGHT_FIELDS = (
    "weight_two_languages",
    "weight_one_language",
    "weight_faculty",
    "weight_interests",
    "weight_availability",
)
PROGRAMME_FIELDS = ("name", "campus", "description", "interest_choices", "active", *WEIGHT_FIELDS)


def current_time() -> datetime.datetime:
    """The clock (one seam, so that tests can set it)."""
    return timezone.now()


def my_buddy_url() -> str:
    """The student's buddy page, for notices (``/me/buddy/`` once the lead has wired it)."""
    try:
        return reverse("buddy:home")
    except NoReverseMatch:
        return "/me/buddy/"


# --- Checking input -------------------------------------------------------------------------


def clean_languages(value: Mapping[str, Any]) -> dict[str, str]:
    """``{tag: CEFR level}`` with tags in lower case; at least one at B1 or better, since
    only those count for matching. Raises ValidationError on ``languages``."""
    if not isinstance(value, Mapping):
        raise ValidationError({"languages": _("Give languages as language code: CEFR level.")})
    cleaned: dict[str, str] = {}
    for raw_tag, raw_level in value.items():
        tag = str(raw_tag).strip().lower().replace("_", "-")
        level = str(raw_level).strip().upper()
        if not LANGUAGE_TAG.match(tag):
            raise ValidationError(
                {
                    "languages": _("“{tag}” is not a language code such as en or pt-br.").format(
                        tag=raw_tag
                    )
                }
            )
        if level not in CefrLevel.values:
            raise ValidationError(
                {
                    "languages": _(
                        "“{level}” is not a CEFR level (A1 to C2, or NS for a native speaker)."
                    ).format(level=raw_level)
                }
            )
        cleaned[tag] = level
    if len(cleaned) > MAX_LANGUAGES:
        raise ValidationError({"languages": _("At most {n} languages.").format(n=MAX_LANGUAGES)})
    if not any(level in MATCHING_LEVELS for level in cleaned.values()):
        raise ValidationError(
            {
                "languages": _(
                    "Name at least one language you speak at B1 or better: only those count "
                    "for matching."
                )
            }
        )
    return dict(sorted(cleaned.items()))


def normalise_label(value: Any) -> str:
    """An interest or faculty label as compared: single spaces, lower case."""
    return " ".join(str(value).split()).lower()


def clean_interest_choices(values: Iterable[Any]) -> list[str]:
    labels = sorted({normalise_label(v) for v in values if str(v).strip()})
    if len(labels) > MAX_INTEREST_CHOICES:
        raise ValidationError(
            {"interest_choices": _("At most {n} interests.").format(n=MAX_INTEREST_CHOICES)}
        )
    if any(len(label) > MAX_LABEL for label in labels):
        raise ValidationError(
            {"interest_choices": _("Each interest has at most {n} characters.").format(n=MAX_LABEL)}
        )
    return labels


def clean_interests(programme: BuddyProgramme, values: Iterable[Any]) -> list[str]:
    """Interests in lower case, from the programme's list when it has one."""
    labels = sorted({normalise_label(v) for v in values if str(v).strip()})
    if len(labels) > MAX_INTERESTS:
        raise ValidationError({"interests": _("At most {n} interests.").format(n=MAX_INTERESTS)})
    if any(len(label) > MAX_LABEL for label in labels):
        raise ValidationError(
            {"interests": _("Each interest has at most {n} characters.").format(n=MAX_LABEL)}
        )
    if programme.interest_choices:
        unknown = sorted(set(labels) - set(programme.interest_choices))
        if unknown:
            raise ValidationError(
                {
                    "interests": _("Choose from the programme's interests; not: {unknown}.").format(
                        unknown=", ".join(unknown)
                    )
                }
            )
    return labels


def _check_faculty(programme: BuddyProgramme, faculty: OrganisationalUnit | None) -> None:
    if faculty is not None and faculty.institution_id != programme.institution_id:
        raise ValidationError({"faculty": _("Choose one of the host's faculties.")})


# --- Programmes -----------------------------------------------------------------------------


def _programme_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    if "interest_choices" in fields:
        fields["interest_choices"] = clean_interest_choices(fields["interest_choices"] or [])
    return fields


def programme_create(
    *, actor: Any, institution: Institution, name: str, **fields: Any
) -> BuddyProgramme:
    """Create a buddy programme of ``institution``; ``fields`` among PROGRAMME_FIELDS (the
    weights default to 40/35/20/25/15). Raises ValidationError by field."""
    fields = _programme_fields(fields)
    with transaction.atomic(), scope(institution=institution):
        if BuddyProgramme.objects.filter(institution=institution, name=name).exists():
            raise ValidationError({"name": _("You already have a programme of this name.")})
        return audited_create(
            actor=actor,
            model=BuddyProgramme,
            action="onboarding.buddy_programme.created",
            institution=institution,
            name=name,
            **fields,
        )


def programme_update(*, actor: Any, programme: BuddyProgramme, **fields: Any) -> BuddyProgramme:
    """Change a programme (name, campus, interests, weights, active). New weights apply to the
    next matching run; pairs already made keep their score."""
    fields = _programme_fields(fields)
    with transaction.atomic(), scope(institution=programme.institution):
        name = fields.get("name", programme.name)
        clash = BuddyProgramme.objects.filter(institution=programme.institution, name=name)
        if clash.exclude(pk=programme.pk).exists():
            raise ValidationError({"name": _("You already have a programme of this name.")})
        return audited_update(
            actor=actor, obj=programme, action="onboarding.buddy_programme.updated", **fields
        )


# --- Sign-ups -------------------------------------------------------------------------------


def _check_open(programme: BuddyProgramme) -> None:
    if not programme.active:
        raise ServiceError(_("This programme is closed to sign-ups."), status=409)


def _participant_fields(
    programme: BuddyProgramme,
    languages: Mapping[str, Any],
    faculty: OrganisationalUnit | None,
    faculty_label: str,
    interests: Iterable[Any],
) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    fields: dict[str, Any] = {"faculty": faculty, "faculty_label": " ".join(faculty_label.split())}
    for name, check in (
        ("languages", lambda: clean_languages(languages)),
        ("interests", lambda: clean_interests(programme, interests)),
        ("faculty", lambda: _check_faculty(programme, faculty)),
    ):
        try:
            value = check()
        except ValidationError as error:
            problems.update(error.message_dict)
        else:
            if name != "faculty":
                fields[name] = value
    if len(fields["faculty_label"]) > 200:
        problems["faculty_label"] = [_("At most 200 characters.")]
    if problems:
        raise ValidationError(problems)
    return fields


def _save_profile(
    *, actor: Any, model: type, programme: BuddyProgramme, what: str, fields: dict[str, Any]
) -> tuple[Any, bool]:
    """Create the actor's profile in ``programme``, or update the one they have."""
    existing = model.objects.select_for_update().filter(programme=programme, user=actor).first()
    if existing is None:
        profile = audited_create(
            actor=actor,
            model=model,
            action=f"onboarding.{what}.signed_up",
            programme=programme,
            user=actor,
            **fields,
        )
        return profile, True
    profile = audited_update(
        actor=actor, obj=existing, action=f"onboarding.{what}.updated", **fields
    )
    return profile, False


def buddy_signup(
    *,
    actor: Any,
    programme: BuddyProgramme,
    languages: Mapping[str, Any],
    available_from: datetime.date,
    available_to: datetime.date,
    capacity: int,
    faculty: OrganisationalUnit | None = None,
    faculty_label: str = "",
    interests: Iterable[Any] = (),
    active: bool = True,
) -> tuple[BuddyProfile, bool]:
    """Sign ``actor`` up as a buddy in ``programme``, or update their buddy profile there.
    Returns the profile and whether it is new. Matching runs once committed.

    Raises ServiceError (409 closed programme, 403 not a local student, 409 already a
    newcomer there) or ValidationError by field (languages, CEFR levels, capacity 1-5,
    an availability window that ends before it starts)."""
    host = programme.institution
    _check_open(programme)
    if not selectors.can_be_buddy(actor, host):
        raise ServiceError(
            _("Only students of {host} can be buddies in its programmes.").format(
                host=host.display_name
            ),
            status=403,
        )
    fields = _participant_fields(programme, languages, faculty, faculty_label, interests)
    problems: dict[str, list[str]] = {}
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        problems["capacity"] = [_("Enter a whole number.")]
    elif not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        problems["capacity"] = [
            _("Choose from {low} to {high} newcomers.").format(low=MIN_CAPACITY, high=MAX_CAPACITY)
        ]
    if available_from and available_to and available_to < available_from:
        problems["available_to"] = [_("The availability must end on or after its start.")]
    if problems:
        raise ValidationError(problems)
    fields.update(
        available_from=available_from,
        available_to=available_to,
        capacity=capacity,
        active=bool(active),
    )
    with transaction.atomic(), scope(institution=host):
        if NewcomerProfile.objects.filter(programme=programme, user=actor).exists():
            raise ServiceError(
                _("You signed up as a newcomer in this programme: you cannot be a buddy in it."),
                status=409,
            )
        profile, created = _save_profile(
            actor=actor, model=BuddyProfile, programme=programme, what="buddy", fields=fields
        )
        if profile.active:
            match_after_commit(programme=programme, actor=actor, trigger="buddy_signup")
        return profile, created


def _own_journey(actor: Any, host: Institution, journey: Journey | None) -> Journey | None:
    if journey is not None:
        if journey.newcomer_id != actor.pk or journey.institution_id != host.pk:
            raise ValidationError({"journey": _("Choose one of your own journeys at this host.")})
        return journey
    return Journey.objects.filter(institution=host, newcomer=actor).order_by("-anchor_date").first()


def newcomer_signup(
    *,
    actor: Any,
    programme: BuddyProgramme,
    languages: Mapping[str, Any],
    arrival_date: datetime.date | None = None,
    faculty: OrganisationalUnit | None = None,
    faculty_label: str = "",
    interests: Iterable[Any] = (),
    journey: Journey | None = None,
) -> tuple[NewcomerProfile, bool]:
    """Sign ``actor`` up as a newcomer in ``programme`` (or update their profile), linked to
    their arrival journey at the host; the arrival date defaults to the journey's anchor.
    Returns the profile and whether it is new. A newcomer without a buddy is matched once
    committed (before they arrive).

    Raises ServiceError (409 closed, 403 not accepted by the host, 409 already a buddy
    there) or ValidationError by field."""
    host = programme.institution
    _check_open(programme)
    if not selectors.can_be_newcomer(actor, host):
        raise ServiceError(
            _("Only newcomers accepted by {host} can sign up for a buddy there.").format(
                host=host.display_name
            ),
            status=403,
        )
    fields = _participant_fields(programme, languages, faculty, faculty_label, interests)
    with transaction.atomic(), scope(institution=host):
        linked = _own_journey(actor, host, journey)
        arrival = arrival_date or (linked.anchor_date if linked else None)
        if arrival is None:
            raise ValidationError({"arrival_date": _("Enter your arrival date.")})
        if BuddyProfile.objects.filter(programme=programme, user=actor).exists():
            raise ServiceError(
                _("You are a buddy in this programme: you cannot sign up as a newcomer in it."),
                status=409,
            )
        fields.update(arrival_date=arrival, journey=linked)
        profile, created = _save_profile(
            actor=actor,
            model=NewcomerProfile,
            programme=programme,
            what="buddy_newcomer",
            fields=fields,
        )
        if linked is not None and linked.buddy_signup_problem:
            Journey.objects.filter(pk=linked.pk).update(buddy_signup_problem="")
        waiting = not BuddyMatch.objects.filter(
            newcomer=profile, status__in=[*LIVE_STATUSES, MatchStatus.ENDED]
        ).exists()
        if waiting:
            match_after_commit(programme=programme, actor=actor, trigger="newcomer_signup")
        return profile, created


# --- Matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingStats:
    """What one matching run did."""

    run: uuid.UUID
    algorithm_version: str
    waiting: int  # newcomers without a buddy before the run
    matched: int  # of them, matched now
    unmatched: int  # still without a buddy: no capacity left or no shared language
    kept: int  # proposed and accepted pairs, kept as they were
    buddies: int
    capacity_left: int  # slots of active buddies still free after the run
    total_score: int  # of the pairs made now

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["run"] = str(self.run)
        return data


def _as_newcomer(profile: NewcomerProfile) -> matching.Newcomer:
    return matching.Newcomer(
        id=profile.pk,
        langs=profile.matching_languages,
        faculty=profile.faculty_key,
        interests=frozenset(profile.interests or ()),
        arrival=profile.arrival_date.toordinal(),
    )


def _as_buddy(profile: BuddyProfile, capacity: int) -> matching.Buddy:
    return matching.Buddy(
        id=profile.pk,
        capacity=capacity,
        langs=profile.matching_languages,
        faculty=profile.faculty_key,
        interests=frozenset(profile.interests or ()),
        avail_from=profile.available_from.toordinal(),
        avail_to=profile.available_to.toordinal(),
    )


def _matching_input(
    newcomers: list[matching.Newcomer],
    buddies: list[matching.Buddy],
    declined: Mapping[int, set[int]],
) -> tuple[list[matching.Newcomer], list[matching.Buddy]]:
    """The input with declined pairs forbidden.

    The pure module allows a pair when both share a language; it knows no forbidden pairs.
    A newcomer with declined pairs gets private copies of their languages ("en#12"), which
    every buddy except the declined ones also receives for the languages they share: the
    same number of shared languages (so the same score) with everyone else, none with them.
    """
    extra: dict[Any, set[str]] = defaultdict(set)
    out_newcomers = []
    for n in newcomers:
        avoid = declined.get(n.id)
        if not avoid:
            out_newcomers.append(n)
            continue
        private = {lang: f"{lang}{_PRIVATE}{n.id}" for lang in n.langs}
        for b in buddies:
            if b.id not in avoid:
                extra[b.id].update(private[lang] for lang in n.langs & b.langs)
        out_newcomers.append(
            matching.Newcomer(n.id, frozenset(private.values()), n.faculty, n.interests, n.arrival)
        )
    out_buddies = [
        matching.Buddy(
            b.id,
            b.capacity,
            b.langs | extra[b.id],
            b.faculty,
            b.interests,
            b.avail_from,
            b.avail_to,
        )
        if extra.get(b.id)
        else b
        for b in buddies
    ]
    return out_newcomers, out_buddies


@dataclass
class _Loaded:
    fixed: dict[int, int]
    waiting: list[NewcomerProfile]
    buddies: list[BuddyProfile]
    declined: dict[int, set[int]]


def _load(programme: BuddyProgramme) -> _Loaded:
    live = BuddyMatch.objects.filter(programme=programme, status__in=LIVE_STATUSES)
    fixed = dict(live.values_list("newcomer_id", "buddy_id"))
    ended = BuddyMatch.objects.filter(programme=programme, status=MatchStatus.ENDED)
    waiting = list(
        NewcomerProfile.objects.filter(programme=programme)
        .exclude(pk__in=live.values("newcomer_id"))
        .exclude(pk__in=ended.values("newcomer_id"))
        .select_related("faculty")
        .order_by("pk")
    )
    # Inactive buddies take nobody new, but keep the pairs they have.
    buddies = list(
        BuddyProfile.objects.filter(programme=programme)
        .filter(Q(active=True) | Q(pk__in=set(fixed.values())))
        .order_by("pk")
    )
    declined: dict[int, set[int]] = defaultdict(set)
    waiting_ids = {n.pk for n in waiting}
    for nid, bid in BuddyMatch.objects.filter(
        programme=programme, status__in=DECLINED_STATUSES
    ).values_list("newcomer_id", "buddy_id"):
        if nid in waiting_ids:
            declined[nid].add(bid)
    return _Loaded(fixed=fixed, waiting=waiting, buddies=buddies, declined=declined)


def matching_run(
    *,
    actor: Any,
    programme: BuddyProgramme,
    trigger: str = "staff",
    progress: Callable[[str], None] | None = None,
) -> MatchingStats:
    """Match the programme's newcomers who have no buddy into the capacity left.

    Proposed and accepted pairs are kept as they are (they take their buddy's capacity
    first); a newcomer never gets a buddy they declined or who declined them; newcomers whose
    match ended are done. The new pairs are stored as proposed with their score's parts and
    audited, and both people are told. ``progress`` hears LOADING, SOLVING and STORING.
    Raises ServiceError (409) when the programme is not active.
    """
    report = progress or (lambda phase: None)
    host = programme.institution
    with transaction.atomic(), scope(institution=host):
        # One run at a time per programme: the capacity is what runs consume.
        programme = BuddyProgramme.objects.select_for_update().get(pk=programme.pk)
        if not programme.active:
            raise ServiceError(
                _("The programme is not active: activate it to run matching."), status=409
            )
        # This run matches everyone waiting: a run queued before it has nothing left to do
        # but may still run; a sign-up from now on queues a new one.
        if programme.matching_queued_at is not None:
            programme.matching_queued_at = None
            programme.save(update_fields=["matching_queued_at"])
        report(LOADING)
        loaded = _load(programme)
        weights = programme.weights
        newcomers = [_as_newcomer(n) for n in loaded.waiting]
        buddies = [_as_buddy(b, b.capacity if b.active else 0) for b in loaded.buddies]
        report(SOLVING)
        solve_n, solve_b = _matching_input(newcomers, buddies, loaded.declined)
        result = matching.match(solve_n, solve_b, weights, loaded.fixed)
        report(STORING)
        plain_n = {n.id: n for n in newcomers}
        plain_b = {b.id: b for b in buddies}
        pairs = [
            (nid, result.assignment[nid])
            for nid in plain_n
            if result.assignment.get(nid) is not None
        ]
        run = uuid.uuid4()
        now = current_time()
        created = _store(
            programme, pairs, plain_n, plain_b, weights, run, now, result.algorithm_version
        )
        used = len(loaded.fixed) + len(created)
        capacity = sum(b.capacity for b in buddies)
        stats = MatchingStats(
            run=run,
            algorithm_version=result.algorithm_version,
            waiting=len(newcomers),
            matched=len(created),
            unmatched=len(newcomers) - len(created),
            kept=len(loaded.fixed),
            buddies=sum(1 for b in loaded.buddies if b.active),
            capacity_left=max(0, capacity - used),
            total_score=sum(m.total for m in created),
        )
        _audit_run(actor, programme, created, stats, trigger)
        _tell_matched(created)
        return stats


def _store(
    programme: BuddyProgramme,
    pairs: list[tuple[int, int]],
    newcomers: Mapping[int, matching.Newcomer],
    buddies: Mapping[int, matching.Buddy],
    weights: matching.Weights,
    run: uuid.UUID,
    now: datetime.datetime,
    version: str,
) -> list[BuddyMatch]:
    rows = []
    for nid, bid in pairs:
        score = matching.compatibility(newcomers[nid], buddies[bid], weights)
        rows.append(
            BuddyMatch(
                programme=programme,
                newcomer_id=nid,
                buddy_id=bid,
                status=MatchStatus.PROPOSED,
                score={
                    "languages": score.languages,
                    "faculty": score.faculty,
                    "interests": score.interests,
                    "availability": score.availability,
                    "total": score.total,
                },
                shared_languages=list(score.shared_languages),
                shared_interests=[str(i) for i in score.shared_interests],
                matched_at=now,
                run=run,
                algorithm_version=version,
            )
        )
    BuddyMatch.objects.bulk_create(rows)
    if rows and rows[0].pk is None:  # a database that returns no ids from a bulk insert
        return list(
            BuddyMatch.objects.filter(programme=programme, run=run).select_related(
                "buddy__user", "newcomer__user"
            )
        )
    return list(
        BuddyMatch.objects.filter(pk__in=[r.pk for r in rows]).select_related(
            "buddy__user", "newcomer__user"
        )
    )


def _audit_run(
    actor: Any,
    programme: BuddyProgramme,
    created: list[BuddyMatch],
    stats: MatchingStats,
    trigger: str,
) -> None:
    """One entry per new pair (personal data) and one for the run."""
    who = actor if getattr(actor, "is_authenticated", False) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=who,
                action="onboarding.buddy_match.proposed",
                institution=programme.institution,
                object_type=BuddyMatch._meta.label_lower,
                object_id=str(m.pk),
                object_repr=str(m)[:300],
                after=snapshot(m),
            )
            for m in created
        ]
    )
    if not created and trigger in AUTOMATIC_TRIGGERS:
        return  # an automatic run that changed nothing leaves no trace
    audit_log(
        actor=actor,
        action="onboarding.buddy_matching.ran",
        obj=programme,
        after={**stats.as_dict(), "trigger": trigger},
        institution=programme.institution,
    )


def _tell_matched(created: list[BuddyMatch]) -> None:
    link = my_buddy_url()
    for m in created:
        buddy, newcomer = m.buddy.user, m.newcomer.user
        notify_person(
            user=newcomer,
            kind="onboarding.buddy_match.proposed",
            message=gettext_noop("You have a buddy: {name}. See why we matched you, and accept."),
            params={"name": buddy.get_full_name() or buddy.email},
            link=link,
            email_subject=gettext_noop("You have a buddy"),
        )
        notify_person(
            user=buddy,
            kind="onboarding.buddy_match.proposed",
            message=gettext_noop(
                "A newcomer is matched with you: {name}. Please accept or decline."
            ),
            params={"name": newcomer.get_full_name() or newcomer.email},
            link=link,
            email_subject=gettext_noop("A newcomer is matched with you"),
        )


# A queued run not started after this long is taken as lost (the worker was down, or the
# queue refused it): the next sign-up queues another.
QUEUED_RUN_EXPIRES = datetime.timedelta(hours=1)


def match_after_commit(*, programme: BuddyProgramme, actor: Any, trigger: str) -> None:
    """Queue a matching run of ``programme`` for the task worker once the current transaction
    commits (at once when there is none): matching never runs inside a web request.

    At most one run waits per programme: it matches everyone waiting when it starts, so a
    sign-up committed while one waits queues nothing more. ``matching_run`` clears the mark
    under the programme's row lock, so that a sign-up it may have missed queues a new run."""
    programme_uuid = str(programme.uuid)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None

    def queue() -> None:
        if _mark_queued(programme_uuid):
            _enqueue_matching(programme_uuid, actor_id, trigger)

    transaction.on_commit(queue)


def matching_request(*, actor: Any, programme: BuddyProgramme) -> None:
    """Staff ask for a matching run now (the staff page, the API): it is queued for the task
    worker like the runs sign-ups queue (one waiting per programme), and audited. Raises
    ServiceError (409) when the programme is not active."""
    with transaction.atomic(), scope(institution=programme.institution):
        if not programme.active:
            raise ServiceError(
                _("The programme is not active: activate it to run matching."), status=409
            )
        audit_log(
            actor=actor,
            action="onboarding.buddy_matching.requested",
            obj=programme,
            institution=programme.institution,
        )
        match_after_commit(programme=programme, actor=actor, trigger="staff")


def _mark_queued(programme_uuid: str) -> bool:
    """Mark the programme as having a run queued; False when one waits already (and has not
    been waiting too long to be trusted). A run in progress holds the row: the request does
    not wait for it, and queues a run to follow it."""
    now = current_time()
    with transaction.atomic(), scopes_disabled():
        found = BuddyProgramme.objects.filter(uuid=programme_uuid)
        if connection.features.has_select_for_update_skip_locked:
            found = found.select_for_update(skip_locked=True)
        else:
            found = found.select_for_update()
        row = found.values_list("pk", "matching_queued_at").first()
        if row is None:
            return True  # being matched right now (or deleted): the worker sorts it out
        pk, waiting = row
        if waiting is not None and now - waiting < QUEUED_RUN_EXPIRES:
            return False
        BuddyProgramme.objects.filter(pk=pk).update(matching_queued_at=now)
        return True


def _enqueue_matching(programme_uuid: str, actor_id: int | None, trigger: str) -> None:
    try:
        match_buddies.enqueue(programme_uuid, actor_id, trigger)
    except Exception:  # noqa: BLE001 - any failure of the queue; the sign-up has committed
        # Logged for the operator; the next sign-up (or the staff's "run matching") retries.
        logger.exception("Could not queue buddy matching of programme %s", programme_uuid)
        with scopes_disabled():
            BuddyProgramme.objects.filter(uuid=programme_uuid).update(matching_queued_at=None)


def _clear_queued(programme: BuddyProgramme) -> None:
    with scope(institution=programme.institution):
        BuddyProgramme.objects.filter(pk=programme.pk).update(matching_queued_at=None)


def matching_run_queued(
    *, programme_uuid: str, actor_id: int | None, trigger: str
) -> dict[str, Any]:
    """The task worker's side of ``match_after_commit``: run matching for the programme (a
    closed programme is skipped). Returns the run's figures. A failure is logged and
    raised (the task is recorded as failed); the next sign-up queues a new run."""
    from intercampus.accounts.models import User

    # A task runs outside any request scope: it finds its programme by the id it was queued
    # with, then works inside that programme's institution.
    with scopes_disabled():
        programme = (
            BuddyProgramme.objects.select_related("institution").filter(uuid=programme_uuid).first()
        )
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if programme is None:
        return {"skipped": "programme deleted"}
    if not programme.active:
        _clear_queued(programme)
        return {"skipped": "programme closed"}
    try:
        stats = matching_run(actor=actor, programme=programme, trigger=trigger)
    except Exception:
        logger.exception("Buddy matching of programme %s failed", programme_uuid)
        _clear_queued(programme)
        raise
    return stats.as_dict()


# --- Accepting, declining, ending -----------------------------------------------------------


def side_of(actor: Any, match: BuddyMatch) -> str | None:
    """ "buddy" or "newcomer": which side of ``match`` the actor is on, else None."""
    if getattr(actor, "pk", None) is None:
        return None
    if match.buddy.user_id == actor.pk:
        return "buddy"
    if match.newcomer.user_id == actor.pk:
        return "newcomer"
    return None


def _locked(match: BuddyMatch) -> BuddyMatch:
    return (
        BuddyMatch.objects.select_for_update()
        .select_related("programme__institution", "buddy__user", "newcomer__user")
        .get(pk=match.pk)
    )


def _not_yours() -> ServiceError:
    return ServiceError(_("Only the buddy and the newcomer of a match can do this."), status=403)


def match_accept(*, actor: Any, match: BuddyMatch) -> BuddyMatch:
    """The buddy or the newcomer accepts a proposed match; once both have, it is accepted.
    Accepting twice changes nothing. Raises ServiceError (403 not theirs, 409 not proposed)."""
    with transaction.atomic(), scope(institution=match.programme.institution):
        locked = _locked(match)
        side = side_of(actor, locked)
        if side is None:
            raise _not_yours()
        if locked.status == MatchStatus.ACCEPTED:
            return locked
        if locked.status != MatchStatus.PROPOSED:
            raise ServiceError(
                _("This match is {status}: it cannot be accepted.").format(
                    status=locked.get_status_display().lower()
                ),
                status=409,
            )
        before = snapshot(locked)
        now = current_time()
        setattr(locked, f"{side}_accepted_at", now)
        if locked.buddy_accepted_at and locked.newcomer_accepted_at:
            locked.status = MatchStatus.ACCEPTED
            locked.responded_at = now
        locked.save()
        audit_log(
            actor=actor,
            action="onboarding.buddy_match.accepted",
            obj=locked,
            before=before,
            after=snapshot(locked),
            institution=locked.programme.institution,
        )
        other = locked.newcomer.user if side == "buddy" else locked.buddy.user
        notify_person(
            user=other,
            kind="onboarding.buddy_match.accepted",
            message=gettext_noop("{name} accepted your buddy match."),
            params={"name": actor.get_full_name() or actor.email},
            link=my_buddy_url(),
        )
        return locked


def match_decline(*, actor: Any, match: BuddyMatch, reason: str = "") -> BuddyMatch:
    """The buddy or the newcomer declines a proposed or accepted match, with a reason. The
    slot is freed and matching runs again once committed: that newcomer (and whoever can use
    the freed slot) is matched anew, never with each other again; no other pair moves.
    Raises ServiceError (403 not theirs, 409 no longer live) or ValidationError (reason)."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most {n} characters.").format(n=MAX_REASON)})
    with transaction.atomic(), scope(institution=match.programme.institution):
        locked = _locked(match)
        side = side_of(actor, locked)
        if side is None:
            raise _not_yours()
        if locked.status not in LIVE_STATUSES:
            raise ServiceError(
                _("This match is {status} already.").format(
                    status=locked.get_status_display().lower()
                ),
                status=409,
            )
        before = snapshot(locked)
        locked.status = (
            MatchStatus.DECLINED_BY_BUDDY if side == "buddy" else MatchStatus.DECLINED_BY_NEWCOMER
        )
        locked.responded_at = current_time()
        locked.declined_reason = reason
        locked.save()
        audit_log(
            actor=actor,
            action="onboarding.buddy_match.declined",
            obj=locked,
            before=before,
            after=snapshot(locked),
            institution=locked.programme.institution,
        )
        other = locked.newcomer.user if side == "buddy" else locked.buddy.user
        notify_person(
            user=other,
            kind="onboarding.buddy_match.declined",
            message=(
                gettext_noop("Your buddy match was declined; we look for another match.")
                if side == "buddy"
                else gettext_noop("The newcomer declined the buddy match; your slot is free again.")
            ),
            link=my_buddy_url(),
        )
        match_after_commit(programme=locked.programme, actor=actor, trigger="decline")
        return locked


def match_end(*, actor: Any, match: BuddyMatch) -> BuddyMatch:
    """Staff end a live match (the programme is over for this pair): the buddy's slot is freed
    and the newcomer counts as helped. Raises ServiceError (409) when it is not live."""
    with transaction.atomic(), scope(institution=match.programme.institution):
        locked = _locked(match)
        if locked.status not in LIVE_STATUSES:
            raise ServiceError(_("Only a proposed or accepted match can end."), status=409)
        return audited_update(
            actor=actor,
            obj=locked,
            action="onboarding.buddy_match.ended",
            status=MatchStatus.ENDED,
            responded_at=locked.responded_at or current_time(),
        )


# --- Check-ins and the certificate ----------------------------------------------------------


def checkin_add(
    *,
    actor: Any,
    match: BuddyMatch,
    date: datetime.date,
    kind: str,
    minutes: int = 0,
    note: str = "",
) -> CheckIn:
    """The buddy logs time spent with their newcomer on an accepted match.
    Raises ServiceError (403 not the buddy, 409 not accepted) or ValidationError by field."""
    host = match.programme.institution
    with transaction.atomic(), scope(institution=host):
        locked = _locked(match)
        if side_of(actor, locked) != "buddy":
            raise ServiceError(_("Only the buddy logs check-ins."), status=403)
        if locked.status != MatchStatus.ACCEPTED:
            raise ServiceError(
                _("Check-ins are logged once you both have accepted the match."), status=409
            )
        problems: dict[str, list[str]] = {}
        if kind not in CheckInKind.values:
            problems["kind"] = [_("Choose a kind of check-in.")]
        if date > host_today(host, current_time()):
            problems["date"] = [_("The date cannot be in the future.")]
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not (0 <= minutes <= MAX_MINUTES)
        ):
            problems["minutes"] = [_("Enter minutes from 0 to {n}.").format(n=MAX_MINUTES)]
        if problems:
            raise ValidationError(problems)
        return audited_create(
            actor=actor,
            model=CheckIn,
            action="onboarding.buddy_checkin.added",
            match=locked,
            by=actor,
            date=date,
            kind=kind,
            minutes=minutes,
            note=(note or "").strip(),
        )


class CertificateUnavailable(ServiceError):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""


def render_pdf(html: str) -> bytes:
    """A PDF of ``html`` with WeasyPrint, imported here: it loads Pango when imported."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        logger.error("WeasyPrint cannot be loaded: %s", error)
        raise CertificateUnavailable(
            _("Certificates cannot be made on this server right now."), status=503
        ) from error
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def certificate_pdf(*, profile: BuddyProfile, language: str | None = None) -> bytes:
    """The buddy's certificate of activity as PDF bytes: their name, the programme and host,
    how many newcomers they helped, their check-ins and minutes, and the dates. Raises
    ServiceError (409) before a first accepted match, CertificateUnavailable (503)."""
    activity = selectors.buddy_activity(profile)
    if activity.newcomers_helped == 0:
        raise ServiceError(
            _("Your certificate is ready once you have accepted a first newcomer."), status=409
        )
    host = profile.programme.institution
    with translation.override(language or translation.get_language()):
        html = render_to_string(
            "onboarding/buddies/certificate.html",
            {
                "profile": profile,
                "programme": profile.programme,
                "institution": host,
                "activity": activity,
                "issued": host_today(host, current_time()),
            },
        )
    return render_pdf(html)


# --- Background work (run by ``intercampus worker``; beside the service that queues it, so
# that it need not import ``onboarding.tasks`` back) -------------------------------------------


@task()
def match_buddies(programme_uuid: str, actor_id: int | None, trigger: str) -> dict[str, object]:
    """Match the programme's waiting newcomers; queued by sign-ups and declines
    (``match_after_commit``). Returns the run's figures."""
    return matching_run_queued(programme_uuid=programme_uuid, actor_id=actor_id, trigger=trigger)
