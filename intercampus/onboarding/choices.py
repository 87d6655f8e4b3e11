from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """Who a journey is for (national and international newcomers alike)."""

    EXCHANGE = "exchange", _("Exchange students")
    DEGREE_MASTER = "degree_master", _("Degree-seeking master's newcomers")
    PHD = "phd", _("PhD newcomers")


class Phase(models.TextChoices):
    """The four phases of the feel-at-home journey, in the order they come."""

    ATTRACTIVENESS = "attractiveness", _("Attractiveness")
    SELECTION = "selection", _("Selection & Application")
    FORMALITIES = "formalities", _("Formalities – First Days")
    ONBOARDING = "onboarding", _("Onboarding – First 100 Days")


PHASE_ORDER = {phase.value: i for i, phase in enumerate(Phase)}


class StepOwner(models.TextChoices):
    """Who does a step."""

    STUDENT = "student", _("Student")
    INTERNATIONAL_OFFICE = "international_office", _("International office")
    HOUSING = "housing", _("Housing")
    DEPARTMENT = "department", _("Department or supervisor")
    BUDDY = "buddy", _("Buddy")
    STUDENT_ASSOCIATION = "student_association", _("Student association")


class OffsetKind(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class StepCategory(models.TextChoices):
    LEGAL = "legal", _("Legal")
    HOUSING = "housing", _("Housing")
    ACADEMIC = "academic", _("Academic")
    SOCIAL = "social", _("Social")
    HEALTH = "health", _("Health")
    MONEY = "money", _("Money")


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class JourneySource(models.TextChoices):
    """How a journey came to start."""

    NOMINATION = "nomination", _("Nomination accepted")
    STAFF = "staff", _("Added by staff")
    IMPORT = "import", _("Imported from a spreadsheet")
    API = "api", _("Added through the API")
