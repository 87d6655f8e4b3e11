"""Reads of the buddy programme: the host's programmes, buddies, newcomers and matches with
their KPIs; a student's own profiles and matches; who may sign up where; and why a pair
was matched, in plain words.

Staff reads take the host (``request.institution``) and run in its scope; a UUID that is not
the host's is 404. A student's reads filter by ``user`` across hosts (scopes disabled, the
user filter is the rule), and prefetch what pages show so that nothing is read unscoped later.
"""

from __future__ import annotations

import datetime
import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import formats
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role
from intercampus.institutions.models import Institution
from intercampus.onboarding.choices import JourneySource
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
    HELD_STATUSES,
    LIVE_STATUSES,
    MatchStatus,
)

BUDDY_ROLES = (RoleKind.STUDENT, RoleKind.BUDDY)


# --- Who may sign up where ------------------------------------------------------------------


def can_be_buddy(user: Any, host: Institution) -> bool:
    """Local students (a student or buddy role at the host) volunteer as buddies."""
    if not getattr(user, "is_authenticated", False):
        return False
    with scope(institution=host):
        return Role.objects.filter(user=user, institution=host, kind__in=BUDDY_ROLES).exists()


def can_be_newcomer(user: Any, host: Institution) -> bool:
    """Newcomers the host accepted (they have an arrival journey there) and its students."""
    if not getattr(user, "is_authenticated", False):
        return False
    with scope(institution=host):
        return (
            Journey.objects.filter(institution=host, newcomer=user).exists()
            or Role.objects.filter(user=user, institution=host, kind=RoleKind.STUDENT).exists()
        )


def _buddy_hosts(user: Any) -> set[int]:
    with scopes_disabled():
        return set(
            Role.objects.filter(user=user, kind__in=BUDDY_ROLES).values_list(
                "institution_id", flat=True
            )
        )


def _newcomer_hosts(user: Any) -> set[int]:
    with scopes_disabled():
        journeys = Journey.objects.filter(newcomer=user).values_list("institution_id", flat=True)
        roles = Role.objects.filter(user=user, kind=RoleKind.STUDENT).values_list(
            "institution_id", flat=True
        )
        return set(journeys) | set(roles)


@dataclass(frozen=True)
class OpenProgrammes:
    as_buddy: list[BuddyProgramme]
    as_newcomer: list[BuddyProgramme]


def programmes_open_to(user: Any) -> OpenProgrammes:
    """The active programmes ``user`` may sign up for, as a buddy and as a newcomer."""
    if not getattr(user, "is_authenticated", False):
        return OpenProgrammes([], [])
    buddy_hosts, newcomer_hosts = _buddy_hosts(user), _newcomer_hosts(user)
    with scopes_disabled():
        active = list(
            BuddyProgramme.objects.filter(
                active=True, institution_id__in=buddy_hosts | newcomer_hosts
            )
            .select_related("institution")
            .order_by("institution__name", "name")
        )
    return OpenProgrammes(
        as_buddy=[p for p in active if p.institution_id in buddy_hosts],
        as_newcomer=[p for p in active if p.institution_id in newcomer_hosts],
    )


def get_open_programme(user: Any, programme: uuid.UUID | str, role: str) -> BuddyProgramme:
    """An active programme ``user`` may join as ``role`` ("buddy" or "newcomer"), or 404."""
    hosts = _buddy_hosts(user) if role == "buddy" else _newcomer_hosts(user)
    with scopes_disabled():
        found = (
            BuddyProgramme.objects.filter(uuid=programme, active=True, institution_id__in=hosts)
            .select_related("institution")
            .first()
        )
    if found is None:
        raise Http404
    return found


# --- The host's programmes ------------------------------------------------------------------


def programmes_of(host: Institution) -> QuerySet[BuddyProgramme]:
    live = Q(matches__status__in=LIVE_STATUSES)
    return (
        BuddyProgramme.objects.filter(institution=host)
        .annotate(
            n_buddies=Count("buddies", filter=Q(buddies__active=True), distinct=True),
            n_newcomers=Count("newcomers", distinct=True),
            n_live=Count("matches", filter=live, distinct=True),
        )
        .order_by("-active", "name")
    )


