"""Forms of applications: the student's draft (kept as typed, saved where valid), document
upload, and the committee's score. They only check input: services do the writes.

The draft is not a plain Django form because a student types into it for days: every field is
kept exactly as typed (``Draft.raw``) and each part is checked on its own, so that one
half-typed value never stops the others from being saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.services import ServiceError
from intercampus.mobility.choices import (
    CEFR_ORDER,
    ApplicationState,
    CefrLevel,
    DocumentKind,
    EqfLevel,
)
from intercampus.mobility.eligibility import language_name
from intercampus.mobility.models import Application, ApplicationChoice, Place
from intercampus.mobility.services.applications import check_document

MAX_LANGUAGES = 10
MAX_MOTIVATION = 10_000
# BCP 47 in the subset students need: language, optional script, optional region.
_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


def canonical_tag(text: str) -> str:
    """BCP 47 tags are case-insensitive; write them the usual way (en, pt-BR, zh-Hans)."""
    parts = text.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


def parse_grade(text: str) -> Decimal | None:
    """A grade average from 0 to 100 with at most two decimals (comma or point); raises
    ValueError when it is not one. Empty means none."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


@dataclass
class Draft:
    """What the student typed, exactly, and what of it is valid.

    ``raw`` holds text only: grade_average, cycle, motivation (strings), languages (a list of
    [tag, level] rows) and choices (a list of place UUIDs, best first, "" for an empty rank).
    """

    raw: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    places: list[Place] | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def language_rows(self) -> list[list[str]]:
        return self.raw.get("languages", [])

    @property
    def choice_rows(self) -> list[str]:
        return self.raw.get("choices", [])


def raw_from_post(data: Mapping[str, Any], max_choices: int) -> dict[str, Any]:
    """The draft as typed in a posted form (``language_<i>``, ``level_<i>``, ``choice_<i>``)."""
    languages = []
    for i in range(MAX_LANGUAGES):
        tag, level = data.get(f"language_{i}"), data.get(f"level_{i}")
        if tag is None and level is None:
            continue
        languages.append([str(tag or "")[:50], str(level or "")[:2]])
    return {
        "grade_average": str(data.get("grade_average", ""))[:50],
        "cycle": str(data.get("cycle", ""))[:2],
        "languages": languages,
        "motivation": str(data.get("motivation", ""))[: MAX_MOTIVATION * 2],
        "choices": [str(data.get(f"choice_{i}", ""))[:40] for i in range(1, max_choices + 1)],
    }


def raw_from_application(application: Application, choices: Sequence[ApplicationChoice]) -> dict:
    """The draft as saved, for a page shown without anything typed since."""
    grade = application.grade_average
    return {
        "grade_average": "" if grade is None else f"{grade.normalize():f}",
        "cycle": "" if application.cycle is None else str(application.cycle),
        "languages": [[tag, level] for tag, level in (application.languages or {}).items()],
        "motivation": application.motivation,
        "choices": [str(c.place.uuid) for c in choices],
    }


def _clean_languages(rows: list[list[str]], errors: dict[str, str]) -> dict[str, str] | None:
    languages: dict[str, str] = {}
    ok = True
    for i, (text, level) in enumerate(rows):
        if not text.strip() and not level:
            continue
        tag = canonical_tag(text)
        if not _BCP47.match(tag):
            errors[f"language_{i}"] = str(
                _("Write the language as a code such as en, sv or pt-BR.")
            )
            ok = False
        elif level not in CEFR_ORDER:
            errors[f"language_{i}"] = str(_("Choose your level in {language}.")).format(
                language=language_name(tag)
            )
            ok = False
        elif tag in languages:
            errors[f"language_{i}"] = str(_("You listed {language} twice.")).format(
                language=language_name(tag)
            )
            ok = False
        else:
            languages[tag] = level
    # A half-typed row does not wipe the rows saved before: save the list once it is whole.
    return languages if ok else None


def _clean_choices(
    uuids: list[str], places: Mapping[str, Place], errors: dict[str, str]
) -> list[Place] | None:
    chosen: list[Place] = []
    ok = True
    for i, value in enumerate(uuids, start=1):
        if not value:
            continue
        place = places.get(value)
        if place is None:
            errors[f"choice_{i}"] = str(_("This place is not offered in this call."))
            ok = False
        elif place in chosen:
            errors[f"choice_{i}"] = str(_("You ranked {place} already.")).format(place=place)
            ok = False
        else:
            chosen.append(place)
    return chosen if ok else None


def clean_draft(raw: dict[str, Any], places: Mapping[str, Place]) -> Draft:
    """Check each part of ``raw``; the valid parts go to ``fields`` and ``places``."""
    draft = Draft(raw=raw)
    try:
        draft.fields["grade_average"] = parse_grade(raw.get("grade_average", ""))
    except ValueError:
        draft.errors["grade_average"] = str(
            _("Write your grade average as a number from 0 to 100, e.g. 84.5.")
        )
    cycle = raw.get("cycle", "")
    if not cycle:
        draft.fields["cycle"] = None
    elif cycle.isdigit() and int(cycle) in EqfLevel.values:
        draft.fields["cycle"] = int(cycle)
    else:
        draft.errors["cycle"] = str(_("Choose your study cycle from the list."))
    languages = _clean_languages(raw.get("languages", []), draft.errors)
    if languages is not None:
        draft.fields["languages"] = languages
    motivation = raw.get("motivation", "")
    if len(motivation) <= MAX_MOTIVATION:
        draft.fields["motivation"] = motivation
    else:
        draft.errors["motivation"] = str(
            _("Keep your motivation under {n} characters (it has {count}).")
        ).format(n=MAX_MOTIVATION, count=len(motivation))
    draft.places = _clean_choices(raw.get("choices", []), places, draft.errors)
    return draft


def missing_for_submission(draft: Draft) -> dict[str, str]:
    """What a draft still lacks to be submitted, every field at once (the service refuses an
    incomplete application too, but one field at a time). Fields already marked invalid keep
    their own message."""
    missing: dict[str, str] = {}
    if draft.fields.get("grade_average") is None and "grade_average" not in draft.errors:
        missing["grade_average"] = str(_("Enter your grade average."))
    if draft.fields.get("cycle") is None and "cycle" not in draft.errors:
        missing["cycle"] = str(_("Choose your study cycle."))
    if not any(draft.choice_rows):
        missing["choices"] = str(_("Rank at least one place."))
    return missing


# --- Documents ----------------------------------------------------------------------------


class DocumentForm(BoundedTextFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_document(upload, upload.name or "", upload.size or 0)
        except ServiceError as error:
            raise ValidationError(error.message) from None
        return upload


# --- Committee score ----------------------------------------------------------------------


class CommitteeScoreForm(BoundedTextFormMixin, forms.Form):
    committee_score = forms.DecimalField(
        label=_("Committee score (0–100)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty while the committee has not scored."),
    )


class StateFilterForm(BoundedTextFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("Submitted (every state)")),
            *ApplicationState.choices,
        ]


LEVEL_CHOICES = [("", _("Level")), *CefrLevel.choices]
CYCLE_CHOICES = [("", _("Choose…")), *EqfLevel.choices]
