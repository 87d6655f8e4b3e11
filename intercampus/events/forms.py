"""Forms of the event pages. They only check input: services do the writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.services import ServiceError
from intercampus.events.choices import Group
from intercampus.events.models import Event
from intercampus.events.services import EVENT_FIELDS

DATETIME_FIELDS = ("starts", "ends", "registration_opens", "registration_closes")


def add_errors(form: forms.Form, error: ServiceError | ValidationError) -> None:
    """Show what a service refused on the form: next to its field when the form has one."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time typed and shown on the organiser's clock (its time zone), whatever the
    server's or the browser's; cleaned into an aware datetime."""

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


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        # A link typed without a scheme is taken as https://, as Django 6 will by default.
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EventForm(BoundedTextFormMixin, forms.Form):
    """An event's fields; dates and times on the organiser's clock (``zone``)."""

    def __init__(self, *args: Any, zone: str, event: Event | None = None, **kwargs: Any):
        if event is not None:
            kwargs.setdefault("initial", {name: getattr(event, name) for name in EVENT_FIELDS})
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(
            Event, fields=EVENT_FIELDS, formfield_callback=_formfield
        )
        for name in EVENT_FIELDS:
            field = model_fields[name]
            if name in DATETIME_FIELDS:
                field = ZonedDateTimeField(
                    zone=zone,
                    label=field.label,
                    required=field.required,
                    help_text=_("{help} Time in {zone}.")
                    .format(help=field.help_text or "", zone=zone)
                    .strip(),
                )
            if name == "description":
                field.widget.attrs["rows"] = 5
            self.fields[name] = field
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1


class RegistrationForm(BoundedTextFormMixin, forms.Form):
    """What a person says when registering: their group, only when their roles do not tell."""

    group = forms.ChoiceField(
        label=_("I am"),
        choices=[
            (Group.LOCAL, _("a local student")),
            (Group.INTERNATIONAL, _("an international student")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, group_known: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_known = group_known
        if group_known:
            del self.fields["group"]
        else:
            self.fields["group"].required = True
