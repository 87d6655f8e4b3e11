"""Forms of the buddy programme pages. They only check input: services do the writes (and
check again), and what a service refuses is shown on the form (``forms.add_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.institutions.models import OrganisationalUnit
from intercampus.onboarding.models.buddies import (
    MAX_CAPACITY,
    MAX_WEIGHT,
    MIN_CAPACITY,
    BuddyProgramme,
    CefrLevel,
    CheckInKind,
)

LANGUAGE_ROWS = 5
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def language_choices() -> list[tuple[str, str]]:
    """Languages by name in the reader's language (as Django knows them), with their own
    name when it differs."""
    names = []
    for code, info in LANG_INFO.items():
        if "name" not in info:
            continue
        name, local = str(gettext(info["name"])), info.get("name_local", "")
        label = f"{name} ({local})" if local and local != name else name
        names.append((code, label))
    return [("", "—"), *sorted(names, key=lambda item: item[1].casefold())]


def _split_labels(text: str) -> list[str]:
    """Labels written one a line or separated by commas."""
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


class ProgrammeForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    campus = forms.CharField(label=_("Campus"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    interest_choices = forms.CharField(
        label=_("Interests to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line or separated by commas. Leave empty to let people type their own."),
    )
    weight_two_languages = forms.IntegerField(
        label=_("Points for two or more shared languages"), min_value=0, max_value=MAX_WEIGHT
    )
    weight_one_language = forms.IntegerField(
        label=_("Points for one shared language"), min_value=0, max_value=MAX_WEIGHT
    )
    weight_faculty = forms.IntegerField(
        label=_("Points for the same faculty"), min_value=0, max_value=MAX_WEIGHT
    )
    weight_interests = forms.IntegerField(
        label=_("Points for common interests"),
        min_value=0,
        max_value=MAX_WEIGHT,
        help_text=_("Multiplied by the share of interests in common (Jaccard index)."),
    )
    weight_availability = forms.IntegerField(
        label=_("Points for arriving within the buddy's availability"),
        min_value=0,
        max_value=MAX_WEIGHT,
        help_text=_("One point less for each day outside it."),
    )
    active = forms.BooleanField(
        label=_("Active: open to sign-ups and matched automatically"),
        required=False,
        initial=True,
    )

    @classmethod
    def initial_for(cls, programme: BuddyProgramme | None) -> dict[str, Any]:
        if programme is None:
            model = BuddyProgramme()
            data = {name: getattr(model, name) for name in cls.base_fields}
            data["interest_choices"] = ""
            return data
        data = {name: getattr(programme, name) for name in cls.base_fields}
        data["interest_choices"] = "\n".join(programme.interest_choices or [])
        return data

    def clean_interest_choices(self) -> list[str]:
        return _split_labels(self.cleaned_data.get("interest_choices") or "")


class ParticipantForm(BoundedTextFormMixin, forms.Form):
    """Languages with levels, faculty and interests: what buddies and newcomers both say."""

    faculty = forms.ModelChoiceField(
        label=_("Faculty"),
        queryset=OrganisationalUnit.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="—",
    )
    faculty_label = forms.CharField(
        label=_("Faculty, if not in the list"), max_length=200, required=False
    )

    def __init__(self, *args: Any, programme: BuddyProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        choices = language_choices()
        for i in range(1, LANGUAGE_ROWS + 1):
            self.fields[f"language_{i}"] = forms.ChoiceField(
                label=_("Language {n}").format(n=i), choices=choices, required=i == 1
            )
            self.fields[f"level_{i}"] = forms.ChoiceField(
                label=_("Level of language {n}").format(n=i),
                choices=[("", "—"), *CefrLevel.choices],
                required=i == 1,
            )
        units = OrganisationalUnit.objects.filter(institution=programme.institution)
        self.fields["faculty"].queryset = units.order_by("name")
        if programme.interest_choices:
            self.fields["interests"] = forms.MultipleChoiceField(
                label=_("Interests"),
                choices=[(label, label) for label in programme.interest_choices],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["interests"] = forms.CharField(
                label=_("Interests"),
                required=False,
                max_length=1000,
                help_text=_("Separated by commas, e.g. hiking, chess, jazz."),
            )

    @property
    def language_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(1, LANGUAGE_ROWS + 1)]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        """Every field but the languages: faculty and interests first, then the rest."""
        first = ["faculty", "faculty_label", "interests"]
        rest = [
            name
            for name in self.fields
            if name not in first and not name.startswith(("language_", "level_"))
        ]
        return [self[name] for name in first + rest]

    @staticmethod
    def initial_for(profile: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "faculty": profile.faculty.uuid if profile.faculty_id else None,
            "faculty_label": profile.faculty_label,
            "interests": profile.interests
            if profile.programme.interest_choices
            else ", ".join(profile.interests or []),
        }
        for i, (tag, level) in enumerate(sorted(profile.languages.items()), start=1):
            if i > LANGUAGE_ROWS:
                break
            data[f"language_{i}"] = tag
            data[f"level_{i}"] = level
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        languages: dict[str, str] = {}
        for i in range(1, LANGUAGE_ROWS + 1):
            tag, level = data.get(f"language_{i}"), data.get(f"level_{i}")
            if tag and not level:
                self.add_error(f"level_{i}", _("Choose the level of this language."))
            elif level and not tag:
                self.add_error(f"language_{i}", _("Choose the language of this level."))
            elif tag in languages:
                self.add_error(f"language_{i}", _("This language is listed twice."))
            elif tag:
                languages[tag] = level
        data["languages"] = languages
        interests = data.get("interests") or []
        data["interests"] = _split_labels(interests) if isinstance(interests, str) else interests
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "languages": data["languages"],
            "faculty": data.get("faculty"),
            "faculty_label": data.get("faculty_label", ""),
            "interests": data["interests"],
        }


class BuddySignupForm(ParticipantForm):
    available_from = forms.DateField(label=_("Available from"), widget=DATE)
    available_to = forms.DateField(label=_("Available until"), widget=DATE)
    capacity = forms.IntegerField(
        label=_("How many newcomers can you take?"),
        min_value=MIN_CAPACITY,
        max_value=MAX_CAPACITY,
        initial=1,
        help_text=_("From {low} to {high}.").format(low=MIN_CAPACITY, high=MAX_CAPACITY),
    )
    active = forms.BooleanField(
        label=_("Take new newcomers when matching runs"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_to")
        if start and end and end < start:
            self.add_error("available_to", _("The availability must end on or after its start."))
        return data

    @staticmethod
    def initial_for(profile: Any) -> dict[str, Any]:
        return {
            **ParticipantForm.initial_for(profile),
            "available_from": profile.available_from,
            "available_to": profile.available_to,
            "capacity": profile.capacity,
            "active": profile.active,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "available_from": data["available_from"],
            "available_to": data["available_to"],
            "capacity": data["capacity"],
            "active": data.get("active", False),
        }


class NewcomerSignupForm(ParticipantForm):
    arrival_date = forms.DateField(
        label=_("Arrival date"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty to use the arrival date of your journey."),
    )

    @staticmethod
    def initial_for(profile: Any) -> dict[str, Any]:
        return {**ParticipantForm.initial_for(profile), "arrival_date": profile.arrival_date}

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "arrival_date": self.cleaned_data.get("arrival_date")}


class DeclineForm(BoundedTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckInForm(BoundedTextFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckInKind.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=24 * 60, initial=30)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
