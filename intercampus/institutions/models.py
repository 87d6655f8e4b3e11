"""Institutions (the tenant), their organisational units, headcounts and people."""

from __future__ import annotations

import functools
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager

from intercampus.institutions.choices import HeadcountCategory, UnitKind
from intercampus.lib.codes import validate_language_tags

# SCHAC home organisation: a lower-case domain name, as EWP uses for hei-id.
schac_validator = RegexValidator(
    r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
    _("Enter the institution's SCHAC code: its lower-case internet domain, e.g. kth.se."),
)


@functools.cache
def _iana_time_zones() -> frozenset[str]:
    # available_timezones() scans the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _iana_time_zones():
        raise ValidationError(_("“%(value)s” is not an IANA time zone."), params={"value": value})


class Institution(models.Model):
    """A university or other higher education institution: the tenant of Intercampus."""

    schac = models.CharField(
        _("SCHAC code"), max_length=100, unique=True, validators=[schac_validator]
    )
    erasmus_code = models.CharField(
        _("Erasmus code"),
        max_length=20,
        blank=True,
        help_text=_("Erasmus+ institution code, for European institutions, e.g. “S  STOCKHO04”."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    # Blank only for institutions known from an EWP document whose country is not stated.
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    website = models.URLField(_("website"), blank=True)
    languages = models.JSONField(
        _("languages of instruction"),
        default=list,
        blank=True,
        validators=[validate_language_tags],
        help_text=_("BCP 47 tags, e.g. en, sv, pt-BR."),
    )
    description = models.TextField(_("description"), blank=True)
    # False for partners known only through Erasmus Without Paper documents: their copies of
    # agreements are kept here, but nobody works for them on this platform.
    on_platform = models.BooleanField(_("on this platform"), default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:institution", kwargs={"schac": self.schac})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class OrganisationalUnit(models.Model):
    """A faculty, department or office of an institution; public reference data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="unit_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.institution_id != self.institution_id:
            raise ValidationError({"parent": _("A unit can only be part of its own institution.")})


class Headcount(models.Model):
    """How many people of one category an institution counts in one year."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="headcounts"
    )
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(1900)])
    category = models.CharField(_("category"), max_length=20, choices=HeadcountCategory.choices)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["-year", "category"]
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "category"], name="headcount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year} {self.category}: {self.count}"


class Person(models.Model):
    """A named person at an institution (a representative or contact); personal data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="people")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"