def get_programme(host: Institution, programme: uuid.UUID | str) -> BuddyProgramme:
    found = (
        BuddyProgramme.objects.filter(institution=host, uuid=programme)
        .select_related("institution")
        .first()
    )
    if found is None:
        raise Http404
    return found


def buddies_of(programme: BuddyProgramme) -> QuerySet[BuddyProfile]:
    """The programme's buddies with ``n_live``, the newcomers they hold now."""
    return (
        BuddyProfile.objects.filter(programme=programme)
        .select_related("user", "faculty")
        .annotate(n_live=Count("matches", filter=Q(matches__status__in=LIVE_STATUSES)))
        .order_by("-active", "user__last_name", "user__first_name", "user__email", "pk")
    )


def newcomers_of(programme: BuddyProgramme) -> list[NewcomerProfile]:
    """The programme's newcomers, each with ``current``: their live or ended match, if any."""
    matches = BuddyMatch.objects.select_related("buddy__user").order_by("-matched_at", "-pk")
    newcomers = list(
        NewcomerProfile.objects.filter(programme=programme)
        .select_related("user", "faculty", "journey")
        .prefetch_related(Prefetch("matches", queryset=matches, to_attr="all_matches"))
        .order_by("arrival_date", "pk")
    )
    for n in newcomers:
        n.current = next((m for m in n.all_matches if m.status in HELD_STATUSES), None)
    return newcomers


def unmatched_newcomers(programme: BuddyProgramme) -> QuerySet[NewcomerProfile]:
    """Newcomers who have no buddy: no proposed, accepted or ended match."""
    held = BuddyMatch.objects.filter(newcomer=OuterRef("pk"), status__in=HELD_STATUSES)
    return (
        NewcomerProfile.objects.filter(programme=programme)
        .exclude(Exists(held))
        .select_related("user", "faculty")
        .order_by("arrival_date", "pk")
    )


def matches_of(programme: BuddyProgramme, status: str = "") -> QuerySet[BuddyMatch]:
    matches = BuddyMatch.objects.filter(programme=programme)
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    elif status == "declined":
        matches = matches.filter(status__in=DECLINED_STATUSES)
    return matches.select_related(
        "buddy__user", "buddy__faculty", "newcomer__user", "newcomer__faculty", "programme"
    ).order_by("-matched_at", "pk")


def get_match(programme: BuddyProgramme, match: uuid.UUID | str) -> BuddyMatch:
    found = matches_of(programme).filter(uuid=match).first()
    if found is None:
        raise Http404
    return found


# --- Why a newcomer has no buddy -------------------------------------------------------------


def _languages_text(tags: Iterable[str]) -> str:
    return _listing(sorted(language_name(t) for t in tags))


def why_unmatched(programme: BuddyProgramme, newcomers: Iterable[NewcomerProfile]) -> None:
    """Set ``unmatched_reason`` on each of ``newcomers`` (of ``programme``) who has no buddy:
    a sentence that both the staff and the newcomer can read, after the matching's hard rule
    (a buddy and a newcomer share a language at B1 or better, and never meet again after a
    declined match) and the buddies' capacity. Newcomers with a buddy get an empty one."""
    newcomers = list(newcomers)
    held = set(
        BuddyMatch.objects.filter(newcomer__in=newcomers, status__in=HELD_STATUSES).values_list(
            "newcomer_id", flat=True
        )
    )
    waiting = [n for n in newcomers if n.pk not in held]
    for n in newcomers:
        n.unmatched_reason = ""
    if not waiting:
        return
    buddies = list(
        BuddyProfile.objects.filter(programme=programme, active=True).annotate(
            n_live=Count("matches", filter=Q(matches__status__in=LIVE_STATUSES))
        )
    )
    declined: dict[int, set[int]] = {}
    for nid, bid in BuddyMatch.objects.filter(
        programme=programme, status__in=DECLINED_STATUSES, newcomer__in=waiting
    ).values_list("newcomer_id", "buddy_id"):
        declined.setdefault(nid, set()).add(bid)
    for n in waiting:
        n.unmatched_reason = _reason(n, buddies, declined.get(n.pk, set()))


