"""Writes of nominations: the home nominates a placed student (one, or all of a call) and may
cancel; the host, when it is on the platform, accepts or rejects with a reason; the home's
staff complete what EWP needs to know about the student.

Every function is atomic and audited, checks that the actor may act for the institution
concerned (the home's or the host's international office), and runs inside the home's scope,
since the nomination and the application are the home's rows. Notices go to the other side's
staff (in the app and by e-mail) and to the student (by e-mail) once the change is committed.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries
from django_scopes import scope, scopes_disabled

from intercampus.accounts.models import Role
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.models import Notification
from intercampus.core.permissions import has_permission
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.lib import academic_terms
from intercampus.mobility import isced
from intercampus.mobility.choices import ApplicationState, NominationStatus
from intercampus.mobility.models import (
    Application,
    Call,
    CooperationCondition,
    Nomination,
    Place,
    StudentProfile,
)
from intercampus.mobility.models.profiles import Gender
from intercampus.mobility.notifications import absolute_url
from intercampus.mobility.selectors import nominations as selectors
from intercampus.mobility.selectors.agreements import iro_emails
from intercampus.mobility.selectors.calls import seats_used

logger = logging.getLogger(__name__)

MANAGE = "mobility.manage_nominations"
MAX_REASON = 2000

# Notice kinds (core.Notification.kind) and what they say, in the reader's language.
RECEIVED = "mobility.nomination.received"
ACCEPTED = "mobility.nomination.accepted"
REJECTED = "mobility.nomination.rejected"
CANCELLED = "mobility.nomination.cancelled"
NOMINATED = "mobility.nomination.nominated"  # to the student only


# --- The start of a term (the anchor of the host's arrival journey) ------------------------


def anchor_date_for(call: Call) -> datetime.date:
    """When the earliest of the call's terms starts (the start of its academic year when it
    names none), by the platform's one rule (``lib.academic_terms``)."""
    return academic_terms.earliest_start(call.academic_year, call.terms or [])


# --- Who may act ------------------------------------------------------------------------------


def may_manage(actor: Any, institution: Institution | None) -> bool:
    """True when ``actor`` holds a role at ``institution`` that may manage nominations."""
    if institution is None or not getattr(actor, "is_authenticated", False):
        return False
    with scopes_disabled():
        roles = set(
            Role.objects.filter(user=actor, institution=institution).values_list("kind", flat=True)
        )
    return has_permission(roles, MANAGE)


def _require_home(actor: Any, institution: Institution) -> None:
    if not may_manage(actor, institution):
        raise ServiceError(
            _("Only the international office of {name} can do this.").format(
                name=institution.display_name
            ),
            status=403,
        )


def _require_host(actor: Any, nomination: Nomination) -> Institution:
    host = nomination.host
    # Someone who is not the host's staff must not learn the nomination exists.
    if not may_manage(actor, host):
        raise ServiceError(_("Not found."), status=404)
    assert host is not None  # may_manage is False without a host
    return host


# --- Writing ----------------------------------------------------------------------------------


def _audit(actor: Any, action: str, obj: Any, before: dict | None, *places: Institution) -> None:
    """One entry per institution concerned, so each side's audit log shows the change."""
    after = snapshot(obj)
    for institution in dict.fromkeys(places):
        audit_log(
            actor=actor,
            action=action,
            obj=obj,
            before=before,
            after=after,
            institution=institution,
        )


def _set_state(actor: Any, application: Application, state: str, action: str) -> None:
    before = snapshot(application)
    application.state = state
    application.save(update_fields=["state"])
    _audit(actor, action, application, before, application.owner)


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "owner", "student")
        .get(pk=application.pk)
    )


def _lock_nomination(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("home", "host", "application", "application__call", "application__student")
        .get(pk=nomination.pk)
    )


def _check_seat(place: Place, academic_year: str) -> None:
    """Lock the agreement condition the nomination consumes and refuse when it has no seat
    left in the year (nominations waiting or accepted hold one each)."""
    condition = CooperationCondition.objects.select_for_update().get(pk=place.condition_id)
    if seats_used(condition, academic_year) >= condition.mobilities_per_year:
        raise ServiceError(
            _(
                "The agreement with {host} has {n} mobilities in {year}, all nominated already."
            ).format(host=place.host_hei_id, n=condition.mobilities_per_year, year=academic_year),
            status=409,
        )


