"""Forms of the secretariat's and the coordinators' staff pages.

Plain forms, not ModelForms: a form only reads and cleans what was typed; the service that
receives ``cleaned_data`` validates the whole object and writes it (and its audit entry).
Choices that depend on the consortium or the group are passed in by the view, from selectors.
Institutions are chosen by SCHAC code and people by UUID, never by integer key.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.institutions.models import Institution, Person
from intercampus.network.choices import (
    ActionStatus,
    MembershipKind,
    OutputStatus,
    PartnerRole,
    WorkGroupKind,
)

# Path segments that staff URLs use next to ``<slug>``: a group or project cannot take them.
RESERVED_SLUGS = frozenset({"new"})


class DateInput(forms.DateInput):
    """A native date picker; the value is sent as YYYY-MM-DD whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def institution_field(
    queryset, label: Any = None, *, required: bool = True
) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset,
        label=label or _("Institution"),
        required=required,
        to_field_name="schac",
        empty_label=_("Choose an institution"),
    )


def _timezone_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a time zone"))] + [
        (name, name) for name in sorted(zoneinfo.available_timezones())
    ]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a ``ValidationError`` raised by a service on ``form``: next to the field it names
    when the form has that field, else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


# --- Consortium and memberships ------------------------------------------------------------


class ConsortiumForm(BoundedTextFormMixin, forms.Form):
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class MembershipAddForm(BoundedTextFormMixin, forms.Form):
    """Make an institution already on the platform a member or associate partner."""

    institution = institution_field(Institution.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=MembershipKind.choices)
    since = date_field(_("Since"))

    def __init__(self, *args: Any, institutions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class MemberInstitutionForm(BoundedTextFormMixin, forms.Form):
    """A new institution and its membership, in one form."""

    schac = forms.CharField(
        label=_("SCHAC code"),
        max_length=100,
        help_text=_("The institution's lower-case internet domain, e.g. kth.se."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    country = forms.TypedChoiceField(
        label=_("Country"), choices=[("", _("Choose a country")), *countries]
    )
    city = forms.CharField(label=_("City"), max_length=100)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezone_choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    kind = forms.ChoiceField(label=_("Kind of membership"), choices=MembershipKind.choices)
    since = date_field(_("Member since"))

    def clean_schac(self) -> str:
        return self.cleaned_data["schac"].strip().lower()

    def institution_fields(self) -> dict[str, Any]:
        names = ("schac", "name", "short_name", "country", "city", "timezone", "website")
        return {name: self.cleaned_data[name] for name in names}


class MembershipChangeForm(BoundedTextFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MembershipKind.choices)
    since = date_field(_("Since"))
    until = date_field(_("Until"), required=False, help_text=_("Set a date to end the membership."))


# --- Work groups ---------------------------------------------------------------------------


class WorkGroupForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short code"),
        max_length=50,
        help_text=_("Used in web addresses, e.g. associate-partners."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkGroupKind.choices)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 4}))
    aims = forms.CharField(
        label=_("Aims"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One aim per line."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This short code is reserved; choose another."))
        return slug

    def clean_aims(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aims"].splitlines() if line.strip()]

    @staticmethod
    def initial_from(group) -> dict[str, Any]:
        return {
            "name": group.name,
            "slug": group.slug,
            "kind": group.kind,
            "purpose": group.purpose,
            "aims": "\n".join(group.aims or []),
            "is_active": group.is_active,
        }


class AppointmentForm(BoundedTextFormMixin, forms.Form):
    """The General Assembly's decision appointing a coordinator institution."""

    institution = institution_field(Institution.objects.none(), _("Coordinator institution"))
    decided_on = date_field(_("Decided on"))
    decision_text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=50,
        required=False,
        help_text=_("e.g. the minutes' item number, GA-2026-04."),
    )
    term_start = date_field(
        _("Term starts"), required=False, help_text=_("Leave empty to start on the decision date.")
    )
    term_end = date_field(_("Term ends"), required=False)

    def __init__(self, *args: Any, institutions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class WorkGroupMemberForm(BoundedTextFormMixin, forms.Form):
    """Seat an institution, with a representative from its people or a new one typed here."""

    institution = institution_field(Institution.objects.none())
    representative = forms.ChoiceField(
        label=_("Representative"),
        required=False,
        help_text=_("One of the institution's people, or leave empty and name a new one below."),
    )
    since = date_field(_("Member since"), required=False)
    given_name = forms.CharField(
        label=_("New representative: given name"), max_length=100, required=False
    )
    family_name = forms.CharField(
        label=_("New representative: family name"), max_length=100, required=False
    )
    position = forms.CharField(
        label=_("New representative: position"), max_length=200, required=False
    )
    email = forms.EmailField(label=_("New representative: e-mail address"), required=False)

    NEW_PERSON_FIELDS = ("given_name", "family_name", "position", "email")

    def __init__(self, *args: Any, institutions, people: Iterable[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self._people = {str(p.uuid): p for p in people}
        groups: dict[str, list[tuple[str, str]]] = {}
        for person in people:
            label = str(person) + (f" ({person.position})" if person.position else "")
            groups.setdefault(person.institution.name, []).append((str(person.uuid), label))
        self.fields["representative"].choices = [("", _("No one yet")), *groups.items()]

    def clean_representative(self) -> Person | None:
        value = self.cleaned_data["representative"]
        return self._people.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        person = data.get("representative")
        institution = data.get("institution")
        typed_new = any(data.get(name) for name in self.NEW_PERSON_FIELDS)
        if person is not None and typed_new:
            self.add_error(
                "representative",
                _("Choose a representative or name a new one, not both."),
            )
        elif person is not None and institution is not None:
            if person.institution_id != institution.pk:
                self.add_error(
                    "representative",
                    _("The representative must work at the member institution."),
                )
        elif typed_new:
            for name in ("given_name", "family_name"):
                if not data.get(name):
                    self.add_error(name, _("Give the new representative's full name."))
        return data

    def new_person(self) -> dict[str, str] | None:
        """The typed-in representative, if one was typed."""
        if not self.cleaned_data.get("given_name"):
            return None
        return {name: self.cleaned_data[name] for name in self.NEW_PERSON_FIELDS}


class AccessPointForm(BoundedTextFormMixin, forms.Form):
    institution = institution_field(Institution.objects.none())
    since = date_field(_("Since"), required=False)

    def __init__(self, *args: Any, institutions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].help_text = _(
            "The institution becomes the access point for its own country, replacing any other."
        )


# --- Projects ------------------------------------------------------------------------------


class ProjectForm(BoundedTextFormMixin, forms.Form):
    slug = forms.SlugField(
        label=_("Short code"), max_length=50, help_text=_("Used in web addresses, e.g. incomm.")
    )
    acronym = forms.CharField(label=_("Acronym"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=300)
    programme = forms.CharField(
        label=_("Funding programme"),
        max_length=200,
        help_text=_("e.g. Erasmus+ strategic partnership"),
    )
    grant_reference = forms.CharField(label=_("Grant reference"), max_length=100, required=False)
    start = date_field(_("Starts"))
    end = date_field(_("Ends"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    FIELDS = (
        "slug",
        "acronym",
        "name",
        "programme",
        "grant_reference",
        "start",
        "end",
        "description",
        "website",
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This short code is reserved; choose another."))
        return slug

    @classmethod
    def initial_from(cls, project) -> dict[str, Any]:
        return {name: getattr(project, name) for name in cls.FIELDS}


class ProjectPartnerForm(BoundedTextFormMixin, forms.Form):
    institution = institution_field(
        Institution.objects.none(), _("Institution on the platform"), required=False
    )
    outside_name = forms.CharField(
        label=_("Or an outside organisation"), max_length=200, required=False
    )
    outside_country = forms.TypedChoiceField(
        label=_("Country of the outside organisation"),
        choices=[("", _("Choose a country")), *countries],
        required=False,
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices)

    def __init__(self, *args: Any, institutions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].empty_label = _("None: an outside organisation")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        institution, outside = data.get("institution"), data.get("outside_name", "").strip()
        if bool(institution) == bool(outside):
            raise ValidationError(
                _(
                    "Choose an institution on the platform or name an outside organisation, "
                    "not both."
                )
            )
        if outside and not data.get("outside_country"):
            self.add_error("outside_country", _("Give the outside organisation's country."))
        if institution:
            data["outside_country"] = ""
        data["outside_name"] = outside
        return data


class ProjectOutputForm(BoundedTextFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    due = date_field(_("Due"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=OutputStatus.choices)


class OutputStatusForm(BoundedTextFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OutputStatus.choices)


# --- Meetings, decisions and actions (the coordinator) -------------------------------------


class MeetingForm(BoundedTextFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = date_field(_("Date"))
    location = forms.CharField(
        label=_("Place or link"),
        max_length=300,
        required=False,
        help_text=_("A city, a room or a video link."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    FIELDS = ("title", "date", "location", "summary")

    def meeting_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    @classmethod
    def initial_from(cls, meeting) -> dict[str, Any]:
        return {name: getattr(meeting, name) for name in cls.FIELDS}


class MeetingCreateForm(MeetingForm):
    """A new meeting, with the first decision taken at it if there was one."""

    decision_text = forms.CharField(
        label=_("First decision (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Record a decision taken at this meeting now; add more on its page."),
    )


class DecisionForm(BoundedTextFormMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label=_("Reference"), max_length=50, required=False)


class ActionForm(BoundedTextFormMixin, forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = institution_field(Institution.objects.none(), _("Owner"))
    due = date_field(_("Due"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN
    )

    def __init__(self, *args: Any, institutions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = institutions


class ActionStatusForm(BoundedTextFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
