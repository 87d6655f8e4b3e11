from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    """What a person does at an institution; one person can hold several roles."""

    SECRETARIAT = "secretariat", _("Consortium secretariat")
    WORKGROUP_COORDINATOR = "wg_coordinator", _("Work group coordinator")
    INTERNATIONAL_OFFICER = "iro", _("International relations officer")
    PROGRAMME_COORDINATOR = "programme_coordinator", _("Programme coordinator")
    STUDENT_SUPPORT = "student_support", _("Student-support officer")
    STUDENT = "student", _("Student")
    BUDDY = "buddy", _("Buddy")


# Roles that give access to the institution's staff area.
STAFF_ROLES = frozenset(
    {
        RoleKind.SECRETARIAT,
        RoleKind.WORKGROUP_COORDINATOR,
        RoleKind.INTERNATIONAL_OFFICER,
        RoleKind.PROGRAMME_COORDINATOR,
        RoleKind.STUDENT_SUPPORT,
    }
)
