"""Forms of the journeys pages. They only check input: services do the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.services import ServiceError
from intercampus.lib.spreadsheets import SpreadsheetError, read_table
from intercampus.onboarding.choices import (
    OffsetKind,
    Phase,
    StepCategory,
    StepOwner,
    TargetGroup,
)
from intercampus.onboarding.models.journeys import MAX_LINKS, MAX_OFFSET_DAYS, JourneyStep

MAX_SPREADSHEET_BYTES = 5 * 1024 * 1024
UPLOAD_ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


def add_errors(form: forms.Form, error: ServiceError | ValidationError) -> None:
    """Show what a service refused on the form: next to its field when the form has one."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TemplateForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(
        label=_("Active: new journeys of this target group start from this template"),
        required=False,
        initial=True,
    )

    @classmethod
    def initial_for(cls, template: Any) -> dict[str, Any]:
        return {name: getattr(template, name) for name in cls.base_fields}


class LinksField(forms.CharField):
    """Links, one a line, as "Title | https://address"; cleaned into a list of dicts."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{link['title']} | {link['url']}" for link in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        text = super().to_python(value) or ""
        links = []
        check = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, sep, url = line.rpartition("|")
            if not sep:
                title, url = line, line
            title, url = title.strip(), url.strip()
            try:
                check(url)
            except ValidationError:
                raise ValidationError(
                    _('Line {n}: write "Title | https://address".').format(n=number)
                ) from None
            links.append({"title": title or url, "url": url})
        if len(links) > MAX_LINKS:
            raise ValidationError(_("At most {n} links.").format(n=MAX_LINKS))
        return links


class StepForm(BoundedTextFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    owner_role = forms.ChoiceField(label=_("Who does it"), choices=StepOwner.choices)
    category = forms.ChoiceField(label=_("Category"), choices=StepCategory.choices)
    offset_days = forms.IntegerField(
        label=_("Due, in days from the anchor date"),
        min_value=-MAX_OFFSET_DAYS,
        max_value=MAX_OFFSET_DAYS,
        help_text=_("Negative for before arrival or matriculation, e.g. -30; 7 for a week after."),
    )
    offset_kind = forms.ChoiceField(
        label=_("Counted in"), choices=OffsetKind.choices, initial=OffsetKind.CALENDAR
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    description = forms.CharField(
        label=_("What to do"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    links = LinksField(
        label=_("Links"),
        required=False,
        help_text=_('One a line: "Title | https://address".'),
    )
    country = forms.ChoiceField(
        label=_("Only in country"),
        required=False,
        help_text=_("The step applies only when the host is in this country; leave empty for all."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=10_000,
        required=False,
        help_text=_("Orders the steps of a phase that fall due on the same day."),
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 5 MB, for the newcomer to download."),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    remove_document = forms.BooleanField(label=_("Remove the document"), required=False)

    def __init__(self, *args: Any, step: JourneyStep | None = None, **kwargs: Any) -> None:
        if step is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(step, name)
                for name in self.base_fields
                if name not in {"document", "remove_document"}
            }
            kwargs["initial"]["country"] = str(step.country or "")
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Every country")), *countries]
        if step is None or not step.document:
            del self.fields["remove_document"]

    def service_fields(self) -> dict[str, Any]:
        data = {
            k: v for k, v in self.cleaned_data.items() if k not in {"document", "remove_document"}
        }
        if data.get("position") is None:
            data.pop("position", None)
        return data


class NewcomerForm(BoundedTextFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    given_name = forms.CharField(label=_("Given name"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    target_group = forms.ChoiceField(
        label=_("Target group"),
        choices=[
            (TargetGroup.DEGREE_MASTER, TargetGroup.DEGREE_MASTER.label),
            (TargetGroup.PHD, TargetGroup.PHD.label),
            (TargetGroup.EXCHANGE, TargetGroup.EXCHANGE.label),
        ],
    )
    anchor_date = forms.DateField(
        label=_("Arrival or matriculation date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SpreadsheetForm(BoundedTextFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "A CSV (UTF-8) or Excel (.xlsx) file whose first row names the columns email, "
            "given_name, family_name, target_group and anchor_date."
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
        if upload.size > MAX_SPREADSHEET_BYTES:
            raise ValidationError(
                _("The file is larger than {size} MB.").format(size=MAX_SPREADSHEET_BYTES // 2**20)
            )
        try:
            self.table = read_table(upload, upload.name)
        except SpreadsheetError as error:
            raise ValidationError(str(error)) from None
        return upload


class EvidenceForm(BoundedTextFormMixin, forms.Form):
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


class CohortFilterForm(BoundedTextFormMixin, forms.Form):
    """The dashboard's filters (GET); they are read by selectors.CohortFilters."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    target_group = forms.ChoiceField(
        label=_("Target group"), required=False, choices=[("", _("All")), *TargetGroup.choices]
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All")), *Phase.choices]
    )
    owner = forms.ChoiceField(
        label=_("Step owner"), required=False, choices=[("", _("All")), *StepOwner.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *StepCategory.choices]
    )
    progress = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        choices=[
            ("", _("All")),
            ("behind", _("Behind")),
            ("on_track", _("On track")),
            ("complete", _("Complete")),
        ],
    )