def _reason(newcomer: NewcomerProfile, buddies: list[BuddyProfile], declined: set[int]) -> str:
    languages = newcomer.matching_languages
    said = _languages_text(languages)
    if not buddies:
        return _("The programme has no active buddies yet.")
    sharing = [b for b in buddies if not languages.isdisjoint(b.matching_languages)]
    if not sharing:
        return _("No buddy of the programme speaks {languages} at B1 or better.").format(
            languages=said
        )
    open_to = [b for b in sharing if b.pk not in declined]
    if not open_to:
        return _("Every buddy who speaks {languages} was in a declined match already.").format(
            languages=said
        )
    if all(b.n_live >= b.capacity for b in open_to):
        return _(
            "Every buddy who speaks {languages} already has as many newcomers as they can take."
        ).format(languages=said)
    return _("A buddy with room speaks {languages}: the next matching run proposes a pair.").format(
        languages=said
    )


def signup_problems(host: Institution) -> list[Journey]:
    """The host's journeys whose newcomer could not be signed up for its buddy programme
    when their nomination was accepted, with the reason (``buddy_signup_problem``)."""
    return list(
        Journey.objects.filter(institution=host)
        .exclude(buddy_signup_problem="")
        .select_related("newcomer")
        .order_by("anchor_date", "pk")
    )


# --- KPIs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeKpis:
    newcomers: int
    with_buddy: int  # a proposed, accepted or ended match
    before_arrival: int  # ... made before the day they arrive
    share_before_arrival: float | None  # percent of all newcomers
    median_days_to_match: float | None  # from signing up to a first match
    unmatched: int
    buddies: int  # active
    capacity: int  # of the active buddies
    taken: int  # slots held by proposed and accepted matches
    proposed: int
    accepted: int
    declined: int


def programme_kpis(programme: BuddyProgramme) -> ProgrammeKpis:
    host = programme.institution
    newcomers = list(
        NewcomerProfile.objects.filter(programme=programme).values_list(
            "pk", "created", "arrival_date"
        )
    )
    rows = BuddyMatch.objects.filter(programme=programme).values_list(
        "newcomer_id", "status", "matched_at"
    )
    first_any: dict[int, datetime.datetime] = {}
    first_held: dict[int, datetime.datetime] = {}
    counts = dict.fromkeys(MatchStatus.values, 0)
    for nid, status, at in rows:
        counts[status] += 1
        if nid not in first_any or at < first_any[nid]:
            first_any[nid] = at
        if status in HELD_STATUSES and (nid not in first_held or at < first_held[nid]):
            first_held[nid] = at
    before = sum(
        1
        for pk, _created, arrival in newcomers
        if pk in first_held and host_today(host, first_held[pk]) < arrival
    )
    days = [
        (first_any[pk] - created).total_seconds() / 86400
        for pk, created, _arrival in newcomers
        if pk in first_any
    ]
    buddies = BuddyProfile.objects.filter(programme=programme, active=True).aggregate(
        n=Count("pk"), capacity=Sum("capacity")
    )
    with_buddy = sum(1 for pk, _c, _a in newcomers if pk in first_held)
    return ProgrammeKpis(
        newcomers=len(newcomers),
        with_buddy=with_buddy,
        before_arrival=before,
        share_before_arrival=round(100 * before / len(newcomers), 1) if newcomers else None,
        median_days_to_match=round(max(0.0, statistics.median(days)), 1) if days else None,
        unmatched=len(newcomers) - with_buddy,
        buddies=buddies["n"] or 0,
        capacity=buddies["capacity"] or 0,
        taken=counts[MatchStatus.PROPOSED] + counts[MatchStatus.ACCEPTED],
        proposed=counts[MatchStatus.PROPOSED],
        accepted=counts[MatchStatus.ACCEPTED],
        declined=counts[MatchStatus.DECLINED_BY_BUDDY] + counts[MatchStatus.DECLINED_BY_NEWCOMER],
    )


@dataclass(frozen=True)
class NomineeKpi:
    """Of the nominees the host accepted (their journeys started from a nomination), how
    many had a buddy in the programme before the day they arrive."""

    nominees: int
    before_arrival: int

    @property
    def share(self) -> float | None:
        return round(100 * self.before_arrival / self.nominees, 1) if self.nominees else None


