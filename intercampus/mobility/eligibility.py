"""Is an applicant eligible for one ranked choice? A pure check with reasons in plain words.

No ORM: the caller passes plain data (the place's cycles and language level, the call's rules,
what the applicant declared and uploaded) and gets back a verdict and, when it fails, every
reason, each a sentence a student understands ("Your English is B1; this place asks for B2.").
The same function runs live while a student drafts and once more on submission.

Rules, in the order the reasons are listed:

1. The call's eligible cycles (none listed: every cycle) must contain the applicant's cycle.
2. The place's EQF levels (none listed: every cycle) must contain the applicant's cycle.
3. When the place names a language and a minimum CEFR level, the applicant's best level in
   that language must reach it. Tags match on the primary language (``en`` = ``en-GB``); a
   native speaker (``NS``) meets every level.
4. Every document the call requires must have been uploaded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from intercampus.mobility.choices import CEFR_ORDER, DocumentKind

# The students of a cycle and the programme they are in, as the reasons say them.
CYCLE_STUDENTS = {
    5: _("short-cycle students"),
    6: _("bachelor students"),
    7: _("master students"),
    8: _("doctoral candidates"),
}
CYCLE_PROGRAMMES = {
    5: _("a short-cycle programme"),
    6: _("a bachelor programme"),
    7: _("a master programme"),
    8: _("a doctoral programme"),
}


@dataclass(frozen=True)
class PlaceRules:
    """What a place asks: study cycles (EQF; empty means any) and a language level."""

    eqf_levels: tuple[int, ...] = ()
    language: str = ""
    min_cefr: str = ""


@dataclass(frozen=True)
class CallRules:
    """What the call asks of everyone: eligible cycles (empty means any) and documents."""

    eligible_cycles: tuple[int, ...] = ()
    required_documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Applicant:
    """What the applicant declared: cycle, languages (tag -> CEFR) and uploaded document kinds."""

    cycle: int | None = None
    languages: Mapping[str, str] = field(default_factory=dict)
    documents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Eligibility:
    """The verdict on one choice; ``reasons`` is empty exactly when ``eligible`` is true."""

    eligible: bool
    reasons: tuple[str, ...] = ()


def language_name(tag: str) -> str:
    """The language's name in the reader's language (``en`` -> English), else the tag itself."""
    for candidate in (tag.lower(), tag.split("-")[0].lower()):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag


def best_level(languages: Mapping[str, str], tag: str) -> str | None:
    """The applicant's highest CEFR level in the language ``tag`` (primary subtags compared)."""
    primary = tag.split("-")[0].lower()
    levels = [
        level
        for declared, level in languages.items()
        if declared.split("-")[0].lower() == primary and level in CEFR_ORDER
    ]
    return max(levels, key=CEFR_ORDER.__getitem__) if levels else None


def _cycle_list(cycles: Iterable[int]) -> str:
    names = [str(CYCLE_STUDENTS.get(c, f"EQF {c}")) for c in sorted(cycles)]
    return ", ".join(names)


def _eqf_list(cycles: Iterable[int]) -> str:
    return ", ".join(str(c) for c in sorted(cycles))


def _cycle_reasons(applicant: Applicant, allowed: Collection[int], for_place: bool) -> list[str]:
    if not allowed:
        return []
    if applicant.cycle is None:
        return [str(_("Tell us your study cycle: the eligibility depends on it."))]
    if applicant.cycle in allowed:
        return []
    programme = CYCLE_PROGRAMMES.get(applicant.cycle, f"EQF {applicant.cycle}")
    if for_place:
        message = _(
            "This place is for {students} (EQF {levels}); you are in {programme} (EQF {yours})."
        )
    else:
        message = _(
            "This call is for {students} (EQF {levels}); you are in {programme} (EQF {yours})."
        )
    return [
        str(message).format(
            students=_cycle_list(allowed),
            levels=_eqf_list(allowed),
            programme=programme,
            yours=applicant.cycle,
        )
    ]


def _language_reasons(place: PlaceRules, applicant: Applicant) -> list[str]:
    if not place.language or place.min_cefr not in CEFR_ORDER:
        return []
    name = language_name(place.language)
    level = best_level(applicant.languages, place.language)
    if level is None:
        return [
            str(
                _("This place asks for {language} at {needed}; you have not listed {language}.")
            ).format(language=name, needed=place.min_cefr)
        ]
    if CEFR_ORDER[level] < CEFR_ORDER[place.min_cefr]:
        return [
            str(_("Your {language} is {level}; this place asks for {needed}.")).format(
                language=name, level=level, needed=place.min_cefr
            )
        ]
    return []


def document_label(kind: str) -> str:
    try:
        return str(DocumentKind(kind).label)
    except ValueError:
        return kind


def _document_reasons(call: CallRules, applicant: Applicant) -> list[str]:
    missing = [kind for kind in call.required_documents if kind not in applicant.documents]
    return [
        str(_("Missing document: {document}.")).format(document=document_label(kind))
        for kind in missing
    ]


def check_choice(place: PlaceRules, call: CallRules, applicant: Applicant) -> Eligibility:
    """Whether ``applicant`` may be placed at ``place`` under ``call``, with every reason why not.

    Monotone: raising the applicant's cycle into an allowed set, a language level, or adding a
    document never turns an eligible choice into an ineligible one.
    """
    reasons = [
        *_cycle_reasons(applicant, call.eligible_cycles, for_place=False),
        *_cycle_reasons(applicant, place.eqf_levels, for_place=True),
        *_language_reasons(place, applicant),
        *_document_reasons(call, applicant),
    ]
    # The call and the place may both refuse a cycle in the same words; say it once.
    unique = tuple(dict.fromkeys(reasons))
    return Eligibility(eligible=not unique, reasons=unique)
