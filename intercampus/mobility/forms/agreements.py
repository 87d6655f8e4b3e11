"""Forms of the agreement pages. They read and check what was typed; the services in
``mobility.services.agreements`` validate the whole and write it.

Institutions are named by SCHAC code, units and copies by UUID or EWP id, never by integer key.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.lib.codes import validate_language_tags
from intercampus.mobility import isced
from intercampus.mobility.choices import AgreementStatus, EqfLevel, MobilityType
from intercampus.mobility.models import Agreement, CooperationCondition

ACADEMIC_YEAR_PATTERN = "[0-9]{4}/[0-9]{4}"
CEFR_CHOICES = [("", _("Any level"))] + [(c, c) for c in ("A1", "A2", "B1", "B2", "C1", "C2")]
# Offered in the language field's suggestions; any BCP 47 tag may be typed.
COMMON_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "pt-BR", "nl", "sv", "fi", "da", "nb", "pl", "cs",
    "sk", "hu", "ro", "el", "ca", "ru", "uk", "tr", "ar", "zh-Hans", "zh-Hant", "ja", "ko",
)  # fmt: skip


def add_errors(form: forms.Form, error: ServiceError | ValidationError) -> None:
    """Show what a service refused on the form: next to its field (or its group of fields,
    see ``ConditionForm.GROUPS``) when the form has one, else at the top."""
    groups = getattr(form, "group_errors", None)
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            if groups is not None and name in groups:
                groups[name].extend(e for err in errors for e in err.messages)
                form.add_error(None, _("Please correct the fields marked below."))
            else:
                form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def language_suggestions(*institutions: Institution | None) -> list[tuple[str, str]]:
    """(tag, name) for the language field's datalist: the partners' languages first."""
    tags: list[str] = []
    for institution in institutions:
        for tag in getattr(institution, "languages", None) or []:
            if tag not in tags:
                tags.append(tag)
    tags += [t for t in COMMON_LANGUAGES if t not in tags]
    return [(tag, _language_name(tag)) for tag in tags]


def _language_name(tag: str) -> str:
    for candidate in (tag, tag.lower(), tag.split("-")[0]):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag


def _text(label: Any, *, required: bool = False, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.TextInput(attrs=attrs or None)
    )


def _isced_field(label: Any) -> forms.CharField:
    """A four-digit code typed with suggestions from the ``isced-f-codes`` datalist."""
    return _text(
        label,
        list="isced-f-codes",
        autocomplete="off",
        size="6",
        pattern="[0-9]{4}",
        inputmode="numeric",
    )


# --- The list ------------------------------------------------------------------------------


class AgreementFilterForm(BoundedTextFormMixin, forms.Form):
    """The list's filters and search (GET); every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("A code, an agreement id, or the partner's name or SCHAC code."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + list(AgreementStatus.choices),
    )
    mobility_type = forms.ChoiceField(
        label=_("Mobility type"),
        required=False,
        choices=[("", _("Any type"))] + list(MobilityType.choices),
    )
    academic_year = forms.RegexField(
        label=_("Academic year"),
        required=False,
        regex=rf"^{ACADEMIC_YEAR_PATTERN}$",
        error_messages={"invalid": _("Write the academic year as YYYY/YYYY, e.g. 2026/2027.")},
        widget=forms.TextInput(
            attrs={"placeholder": "2026/2027", "pattern": ACADEMIC_YEAR_PATTERN}
        ),
    )

    def __init__(self, *args: Any, partners: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("Every partner"))] + [
            (code, f"{name} ({code})" if name != code else code) for code, name in partners
        ]

    def filters(self) -> dict[str, str]:
        """The filters that were given and valid, ready for ``selectors.agreements_of``."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- A copy ---------------------------------------------------------------------------------


def _unit_field(institution: Institution, label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        required=False,
        queryset=OrganisationalUnit.objects.filter(institution=institution).order_by("name"),
        to_field_name="uuid",
        empty_label=_("The whole institution"),
    )


# The condition fields a form edits one to one; subject areas and languages come in rows.
PLAIN_CONDITION_FIELDS = (
    "mobility_type",
    "sending_hei_id",
    "sending_ounit_id",
    "receiving_hei_id",
    "receiving_ounit_id",
    "first_academic_year",
    "last_academic_year",
    "mobilities_per_year",
    "total_months_per_year",
    "total_days_per_year",
    "eqf_levels",
    "blended",
    "other_info",
)


class AgreementForm(BoundedTextFormMixin, forms.Form):
    """Create a copy (with the partner) or change its code and units (without)."""

    partner_hei_id = _text(
        _("Partner (SCHAC code)"),
        required=True,
        list="platform-institutions",
        autocomplete="off",
        placeholder="kth.se",
    )
    iia_code = forms.CharField(
        label=_("Agreement code"),
        max_length=100,
        help_text=_("The code people quote, e.g. ERASMUS-2026-KTH. Not part of the approval."),
    )
    owner_ounit = forms.ModelChoiceField(queryset=OrganisationalUnit.objects.none())
    partner_ounit_id = _text(
        _("Partner's unit id"),
        list="partner-units",
        autocomplete="off",
    )
    # Shown once a partner code is not known on the platform: a typo would otherwise create
    # an agreement with an institution that does not exist.
    partner_elsewhere = forms.BooleanField(
        label=_("Yes, this partner is not on the platform: reach it through Erasmus Without Paper"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, owner: Institution, with_partner: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner_ounit"] = _unit_field(owner, _("Our unit"))
        self.fields["partner_ounit_id"].help_text = _(
            "Optional. For a partner on the platform, the id of one of its units (listed as "
            "you type); for a partner elsewhere, the unit id it uses in EWP."
        )
        self.fields["partner_hei_id"].help_text = _(
            "Choose an institution on the platform as you type, or give the SCHAC code of any "
            "other institution: it will be reached through Erasmus Without Paper."
        )
        if not with_partner:
            del self.fields["partner_hei_id"]
            del self.fields["partner_elsewhere"]
        self.order_fields(
            ["partner_hei_id", "partner_elsewhere", "iia_code", "owner_ounit", "partner_ounit_id"]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = (cleaned.get("partner_hei_id") or "").strip().lower()
        if "partner_elsewhere" not in self.fields or not code:
            return cleaned
        if (
            not cleaned.get("partner_elsewhere")
            and not Institution.objects.filter(schac__iexact=code).exists()
        ):
            self.fields["partner_elsewhere"].widget = forms.CheckboxInput()
            self.add_error(
                "partner_hei_id",
                _(
                    "No institution with the code {code} is known here. Check the code, or "
                    "confirm below that this partner is not on the platform."
                ).format(code=code),
            )
        cleaned.pop("partner_elsewhere", None)
        return cleaned

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, Any]:
        return {
            "iia_code": agreement.iia_code,
            "owner_ounit": agreement.owner_ounit,
            "partner_ounit_id": agreement.partner_ounit_id,
        }


class AdoptForm(BoundedTextFormMixin, forms.Form):
    """Create our copy from the partner's: only our own code and unit are asked."""

    iia_code = forms.CharField(label=_("Our agreement code"), max_length=100)
    owner_ounit = forms.ModelChoiceField(queryset=OrganisationalUnit.objects.none())

    def __init__(self, *args: Any, owner: Institution, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner_ounit"] = _unit_field(owner, _("Our unit"))


class LinkForm(BoundedTextFormMixin, forms.Form):
    """Which copy of the partner ours is tied to."""

    partner_iia_id = forms.CharField(label=_("The partner's agreement id"), max_length=64)
    partner_iia_code = forms.CharField(
        label=_("The partner's agreement code"), max_length=100, required=False
    )

    def __init__(self, *args: Any, candidates: list[Agreement], on_platform: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if on_platform:
            self.fields["partner_iia_id"] = forms.ChoiceField(
                label=_("The partner's copy"),
                choices=[
                    (c.iia_id, _("{code} (agreement id {id})").format(code=c.iia_code, id=c.iia_id))
                    for c in candidates
                ],
                widget=forms.RadioSelect,
            )
            del self.fields["partner_iia_code"]
        else:
            self.fields["partner_iia_id"].help_text = _(
                "The id the partner gave its own copy in EWP (1 to 64 printable characters)."
            )


class ApproveForm(BoundedTextFormMixin, forms.Form):
    """The version of the partner's copy the person saw; approval is refused if it changed."""

    iia_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


# --- A cooperation condition ----------------------------------------------------------------


def _index_count(data: Any, pattern: str, minimum: int, initial: int) -> int:
    """How many rows to show: what was posted, else what there is plus an empty row."""
    found = [int(m[1]) for key in (data or {}) if (m := re.match(pattern, key))]
    return max([minimum, initial + 1, *found])


class ConditionForm(BoundedTextFormMixin, forms.Form):
    """One cooperation condition, with rows for subject areas and recommended languages."""

    GROUPS = ("subject_areas", "language_skills")

    mobility_type = forms.ChoiceField(label=_("Mobility type"), choices=MobilityType.choices)
    sending_hei_id = forms.ChoiceField(label=_("Sending institution"))
    sending_ounit_id = _text(_("Sending unit id"), list="condition-units", autocomplete="off")
    receiving_hei_id = forms.ChoiceField(label=_("Receiving institution"))
    receiving_ounit_id = _text(_("Receiving unit id"), list="condition-units", autocomplete="off")
    first_academic_year = forms.RegexField(
        label=_("First academic year"),
        regex=rf"^{ACADEMIC_YEAR_PATTERN}$",
        error_messages={"invalid": _("Write the academic year as YYYY/YYYY, e.g. 2026/2027.")},
        widget=forms.TextInput(
            attrs={"placeholder": "2026/2027", "pattern": ACADEMIC_YEAR_PATTERN}
        ),
        help_text=_("In the receiving institution's calendar."),
    )
    last_academic_year = forms.RegexField(
        label=_("Last academic year"),
        regex=rf"^{ACADEMIC_YEAR_PATTERN}$",
        error_messages={"invalid": _("Write the academic year as YYYY/YYYY, e.g. 2026/2027.")},
        widget=forms.TextInput(
            attrs={"placeholder": "2028/2029", "pattern": ACADEMIC_YEAR_PATTERN}
        ),
    )
    mobilities_per_year = forms.IntegerField(
        label=_("Mobilities per year"), min_value=1, max_value=10000
    )
    total_months_per_year = forms.DecimalField(
        label=_("Total months per year"),
        required=False,
        min_value=0.01,
        max_digits=7,
        decimal_places=2,
        help_text=_("Student mobility only: all students together."),
    )
    total_days_per_year = forms.DecimalField(
        label=_("Total days per year"),
        required=False,
        min_value=0.01,
        max_digits=7,
        decimal_places=2,
        help_text=_("Staff mobility only: all staff together."),
    )
    eqf_levels = forms.TypedMultipleChoiceField(
        label=_("Study cycles (EQF)"),
        required=False,
        coerce=int,
        choices=EqfLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Student mobility only. None chosen means any cycle."),
    )
    blended = forms.BooleanField(
        label=_("Willing to host blended mobility (student mobility only)"), required=False
    )
    other_info = forms.CharField(
        label=_("Other information"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        agreement: Agreement,
        institution_names: dict[str, str],
        subject_rows: int = 0,
        language_rows: int = 0,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {name: [] for name in self.GROUPS}
        partners = [agreement.owner.schac, agreement.partner_hei_id]
        choices = [(code, f"{institution_names.get(code, code)} ({code})") for code in partners]
        self.fields["sending_hei_id"].choices = choices
        self.fields["receiving_hei_id"].choices = choices[::-1]
        self.subject_count = _index_count(self.data, r"^subject_(\d+)_code$", 2, subject_rows)
        self.language_count = _index_count(self.data, r"^language_(\d+)$", 2, language_rows)
        for i in range(1, self.subject_count + 1):
            self.fields[f"subject_{i}_code"] = _isced_field(
                _("Subject area {n}: ISCED-F code").format(n=i)
            )
            self.fields[f"subject_{i}_clarification"] = _text(
                _("Subject area {n}: clarification").format(n=i)
            )
        for i in range(1, self.language_count + 1):
            self.fields[f"language_{i}"] = _text(
                _("Language {n}").format(n=i), list="language-tags", autocomplete="off", size="8"
            )
            self.fields[f"language_{i}_level"] = forms.ChoiceField(
                label=_("Language {n}: level (CEFR)").format(n=i),
                choices=CEFR_CHOICES,
                required=False,
            )
            self.fields[f"language_{i}_area"] = _isced_field(
                _("Language {n}: for subject area (optional)").format(n=i)
            )

    @classmethod
    def initial_for(cls, condition: CooperationCondition) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(condition, name) for name in PLAIN_CONDITION_FIELDS
        }
        for i, area in enumerate(condition.subject_areas or [], start=1):
            initial[f"subject_{i}_code"] = area.get("isced_f_code", "")
            initial[f"subject_{i}_clarification"] = area.get("isced_clarification", "")
        for i, skill in enumerate(condition.language_skills or [], start=1):
            initial[f"language_{i}"] = skill.get("language", "")
            initial[f"language_{i}_level"] = skill.get("cefr_level", "")
            initial[f"language_{i}_area"] = skill.get("isced_f_code", "")
        return initial

    # Rows, for the template.
    def subject_rows(self) -> list[tuple[int, Any, Any]]:
        return [
            (i, self[f"subject_{i}_code"], self[f"subject_{i}_clarification"])
            for i in range(1, self.subject_count + 1)
        ]

    def language_rows(self) -> list[tuple[int, Any, Any, Any]]:
        return [
            (i, self[f"language_{i}"], self[f"language_{i}_level"], self[f"language_{i}_area"])
            for i in range(1, self.language_count + 1)
        ]

    def main_fields(self) -> list[Any]:
        names = (
            "mobility_type",
            "sending_hei_id",
            "sending_ounit_id",
            "receiving_hei_id",
            "receiving_ounit_id",
            "first_academic_year",
            "last_academic_year",
            "mobilities_per_year",
            "total_months_per_year",
            "total_days_per_year",
        )
        return [self[name] for name in names]

    def other_fields(self) -> list[Any]:
        return [self[name] for name in ("eqf_levels", "blended", "other_info")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, value in list(data.items()):
            if name.endswith(("_code", "_area")) and value:
                if not isced.is_detailed_code(value.strip()):
                    self.add_error(name, _("Not a four-digit ISCED-F 2013 code."))
            elif re.match(r"^language_\d+$", name) and value:
                try:
                    validate_language_tags([value.strip()])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def condition_fields(self) -> dict[str, Any]:
        """The cleaned values as ``services.agreements.condition_add`` takes them."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in PLAIN_CONDITION_FIELDS}
        fields["subject_areas"] = [
            {
                "isced_f_code": data[f"subject_{i}_code"].strip(),
                "isced_clarification": data.get(f"subject_{i}_clarification", ""),
            }
            for i in range(1, self.subject_count + 1)
            if data.get(f"subject_{i}_code", "").strip()
        ]
        fields["language_skills"] = [
            {
                "language": data[f"language_{i}"].strip(),
                "cefr_level": data.get(f"language_{i}_level", ""),
                "isced_f_code": data.get(f"language_{i}_area", "").strip(),
            }
            for i in range(1, self.language_count + 1)
            if data.get(f"language_{i}", "").strip()
        ]
        return fields