def nominee_kpi(programme: BuddyProgramme) -> NomineeKpi:
    host = programme.institution
    journeys = list(
        Journey.objects.filter(institution=host, source=JourneySource.NOMINATION).values_list(
            "newcomer_id", "anchor_date"
        )
    )
    first_held: dict[int, datetime.datetime] = {}
    for user_id, at in BuddyMatch.objects.filter(
        programme=programme, status__in=HELD_STATUSES
    ).values_list("newcomer__user_id", "matched_at"):
        if user_id not in first_held or at < first_held[user_id]:
            first_held[user_id] = at
    before = sum(
        1
        for user_id, arrival in journeys
        if user_id in first_held and host_today(host, first_held[user_id]) < arrival
    )
    return NomineeKpi(nominees=len(journeys), before_arrival=before)


# --- A student's own ------------------------------------------------------------------------


@dataclass(frozen=True)
class MyProfiles:
    buddy: list[BuddyProfile]
    newcomer: list[NewcomerProfile]


def profiles_of(user: Any) -> MyProfiles:
    if not getattr(user, "is_authenticated", False):
        return MyProfiles([], [])
    with scopes_disabled():
        return MyProfiles(
            buddy=list(
                BuddyProfile.objects.filter(user=user)
                .select_related("programme__institution", "faculty")
                .order_by("-created", "pk")
            ),
            newcomer=list(
                NewcomerProfile.objects.filter(user=user)
                .select_related("programme__institution", "faculty", "journey")
                .order_by("-created", "pk")
            ),
        )


def explain_my_waiting(profiles: MyProfiles) -> None:
    """Set ``unmatched_reason`` on the student's own newcomer profiles (see
    ``why_unmatched``); read across hosts, the profiles being the user's own."""
    with scopes_disabled():
        for profile in profiles.newcomer:
            why_unmatched(profile.programme, [profile])


def my_signup_problems(user: Any) -> list[Journey]:
    """``user``'s journeys whose automatic sign-up for the host's buddy programme failed,
    with the reason (``buddy_signup_problem``)."""
    if not getattr(user, "is_authenticated", False):
        return []
    with scopes_disabled():
        return list(
            Journey.objects.filter(newcomer=user)
            .exclude(buddy_signup_problem="")
            .select_related("institution")
            .order_by("anchor_date", "pk")
        )


def get_own_buddy_profile(user: Any, profile: uuid.UUID | str) -> BuddyProfile:
    with scopes_disabled():
        found = (
            BuddyProfile.objects.filter(user=user, uuid=profile)
            .select_related("programme__institution", "user")
            .first()
        )
    if found is None:
        raise Http404
    return found


def _own_matches(user: Any) -> QuerySet[BuddyMatch]:
    checkins = CheckIn.objects.order_by("-date", "-pk")
    return (
        BuddyMatch.objects.filter(Q(buddy__user=user) | Q(newcomer__user=user))
        .select_related(
            "programme__institution",
            "buddy__user",
            "buddy__faculty",
            "newcomer__user",
            "newcomer__faculty",
        )
        .prefetch_related(Prefetch("checkins", queryset=checkins, to_attr="all_checkins"))
    )


def matches_for(user: Any, *, live_only: bool = False) -> list[BuddyMatch]:
    """``user``'s own matches, as a buddy or as a newcomer, the live ones first; each with
    ``side`` ("buddy"/"newcomer"), ``reasons`` and ``all_checkins``."""
    if not getattr(user, "is_authenticated", False):
        return []
    with scopes_disabled():
        matches = _own_matches(user)
        if live_only:
            matches = matches.filter(status__in=LIVE_STATUSES)
        found = list(matches.order_by("-matched_at", "-pk"))
    live = [m for m in found if m.status in LIVE_STATUSES]
    others = [m for m in found if m.status not in LIVE_STATUSES]
    for m in found:
        _as_seen_by(m, user)
    return live + others


def _as_seen_by(match: BuddyMatch, user: Any) -> BuddyMatch:
    """Add what the student's pages show: their ``side``, ``reasons``, ``checkin_minutes``,
    and ``my_accepted`` (whether their side has accepted)."""
    match.side = "buddy" if match.buddy.user_id == user.pk else "newcomer"
    match.reasons = explain(match)
    match.checkin_minutes = sum(c.minutes for c in match.all_checkins)
    accepted = match.buddy_accepted_at if match.side == "buddy" else match.newcomer_accepted_at
    match.my_accepted = accepted is not None
    return match


