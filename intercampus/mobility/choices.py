from django.db import models
from django.utils.translation import gettext_lazy as _


class MobilityType(models.TextChoices):
    """The four kinds of cooperation condition of an EWP agreement, in the schema's order."""

    STUDENT_STUDIES = "student-studies", _("Student mobility for studies")
    STUDENT_TRAINEESHIP = "student-traineeship", _("Student traineeship")
    STAFF_TEACHING = "staff-teacher", _("Staff mobility for teaching")
    STAFF_TRAINING = "staff-training", _("Staff mobility for training")


STUDENT_TYPES = frozenset({MobilityType.STUDENT_STUDIES, MobilityType.STUDENT_TRAINEESHIP})


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Waiting for the partner")
    APPROVED = "approved", _("Approved by both")
    TERMINATED = "terminated", _("Terminated")


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    NS = "NS", _("Native speaker")


CEFR_ORDER = {level: i for i, level in enumerate(["A1", "A2", "B1", "B2", "C1", "C2", "NS"])}


class EqfLevel(models.IntegerChoices):
    SHORT_CYCLE = 5, _("Short cycle (EQF 5)")
    BACHELOR = 6, _("Bachelor (EQF 6)")
    MASTER = 7, _("Master (EQF 7)")
    DOCTORATE = 8, _("Doctorate (EQF 8)")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ALLOCATED = "allocated", _("Allocated")
    RESULTS_PUBLISHED = "results_published", _("Results published")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    PLACED = "placed", _("Placed")
    UNPLACED = "unplaced", _("Not placed")
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted by the host")
    REJECTED = "rejected", _("Rejected by the host")
    DECLINED = "declined", _("Declined by the student")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DocumentKind(models.TextChoices):
    TRANSCRIPT = "transcript", _("Transcript of records")
    LANGUAGE_CERTIFICATE = "language_certificate", _("Language certificate")
    MOTIVATION_LETTER = "motivation_letter", _("Motivation letter")
    CV = "cv", _("Curriculum vitae")
    OTHER = "other", _("Other")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("For review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the host")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
