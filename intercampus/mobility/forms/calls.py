"""Forms of the staff's call pages. They only check input: services do the writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.mobility.choices import DocumentKind, EqfLevel, MobilityType
from intercampus.mobility.models import Call, Place
from intercampus.mobility.models.agreements import academic_year_validator
from intercampus.mobility.services.calls import CALL_FIELDS


def _label(model: Any, name: str) -> Any:
    return capfirst(model._meta.get_field(name).verbose_name)


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time entered and shown in a named time zone (the institution's), not the
    server's; cleaned into an aware datetime."""

    def __init__(self, *, zone: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)
        self.zone = zone

    def to_python(self, value: Any) -> datetime.datetime | None:
        with timezone.override(self.zone):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(self.zone):
            return super().prepare_value(value)


class TermsField(forms.CharField):
    """EWP term ids separated by commas, cleaned into a list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class CallForm(BoundedTextFormMixin, forms.Form):
    title = forms.CharField(label=_label(Call, "title"), max_length=200)
    description = forms.CharField(
        label=_label(Call, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    academic_year = forms.CharField(
        label=_label(Call, "academic_year"),
        max_length=9,
        validators=[academic_year_validator],
        help_text=_("YYYY/YYYY, e.g. 2027/2028."),
    )
    terms = TermsField(
        label=_label(Call, "terms"),
        required=False,
        help_text=_("EWP term ids separated by commas, e.g. 2027/2028-1/2, 2027/2028-2/2."),
    )
    mobility_type = forms.ChoiceField(
        label=_label(Call, "mobility_type"), choices=MobilityType.choices
    )
    max_choices = forms.IntegerField(
        label=_label(Call, "max_choices"), min_value=1, max_value=10, initial=3
    )
    eligible_cycles = forms.TypedMultipleChoiceField(
        label=_label(Call, "eligible_cycles"),
        choices=EqfLevel.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to accept every cycle."),
    )
    required_documents = forms.MultipleChoiceField(
        label=_label(Call, "required_documents"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weight_grades = forms.IntegerField(
        label=_label(Call, "weight_grades"), min_value=0, max_value=100, initial=60
    )
    weight_language = forms.IntegerField(
        label=_label(Call, "weight_language"), min_value=0, max_value=100, initial=20
    )
    weight_committee = forms.IntegerField(
        label=_label(Call, "weight_committee"),
        min_value=0,
        max_value=100,
        initial=20,
        help_text=_("The three weights must add up to 100."),
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        # Inserted after the mobility type, so the window reads as one group.
        fields = list(self.fields.items())
        at = [name for name, _f in fields].index("mobility_type") + 1
        window = [
            (
                "opens_at",
                ZonedDateTimeField(
                    zone=zone,
                    label=_("Opens ({zone})").format(zone=zone),
                    help_text=_("Date and time in {zone}.").format(zone=zone),
                ),
            ),
            (
                "closes_at",
                ZonedDateTimeField(
                    zone=zone,
                    label=_("Closes ({zone})").format(zone=zone),
                    help_text=_(
                        "Date and time in {zone}; submissions are accepted until then."
                    ).format(zone=zone),
                ),
            ),
        ]
        self.fields = dict(fields[:at] + window + fields[at:])

    @classmethod
    def initial_for(cls, call: Call) -> dict[str, Any]:
        return {name: getattr(call, name) for name in CALL_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weights = [data.get(n) for n in ("weight_grades", "weight_language", "weight_committee")]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise ValidationError(
                _(
                    "The weights of grades, language level and committee score add up to "
                    "{total}; they must add up to 100."
                ).format(total=sum(weights))
            )
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        return data


class PlaceSeatsForm(BoundedTextFormMixin, forms.Form):
    seats = forms.IntegerField(label=_label(Place, "seats"), min_value=0)
