"""What EWP needs to know about a nominated student that the platform does not keep elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Gender(models.IntegerChoices):
    """ISO/IEC 5218 codes, as EWP exchanges them."""

    NOT_KNOWN = 0, _("Not known")
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")
    NOT_APPLICABLE = 9, _("Not applicable")


class StudentProfile(models.Model):
    """A student's birth date, nationality, gender and European Student Identifier code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile"
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    gender = models.PositiveSmallIntegerField(
        _("gender"), choices=Gender.choices, default=Gender.NOT_KNOWN
    )
    # The local part of the ESI (urn:schac:personalUniqueCode:int:esi:<home>:<code>); empty
    # means the user's UUID stands for it.
    esi_code = models.CharField(_("student identifier (ESI local code)"), max_length=64, blank=True)
    # The ISCED-F field closest to the student's own programme (EWP nominee-isced-f-code).
    isced_f_code = models.CharField(_("field of study (ISCED-F)"), max_length=4, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")

    def __str__(self) -> str:
        return str(self.user)
