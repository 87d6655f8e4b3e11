from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("Member")
    ASSOCIATE_PARTNER = "associate", _("Associate partner")


class WorkGroupKind(models.TextChoices):
    WORK_GROUP = "work_group", _("Work group")
    TASK_FORCE = "task_force", _("Task force")


class DecisionBody(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("General Assembly")
    BOARD = "board", _("Board")
    WORK_GROUP = "work_group", _("Work group")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PartnerRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinator")
    PARTNER = "partner", _("Partner")


class OutputStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    DELAYED = "delayed", _("Delayed")