def nomination_create(
    *, actor: Any, application: Application, place: Place | None = None
) -> Nomination:
    """Nominate the placed student of ``application`` to the host of their place.

    ``place`` defaults to where the published allocation placed them. Needs the home's
    international office, a "placed" application without a nomination and a seat left under
    the agreement condition (locked while counted). The application becomes "nominated";
    the host's officers are told when the host is on the platform, and the student too.
    """
    home = application.owner
    _require_home(actor, home)
    with transaction.atomic(), scope(institution=home):
        locked = _lock_application(application)
        if locked.state != ApplicationState.PLACED:
            raise ServiceError(_("Only placed students can be nominated."), status=409)
        if Nomination.objects.filter(application=locked).exists():
            raise ServiceError(_("This student has been nominated already."), status=409)
        place = place or selectors.placement_of(locked)
        if place is None:
            raise ServiceError(
                _("No published allocation places this student; publish the results first."),
                status=409,
            )
        if place.call_id != locked.call_id:
            raise ServiceError(_("The place is not one of this call's."), status=409)
        _check_seat(place, locked.call.academic_year)
        host = place.host if place.host is not None and place.host.on_platform else None
        nomination = Nomination.objects.create(
            application=locked,
            place=place,
            home=home,
            host_hei_id=place.host_hei_id,
            host=host,
            nominated_by=actor,
        )
        _audit(actor, "mobility.nomination.created", nomination, None, home)
        _set_state(actor, locked, ApplicationState.NOMINATED, "mobility.application.nominated")
        if host is not None:
            _notify_staff(host, home, RECEIVED, nomination, _host_link(host, nomination))
        _notify_student(nomination, NOMINATED)
        return nomination


@dataclass
class BulkResult:
    """What "nominate all placed" did: the nominations made and the students refused, why."""

    created: list[Nomination] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def nominations_create_for_call(*, actor: Any, call: Call) -> BulkResult:
    """Nominate every placed student of ``call`` who has no nomination, best score first
    (so that when an agreement runs out of seats, the better-ranked student has one).

    Each nomination is its own transaction: one refusal does not undo the others.
    """
    _require_home(actor, call.owner)
    with scope(institution=call.owner):
        placed = list(
            call.applications.filter(state=ApplicationState.PLACED, nomination__isnull=True)
            .select_related("call", "owner", "student")
            .order_by("-score", "tiebreak", "id")
        )
    placements = selectors.placements_of_call(call)
    result = BulkResult()
    for application in placed:
        try:
            result.created.append(
                nomination_create(
                    actor=actor,
                    application=application,
                    place=placements.get(str(application.uuid)),
                )
            )
        except ServiceError as refused:
            result.refused.append((application, refused.message))
    return result


def nomination_accept(*, actor: Any, nomination: Nomination) -> Nomination:
    """The host accepts a waiting nomination. Needs the host's international office.

    The application becomes "accepted"; the home's officers and the student are told; the
    host's onboarding journey starts when the onboarding app offers one.
    """
    host = _require_host(actor, nomination)
    with transaction.atomic(), scope(institution=nomination.home):
        locked, before = _decide(actor, nomination, NominationStatus.ACCEPTED, "")
        _audit(actor, "mobility.nomination.accepted", locked, before, locked.home, host)
        _set_state(
            actor,
            _lock_application(locked.application),
            ApplicationState.ACCEPTED,
            "mobility.application.accepted",
        )
        _notify_staff(locked.home, host, ACCEPTED, locked, _home_link(locked))
        _notify_student(locked, ACCEPTED)
        start_journey(locked, actor=actor)
        return locked


def nomination_reject(*, actor: Any, nomination: Nomination, reason: str) -> Nomination:
    """The host rejects a waiting nomination and says why (required). Needs the host's
    international office. The application becomes "rejected"; the home's officers and the
    student are told, with the reason."""
    host = _require_host(actor, nomination)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the nomination is rejected."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("Keep the reason under {n} characters.").format(n=MAX_REASON), field="reason"
        )
    with transaction.atomic(), scope(institution=nomination.home):
        locked, before = _decide(actor, nomination, NominationStatus.REJECTED, reason)
        _audit(actor, "mobility.nomination.rejected", locked, before, locked.home, host)
        _set_state(
            actor,
            _lock_application(locked.application),
            ApplicationState.REJECTED,
            "mobility.application.rejected",
        )
        _notify_staff(locked.home, host, REJECTED, locked, _home_link(locked))
        _notify_student(locked, REJECTED)
        return locked


def _decide(
    actor: Any, nomination: Nomination, status: str, reason: str
) -> tuple[Nomination, dict[str, Any]]:
    """Lock a waiting nomination and record the host's decision; its snapshot before."""
    locked = _lock_nomination(nomination)
    if locked.status != NominationStatus.PENDING:
        raise ServiceError(
            _("This nomination is no longer waiting for a decision ({status}).").format(
                status=locked.get_status_display()
            ),
            status=409,
        )
    before = snapshot(locked)
    locked.status = status
    locked.reason = reason
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return locked, before


