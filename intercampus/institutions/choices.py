from django.db import models
from django.utils.translation import gettext_lazy as _


class HeadcountCategory(models.TextChoices):
    """The four categories a consortium counts, in the order they are shown."""

    PROFESSORS = "professors", _("Professors")
    TEACHERS = "teachers", _("Teachers")
    PHD_STUDENTS = "phd_students", _("PhD students")
    STUDENTS = "students", _("Students")


class UnitKind(models.TextChoices):
    FACULTY = "faculty", _("Faculty or school")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")
    INSTITUTE = "institute", _("Research institute")
