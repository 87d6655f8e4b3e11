"""Where each person starts: the page that fits their most responsible role.

One rule for the redirect after sign-in, the demo's list of logins and the personal page's
link, so that all three name the same page.
"""

from __future__ import annotations

from django.urls import reverse

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import User
from intercampus.accounts.selectors import roles_of
from intercampus.network.selectors import consortia_managed_by, work_groups_run_by

# Most responsible first: a person who is both an officer and a student starts as the officer.
ROLE_ORDER = (
    RoleKind.SECRETARIAT,
    RoleKind.WORKGROUP_COORDINATOR,
    RoleKind.INTERNATIONAL_OFFICER,
    RoleKind.PROGRAMME_COORDINATOR,
    RoleKind.STUDENT_SUPPORT,
    RoleKind.STUDENT,
    RoleKind.BUDDY,
)


def start_page(user: User) -> str:
    """The path ``user`` starts at: the secretariat its consortium's staff page, a coordinator
    its work group, other staff their institution's staff area, an operator without roles the
    admin, everybody else their personal page."""
    roles = sorted(roles_of(user), key=lambda role: ROLE_ORDER.index(role.kind))
    if not roles:
        return reverse("admin:index") if user.is_staff else reverse("me:home")
    role = roles[0]
    institution = role.institution
    if role.kind == RoleKind.SECRETARIAT:
        consortium = consortia_managed_by(institution).order_by("name").first()
        if consortium is not None:
            return reverse(
                "staff:consortium",
                kwargs={"institution": institution.schac, "slug": consortium.slug},
            )
    if role.kind == RoleKind.WORKGROUP_COORDINATOR:
        group = (
            work_groups_run_by(institution, frozenset({role.kind}))
            .filter(is_active=True)
            .order_by("name")
            .first()
        )
        if group is not None:
            return reverse(
                "staff:work_group",
                kwargs={
                    "institution": institution.schac,
                    "consortium": group.consortium.slug,
                    "group": group.slug,
                },
            )
    if role.kind in (RoleKind.STUDENT, RoleKind.BUDDY):
        return reverse("me:home")
    return reverse("staff:home", kwargs={"institution": institution.schac})