def nomination_cancel(*, actor: Any, nomination: Nomination, reason: str = "") -> Nomination:
    """The home cancels a nomination, waiting or accepted: the mobility will not take place.

    Its seat is freed; the application becomes "declined" (so that the allocation can give
    the place again), unless the student had withdrawn it. The host and the student are told.
    """
    _require_home(actor, nomination.home)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("Keep the reason under {n} characters.").format(n=MAX_REASON), field="reason"
        )
    with transaction.atomic(), scope(institution=nomination.home):
        locked = _lock_nomination(nomination)
        if locked.status not in (NominationStatus.PENDING, NominationStatus.ACCEPTED):
            raise ServiceError(
                _("Only a waiting or accepted nomination can be cancelled."), status=409
            )
        before = snapshot(locked)
        locked.status = NominationStatus.CANCELLED
        locked.reason = reason
        locked.save(update_fields=["status", "reason"])
        _audit(actor, "mobility.nomination.cancelled", locked, before, locked.home, locked.host)
        application = _lock_application(locked.application)
        if application.state != ApplicationState.WITHDRAWN:
            _set_state(
                actor, application, ApplicationState.DECLINED, "mobility.application.declined"
            )
        if locked.host is not None:
            _notify_staff(
                locked.host, locked.home, CANCELLED, locked, _host_link(locked.host, locked)
            )
        _notify_student(locked, CANCELLED)
        return locked


# --- What EWP needs to know about the student ------------------------------------------------


PROFILE_FIELDS = ("birth_date", "nationality", "gender", "esi_code", "isced_f_code")


def student_profile_save(
    *, actor: Any, nomination: Nomination, first_name: str, last_name: str, **fields: Any
) -> StudentProfile:
    """Complete the nominated student's names and profile (``PROFILE_FIELDS``) so that the
    nomination can be served through EWP. Needs the home's international office."""
    _require_home(actor, nomination.home)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    _check_profile(fields)
    with transaction.atomic(), scopes_disabled():
        user = (
            type(nomination.application.student)
            .objects.select_for_update()
            .get(pk=nomination.application.student_id)
        )
        profile, _created = StudentProfile.objects.select_for_update().get_or_create(user=user)
        before = {**snapshot(profile), "first_name": user.first_name, "last_name": user.last_name}
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.full_clean()
        profile.save()
        if (user.first_name, user.last_name) != (first_name.strip(), last_name.strip()):
            user.first_name, user.last_name = first_name.strip(), last_name.strip()
            user.save(update_fields=["first_name", "last_name"])
        after = {**snapshot(profile), "first_name": user.first_name, "last_name": user.last_name}
        if before != after:
            audit_log(
                actor=actor,
                action="mobility.student_profile.changed",
                obj=profile,
                before=before,
                after=after,
                institution=nomination.home,
            )
        return profile


def _check_profile(fields: dict[str, Any]) -> None:
    nationality = fields.get("nationality") or ""
    if nationality and nationality not in dict(countries):
        raise ServiceError(_("Choose a country from the list."), field="nationality")
    if "gender" in fields and fields["gender"] not in Gender.values:
        raise ServiceError(_("Choose a gender from the list."), field="gender")
    code = fields.get("isced_f_code") or ""
    if code and not isced.is_detailed_code(code):
        raise ServiceError(
            _("“{code}” is not a four-digit ISCED-F 2013 code.").format(code=code),
            field="isced_f_code",
        )
    birth = fields.get("birth_date")
    if birth is not None and birth >= timezone.localdate():
        raise ServiceError(_("The date of birth must be in the past."), field="birth_date")


# --- The onboarding hook ---------------------------------------------------------------------


def journey_starter() -> Any:
    """``intercampus.onboarding.services.journey_start_for_nomination`` when the onboarding
    app offers it, else None (imported lazily: mobility does not depend on onboarding)."""
    try:
        from intercampus.onboarding import services as onboarding
    except ImportError:
        return None
    return getattr(onboarding, "journey_start_for_nomination", None)


def arrival_of(nomination: Nomination) -> Any:
    """The host's arrival journey of an accepted nomination (with ``anchor_date`` and
    ``buddy_signup_problem``), or None: when the onboarding app offers one (looked up lazily,
    like ``journey_starter``) and the host started it. Read in the host's scope."""
    try:
        from intercampus.onboarding.selectors.journeys import journey_of_nomination
    except ImportError:
        return None
    if nomination.host is None:
        return None
    with scope(institution=nomination.host):
        return journey_of_nomination(nomination.host, nomination.uuid)


