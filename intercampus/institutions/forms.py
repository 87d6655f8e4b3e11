"""Forms of the institution's staff area. They only check input: services do the writes."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.services import ServiceError
from intercampus.institutions import selectors
from intercampus.institutions.choices import HeadcountCategory, UnitKind
from intercampus.institutions.models import Institution, OrganisationalUnit, Person
from intercampus.institutions.services import FIRST_YEAR, last_headcount_year
from intercampus.lib.codes import validate_language_tags
from intercampus.lib.spreadsheets import SpreadsheetError, read_table

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _label(model: type[models.Model], name: str) -> Any:
    """The model field's own (translated) name, so a form and the admin say the same."""
    return capfirst(model._meta.get_field(name).verbose_name)


def add_errors(form: forms.Form, error: ServiceError | ValidationError) -> None:
    """Show what a service refused on the form: next to its field when the form has one."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Profile ------------------------------------------------------------------------------


def timezone_choices(current: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """IANA zones grouped by region (Europe, Asia, ...); the legacy aliases are left out."""
    zones = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")}
    zones.add("UTC")
    if current:
        zones.add(current)
    groups: dict[str, list[tuple[str, str]]] = {}
    for zone in sorted(zones):
        region = zone.split("/", 1)[0] if "/" in zone else "UTC"
        groups.setdefault(region, []).append((zone, zone.replace("_", " ")))
    return list(groups.items())


def _canonical_tag(tag: str) -> str:
    """BCP 47 tags are case-insensitive; store them as written by convention (pt-BR, zh-Hans)."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


class LanguageTagsField(forms.CharField):
    """Comma-separated BCP 47 tags, cleaned into a list; the error names each bad tag."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        tags: list[str] = []
        bad: list[str] = []
        for raw in text.replace(";", ",").split(","):
            raw = raw.strip()
            if not raw:
                continue
            tag = _canonical_tag(raw)
            try:
                validate_language_tags([tag])
            except ValidationError:
                bad.append(raw)
                continue
            if tag not in tags:
                tags.append(tag)
        if bad:
            raise ValidationError(
                _("Not a BCP 47 language tag: {tags} (e.g. en, sv, pt-BR, zh-Hans).").format(
                    tags=", ".join(f"“{b}”" for b in bad)
                ),
                code="languages",
            )
        return tags


class ProfileForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(label=_label(Institution, "name"), max_length=200)
    short_name = forms.CharField(
        label=_label(Institution, "short_name"),
        max_length=50,
        required=False,
        help_text=_("Shown where space is short, e.g. KTH."),
    )
    erasmus_code = forms.CharField(
        label=_label(Institution, "erasmus_code"),
        max_length=20,
        required=False,
        help_text=Institution._meta.get_field("erasmus_code").help_text,
    )
    city = forms.CharField(label=_label(Institution, "city"), max_length=100)
    timezone = forms.ChoiceField(
        label=_label(Institution, "timezone"),
        help_text=_("Deadlines of your calls and events are shown in this time zone."),
    )
    website = forms.URLField(
        label=_label(Institution, "website"), required=False, assume_scheme="https"
    )
    languages = LanguageTagsField(
        label=_label(Institution, "languages"),
        required=False,
        help_text=_("BCP 47 tags separated by commas, e.g. en, sv, pt-BR."),
    )
    description = forms.CharField(
        label=_label(Institution, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, current_timezone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices(current_timezone)

    @classmethod
    def initial_for(cls, institution: Institution) -> dict[str, Any]:
        return {name: getattr(institution, name) for name in cls.base_fields}


# --- Organisational units -----------------------------------------------------------------


class UnitChoiceField(forms.ChoiceField):
    """One of the institution's units, by public id, shown indented as in the tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.units: dict[str, OrganisationalUnit] = {}

    def set_units(self, units: list[OrganisationalUnit], empty_label: str) -> None:
        self.units = {str(u.uuid): u for u in units}
        # Non-breaking spaces survive in <option>; they show the depth in the tree.
        self.choices = [("", empty_label)] + [
            (key, "\u00a0\u00a0\u00a0" * getattr(u, "depth", 0) + u.name)
            for key, u in self.units.items()
        ]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, OrganisationalUnit):
            return str(value.uuid)
        return value

    def clean(self, value: Any) -> OrganisationalUnit | None:
        key = super().clean(value)
        return self.units.get(key) if key else None


class UnitForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(label=_label(OrganisationalUnit, "name"), max_length=200)
    kind = forms.ChoiceField(label=_label(OrganisationalUnit, "kind"), choices=UnitKind.choices)
    code = forms.CharField(
        label=_label(OrganisationalUnit, "code"),
        max_length=50,
        required=False,
        help_text=_("Your own code for the unit, if it has one."),
    )
    parent = UnitChoiceField(label=_label(OrganisationalUnit, "parent"))
    website = forms.URLField(
        label=_label(OrganisationalUnit, "website"), required=False, assume_scheme="https"
    )

    def __init__(
        self,
        *args: Any,
        institution: Institution,
        unit: OrganisationalUnit | None = None,
        **kwargs: Any,
    ) -> None:
        if unit is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(unit, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        parent: UnitChoiceField = self.fields["parent"]  # type: ignore[assignment]
        parent.set_units(
            selectors.unit_choices(institution, exclude=unit),
            str(_("— none: a top-level unit —")),
        )


# --- Headcounts ---------------------------------------------------------------------------


class HeadcountYearForm(BoundedTextFormMixin, forms.Form):
    """One year's four numbers; a number left empty means the category is not counted."""

    def __init__(
        self, *args: Any, year: int | None = None, counts: dict[str, int] | None = None, **kwargs
    ) -> None:
        if year is not None and "initial" not in kwargs:
            kwargs["initial"] = {"year": year, **(counts or {})}
        super().__init__(*args, **kwargs)
        # The last year moves with the calendar, so the field is made per form. When editing,
        # the year names what is edited and stays fixed: to count another year, add it.
        self.fields["year"] = forms.IntegerField(
            label=_("Year"),
            min_value=FIRST_YEAR,
            max_value=last_headcount_year(),
            disabled=year is not None,
        )
        for category in HeadcountCategory:
            self.fields[category.value] = forms.IntegerField(
                label=category.label, min_value=0, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and all(data.get(c) is None for c in HeadcountCategory.values):
            raise ValidationError(_("Enter at least one number."))
        return data

    def counts(self) -> dict[str, int | None]:
        return {c: self.cleaned_data.get(c) for c in HeadcountCategory.values}


class HeadcountImportForm(BoundedTextFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "A CSV (UTF-8) or Excel (.xlsx) file whose first row names the columns "
            "year, category and count."
        ),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than {size} MB.").format(size=MAX_UPLOAD_BYTES // 2**20)
            )
        try:
            self.table = read_table(upload, upload.name)
        except SpreadsheetError as error:
            raise ValidationError(str(error)) from None
        return upload


# --- People -------------------------------------------------------------------------------


class PersonForm(BoundedTextFormMixin, forms.Form):
    given_name = forms.CharField(label=_label(Person, "given_name"), max_length=100)
    family_name = forms.CharField(label=_label(Person, "family_name"), max_length=100)
    email = forms.EmailField(label=_label(Person, "email"), required=False)
    position = forms.CharField(
        label=_label(Person, "position"),
        max_length=200,
        required=False,
        help_text=_("E.g. Head of International Relations."),
    )
    unit = UnitChoiceField(label=_label(Person, "unit"))

    def __init__(
        self, *args: Any, institution: Institution, person: Person | None = None, **kwargs: Any
    ) -> None:
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(person, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        unit: UnitChoiceField = self.fields["unit"]  # type: ignore[assignment]
        unit.set_units(selectors.unit_choices(institution), str(_("— no unit —")))