def get_own_match(user: Any, match: uuid.UUID | str) -> BuddyMatch:
    """One of ``user``'s own matches (either side), or 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    with scopes_disabled():
        found = _own_matches(user).filter(uuid=match).first()
    if found is None:
        raise Http404
    return _as_seen_by(found, user)


@dataclass(frozen=True)
class BuddyActivity:
    """What a buddy did in a programme, for their certificate."""

    newcomers_helped: int  # accepted or ended matches
    checkins: int
    minutes: int
    first: datetime.date | None  # the first match or check-in
    last: datetime.date | None  # the last check-in, or the last match


def buddy_activity(profile: BuddyProfile) -> BuddyActivity:
    host = profile.programme.institution
    with scope(institution=host):
        helped = BuddyMatch.objects.filter(
            buddy=profile, status__in=[MatchStatus.ACCEPTED, MatchStatus.ENDED]
        )
        matched = [host_today(host, at) for at in helped.values_list("matched_at", flat=True)]
        checkins = CheckIn.objects.filter(match__buddy=profile, match__in=helped)
        totals = checkins.aggregate(n=Count("pk"), minutes=Sum("minutes"))
        dates = list(checkins.values_list("date", flat=True))
    every = matched + dates
    return BuddyActivity(
        newcomers_helped=len(matched),
        checkins=totals["n"] or 0,
        minutes=totals["minutes"] or 0,
        first=min(every) if every else None,
        last=max(dates or matched) if every else None,
    )


# --- Why a pair was matched -----------------------------------------------------------------


def language_name(tag: str) -> str:
    """The language's name in the active language, e.g. "German" for "de"."""
    for candidate in (tag, tag.split("-", 1)[0]):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


@dataclass(frozen=True)
class Reason:
    """One part of a match's score, in plain words."""

    part: str  # languages, faculty, interests, availability
    label: str
    points: int
    text: str

    @property
    def scored(self) -> bool:
        return self.points > 0


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _availability_text(match: BuddyMatch) -> str:
    arrival = match.newcomer.arrival_date
    start, end = match.buddy.available_from, match.buddy.available_to
    if start <= arrival <= end:
        return _("The buddy is available when the newcomer arrives, on {date}.").format(
            date=_date(arrival)
        )
    days = (start - arrival).days if arrival < start else (arrival - end).days
    return _(
        "The newcomer arrives on {date}, {days} days outside the buddy's availability "
        "({start} to {end})."
    ).format(date=_date(arrival), days=days, start=_date(start), end=_date(end))


def explain(match: BuddyMatch, *, to_staff: bool = False) -> list[Reason]:
    """Why the pair was matched: each part of the stored score with a sentence, addressed to
    the pair ("You both speak ...") or, ``to_staff``, about them ("Both speak ...")."""
    score = match.score or {}
    langs = _listing([language_name(t) for t in match.shared_languages])
    interests = ", ".join(match.shared_interests)
    points = {part: int(score.get(part, 0)) for part in ("languages", "faculty", "interests")}
    faculty = match.newcomer.faculty_name
    if to_staff:
        said = {
            "languages": _("Both speak {languages} (B1 or better)."),
            "faculty": _("Both are in {faculty}."),
            "interests": _("They share these interests: {interests}."),
        }
    else:
        said = {
            "languages": _("You both speak {languages} (B1 or better)."),
            "faculty": _("You are both in {faculty}."),
            "interests": _("You share these interests: {interests}."),
        }
    return [
        Reason(
            "languages",
            _("Shared languages"),
            points["languages"],
            said["languages"].format(languages=langs) if langs else _("No shared language."),
        ),
        Reason(
            "faculty",
            _("Same faculty"),
            points["faculty"],
            said["faculty"].format(faculty=faculty)
            if points["faculty"]
            else _("Not in the same faculty."),
        ),
        Reason(
            "interests",
            _("Common interests"),
            points["interests"],
            said["interests"].format(interests=interests)
            if interests
            else _("No interest in common."),
        ),
        Reason(
            "availability",
            _("Availability"),
            int(score.get("availability", 0)),
            _availability_text(match),
        ),
    ]