def journey_missing_reason(nomination: Nomination) -> str | None:
    """Why an accepted nomination has no arrival journey at the host, in words the host's
    officer can act on; None when it has one, or is not accepted, or onboarding is absent.

    Starting a journey never blocks an acceptance, so this is how the officer learns that
    the newcomer will get no arrival steps, reminders or buddy until they fix the cause.
    """
    if nomination.status != NominationStatus.ACCEPTED or nomination.host is None:
        return None
    if journey_starter() is None or arrival_of(nomination) is not None:
        return None
    try:
        anchor_date_for(nomination.application.call)
    except ValueError as unreadable:
        return str(
            _("The call's academic year or terms give no arrival date ({problem}).").format(
                problem=unreadable
            )
        )
    from intercampus.onboarding.choices import TargetGroup
    from intercampus.onboarding.services.journeys import active_template

    if active_template(nomination.host, TargetGroup.EXCHANGE) is None:
        return str(
            _(
                "{host} has no active arrival journey template for exchange students: create "
                "or activate one, then start the newcomer's journey from the cohort page."
            ).format(host=nomination.host)
        )
    return str(_("The journey could not be started; the server log says why."))


def start_journey(nomination: Nomination, *, actor: Any) -> Any:
    """Start the host's arrival journey for an accepted nomination, anchored at the start
    of the term. A journey is a service the host offers, not a condition of the nomination:
    when the onboarding app refuses, the acceptance stands and the refusal is logged."""
    start = journey_starter()
    if start is None:
        return None
    try:
        anchor = anchor_date_for(nomination.application.call)
    except ValueError as unreadable:
        # A call whose year or terms are not EWP's: no date to anchor the journey on.
        logger.warning("No journey for nomination %s: %s", nomination.uuid, unreadable)
        return None
    try:
        with transaction.atomic():
            return start(nomination=nomination, actor=actor, anchor_date=anchor)
    except ServiceError as refused:
        logger.warning("No journey for nomination %s: %s", nomination.uuid, refused.message)
        return None


# --- Notices ----------------------------------------------------------------------------------


def _host_link(host: Institution, nomination: Nomination) -> str:
    return reverse(
        "staff:nomination_incoming",
        kwargs={"institution": host.schac, "nomination": nomination.uuid},
    )


def _home_link(nomination: Nomination) -> str:
    return reverse(
        "staff:nomination",
        kwargs={"institution": nomination.home.schac, "nomination": nomination.uuid},
    )


def _params(nomination: Nomination) -> dict[str, str]:
    application = nomination.application
    student = application.student
    return {
        "student": student.get_full_name() or student.email,
        "year": application.call.academic_year,
        "call": application.call.title,
        "home": nomination.home.display_name,
        "host": nomination.host.display_name if nomination.host else nomination.host_hei_id,
        "reason": nomination.reason,
    }


def _notify_staff(
    recipient: Institution,
    sender: Institution | None,
    kind: str,
    nomination: Nomination,
    link: str,
) -> Notification:
    """A notice for ``recipient``'s staff, e-mailed to its officers once committed.

    Cross-tenant on purpose: the acting side writes a notice row of the other side.
    """
    with scopes_disabled():
        notice = Notification.objects.create(
            institution=recipient,
            sender=sender,
            kind=kind,
            subject=str(nomination.uuid),
            params=_params(nomination),
            link=link,
        )
    transaction.on_commit(lambda: send_staff_emails(notice))
    return notice


def send_staff_emails(notice: Notification) -> int:
    """E-mail a nomination notice to the recipient's officers, each in their own language.

    A failing mail server must not undo the decision: errors are logged.
    """
    sent = 0
    for email, language in iro_emails(notice.institution):
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {
                "message": selectors.describe_notice(notice),
                "url": absolute_url(notice.link),
                "institution": notice.institution,
                "sender": notice.sender,
            }
            sent += _send("staff_notice", context, email, str(notice.uuid))
    return sent


def _notify_student(nomination: Nomination, kind: str) -> None:
    student = nomination.application.student
    params = _params(nomination)
    link = reverse("mobility:application", kwargs={"application": nomination.application.uuid})

    def send() -> None:
        with translation.override(student.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "message": selectors.describe_student_notice(kind, params),
                "url": absolute_url(link),
                "name": params["student"],
            }
            _send("student_notice", context, student.email, str(nomination.uuid))

    transaction.on_commit(send)


def _send(template: str, context: dict[str, Any], email: str, about: str) -> int:
    base = f"mobility/nominations/emails/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body = render_to_string(f"{base}_body.txt", context)
    html = render_to_string(f"{base}_body.html", context)
    try:
        return send_mail(subject, body, None, [email], html_message=html)
    except Exception:  # noqa: BLE001 - any transport error; the change stands
        logger.exception("Could not e-mail the nomination notice about %s to %s", about, email)
        return 0
