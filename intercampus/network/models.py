"""The consortium: memberships, work groups, appointments, meetings, projects, programmes."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from intercampus.network.choices import (
    ActionStatus,
    DecisionBody,
    MembershipKind,
    OutputStatus,
    PartnerRole,
    WorkGroupKind,
)


class Consortium(models.Model):
    """A network of institutions that cooperate, such as CLUSTER."""

    slug = models.SlugField(_("short code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    founded = models.PositiveIntegerField(_("founded"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Staff with the secretariat role at this institution manage the consortium.
    secretariat = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("secretariat hosted by"),
        on_delete=models.PROTECT,
        related_name="secretariat_of",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return self.acronym or self.name

    def get_absolute_url(self) -> str:
        return reverse("network:consortium", kwargs={"slug": self.slug})


class Membership(models.Model):
    """An institution's membership of a consortium, as member or associate partner."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="memberships"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MembershipKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["institution__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # One open membership per institution and consortium; history stays as ended rows.
            models.UniqueConstraint(
                fields=["consortium", "institution"],
                condition=Q(until__isnull=True),
                name="membership_one_open",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.get_kind_display()} ({self.consortium})"

    def clean(self) -> None:
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("A membership cannot end before it starts.")})


class Decision(models.Model):
    """A recorded decision of a General Assembly, a board or a work group meeting."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="decisions")
    body = models.CharField(_("decided by"), max_length=30, choices=DecisionBody.choices)
    work_group = models.ForeignKey(
        "WorkGroup", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    decided_on = models.DateField(_("decided on"))
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.decided_on}: {self.text[:80]}"


class WorkGroup(models.Model):
    """A work group or task force of a consortium, led by a coordinator institution."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="work_groups")
    slug = models.SlugField(_("short code"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=WorkGroupKind.choices, default=WorkGroupKind.WORK_GROUP
    )
    purpose = models.TextField(_("purpose"))
    aims = models.JSONField(_("aims"), default=list, blank=True)
    # The current coordinator; the history of appointments is kept in Appointment.
    coordinator = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_work_groups",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("work group")
        verbose_name_plural = _("work groups")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "slug"], name="work_group_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "network:work_group", kwargs={"slug": self.consortium.slug, "group": self.slug}
        )


class Appointment(models.Model):
    """The appointment of a coordinator institution for a work group, by a decision."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="appointments")
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("appointing decision"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        ordering = ["-term_start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.institution} → {self.work_group} ({self.term_start})"


class WorkGroupMember(models.Model):
    """An institution in a work group, with its named representative."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="members")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="work_group_seats"
    )
    representative = models.ForeignKey(
        "institutions.Person",
        verbose_name=_("representative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_group_seats",
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["institution__name"]
        verbose_name = _("work group member")
        verbose_name_plural = _("work group members")
        constraints = [
            models.UniqueConstraint(
                fields=["work_group", "institution"], name="work_group_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} in {self.work_group}"

    def clean(self) -> None:
        if (
            self.representative_id
            and self.representative
            and self.representative.institution_id != self.institution_id
        ):
            raise ValidationError(
                {"representative": _("The representative must work at the member institution.")}
            )


class AccessPoint(models.Model):
    """A member institution acting as the consortium's access point to its country."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="access_points"
    )
    work_group = models.ForeignKey(
        WorkGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_points"
    )
    country = CountryField(_("country"))
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="access_points"
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["country"]
        verbose_name = _("access point")
        verbose_name_plural = _("access points")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "country"], name="access_point_one_per_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} for {self.country.name}"


class Meeting(models.Model):
    """A meeting of a work group, with its decisions and actions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    location = models.CharField(
        _("place or link"),
        max_length=300,
        blank=True,
        help_text=_("A city, a room or a video link."),
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"


class Action(models.Model):
    """Something a work group agreed to do: an owner, a due date and a status."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """A joint project such as an Erasmus+ strategic partnership."""

    consortium = models.ForeignKey(
        Consortium, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    slug = models.SlugField(_("short code"), unique=True)
    acronym = models.CharField(_("acronym"), max_length=50)
    name = models.CharField(_("name"), max_length=300)
    programme = models.CharField(
        _("funding programme"), max_length=200, help_text=_("e.g. Erasmus+ strategic partnership")
    )
    grant_reference = models.CharField(_("grant reference"), max_length=100, blank=True)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("network:project", kwargs={"slug": self.slug})

    @property
    def coordinators(self) -> list[ProjectPartner]:
        return [p for p in self.partners.all() if p.role != PartnerRole.PARTNER]

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("A project cannot end before it starts.")})


class ProjectPartner(models.Model):
    """A partner in a project: an institution on the platform or an outside organisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_partnerships",
    )
    outside_name = models.CharField(_("outside organisation"), max_length=200, blank=True)
    outside_country = CountryField(_("country"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.CheckConstraint(
                condition=(Q(institution__isnull=False) & Q(outside_name=""))
                | (Q(institution__isnull=True) & ~Q(outside_name="")),
                name="partner_is_institution_or_outside",
            ),
            models.UniqueConstraint(
                fields=["project", "institution"],
                condition=Q(institution__isnull=False),
                name="project_partner_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.institution.name if self.institution_id else self.outside_name

    def clean(self) -> None:
        if bool(self.institution_id) == bool(self.outside_name):
            raise ValidationError(
                _(
                    "Choose an institution on the platform or name an outside organisation, "
                    "not both."
                )
            )


class ProjectOutput(models.Model):
    """A deliverable of a project with its due date and status."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OutputStatus.choices, default=OutputStatus.PLANNED
    )

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("project output")
        verbose_name_plural = _("project outputs")

    def __str__(self) -> str:
        return self.title


class Programme(models.Model):
    """A standing programme of a consortium, e.g. the Sino-European platform."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="programmes")
    slug = models.SlugField(_("short code"))
    name = models.CharField(_("name"), max_length=300)
    since = models.PositiveIntegerField(_("since"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "slug"], name="programme_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name
