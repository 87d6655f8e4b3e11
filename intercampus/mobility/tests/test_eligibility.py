"""The pure eligibility check and the score: examples and properties (hypothesis)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercampus.mobility.choices import CEFR_ORDER
from intercampus.mobility.eligibility import Applicant, CallRules, PlaceRules, check_choice
from intercampus.mobility.scoring import Weights, compute_score, language_points, tiebreak

LEVELS = list(CEFR_ORDER)
CYCLES = [5, 6, 7, 8]
DOCUMENTS = ["transcript", "language_certificate", "motivation_letter", "cv", "other"]

MASTER_PLACE = PlaceRules(eqf_levels=(7,), language="en", min_cefr="B2")
OPEN_CALL = CallRules()


def test_an_applicant_who_meets_every_rule_is_eligible_with_no_reason():
    applicant = Applicant(cycle=7, languages={"en": "C1"})
    verdict = check_choice(MASTER_PLACE, OPEN_CALL, applicant)
    assert verdict.eligible
    assert verdict.reasons == ()


def test_a_language_level_below_the_place_says_both_levels():
    verdict = check_choice(MASTER_PLACE, OPEN_CALL, Applicant(cycle=7, languages={"en": "B1"}))
    assert not verdict.eligible
    assert verdict.reasons == ("Your English is B1; this place asks for B2.",)


def test_a_language_not_listed_at_all_is_named():
    verdict = check_choice(MASTER_PLACE, OPEN_CALL, Applicant(cycle=7, languages={"fr": "C2"}))
    assert verdict.reasons == ("This place asks for English at B2; you have not listed English.",)


def test_a_regional_variant_counts_for_the_language():
    verdict = check_choice(MASTER_PLACE, OPEN_CALL, Applicant(cycle=7, languages={"en-GB": "B2"}))
    assert verdict.eligible


def test_a_native_speaker_meets_every_level():
    place = PlaceRules(language="en", min_cefr="C2")
    assert check_choice(place, OPEN_CALL, Applicant(languages={"en": "NS"})).eligible


def test_the_wrong_cycle_for_the_place_says_which_cycle_is_asked():
    verdict = check_choice(MASTER_PLACE, OPEN_CALL, Applicant(cycle=6, languages={"en": "C1"}))
    assert verdict.reasons == (
        "This place is for master students (EQF 7); you are in a bachelor programme (EQF 6).",
    )


def test_the_call_can_refuse_a_cycle_for_every_place():
    call = CallRules(eligible_cycles=(6,))
    verdict = check_choice(PlaceRules(), call, Applicant(cycle=7))
    assert verdict.reasons == (
        "This call is for bachelor students (EQF 6); you are in a master programme (EQF 7).",
    )


def test_an_unknown_cycle_asks_the_student_to_say_it_once():
    call = CallRules(eligible_cycles=(7,))
    verdict = check_choice(MASTER_PLACE, call, Applicant(languages={"en": "C1"}))
    assert verdict.reasons == ("Tell us your study cycle: the eligibility depends on it.",)


def test_each_missing_document_is_a_reason():
    call = CallRules(required_documents=("transcript", "language_certificate"))
    applicant = Applicant(cycle=7, languages={"en": "C1"}, documents=frozenset({"transcript"}))
    verdict = check_choice(MASTER_PLACE, call, applicant)
    assert verdict.reasons == ("Missing document: Language certificate.",)


def test_every_failing_rule_is_listed():
    call = CallRules(required_documents=("cv",))
    verdict = check_choice(MASTER_PLACE, call, Applicant(cycle=6, languages={"en": "A2"}))
    assert len(verdict.reasons) == 3


places = st.builds(
    PlaceRules,
    eqf_levels=st.lists(st.sampled_from(CYCLES), unique=True, max_size=3).map(tuple),
    language=st.sampled_from(["", "en", "fr", "pt-BR"]),
    min_cefr=st.sampled_from(["", *LEVELS[:-1]]),
)
calls = st.builds(
    CallRules,
    eligible_cycles=st.lists(st.sampled_from(CYCLES), unique=True, max_size=3).map(tuple),
    required_documents=st.lists(st.sampled_from(DOCUMENTS), unique=True, max_size=3).map(tuple),
)
applicants = st.builds(
    Applicant,
    cycle=st.one_of(st.none(), st.sampled_from(CYCLES)),
    languages=st.dictionaries(st.sampled_from(["en", "fr", "pt", "sv"]), st.sampled_from(LEVELS)),
    documents=st.frozensets(st.sampled_from(DOCUMENTS)),
)


@given(places, calls, applicants)
def test_a_verdict_is_eligible_exactly_when_it_has_no_reason(place, call, applicant):
    verdict = check_choice(place, call, applicant)
    assert verdict.eligible == (not verdict.reasons)
    assert all(isinstance(r, str) and r for r in verdict.reasons)


@given(places, calls, applicants, st.sampled_from(["en", "fr", "pt", "sv"]), st.data())
def test_a_higher_language_level_never_makes_a_choice_ineligible(
    place, call, applicant, language, data
):
    before = check_choice(place, call, applicant)
    current = applicant.languages.get(language)
    higher = [lv for lv in LEVELS if current is None or CEFR_ORDER[lv] >= CEFR_ORDER[current]]
    better = Applicant(
        cycle=applicant.cycle,
        languages={**applicant.languages, language: data.draw(st.sampled_from(higher))},
        documents=applicant.documents,
    )
    after = check_choice(place, call, better)
    assert len(after.reasons) <= len(before.reasons)
    if before.eligible:
        assert after.eligible


@given(places, calls, applicants, st.sampled_from(DOCUMENTS))
def test_uploading_a_document_never_makes_a_choice_ineligible(place, call, applicant, kind):
    before = check_choice(place, call, applicant)
    more = Applicant(
        cycle=applicant.cycle,
        languages=applicant.languages,
        documents=applicant.documents | {kind},
    )
    after = check_choice(place, call, more)
    assert set(after.reasons) <= set(before.reasons)


@given(places, calls, applicants)
def test_relaxing_the_rules_never_makes_a_choice_ineligible(place, call, applicant):
    strict = check_choice(place, call, applicant)
    relaxed = check_choice(
        PlaceRules(language=place.language, min_cefr=place.min_cefr),
        CallRules(required_documents=call.required_documents),
        applicant,
    )
    if strict.eligible:
        assert relaxed.eligible


# --- Scoring --------------------------------------------------------------------------------

weights = (
    st.tuples(st.integers(0, 100), st.integers(0, 100))
    .filter(lambda w: w[0] + w[1] <= 100)
    .map(lambda w: Weights(grades=w[0], language=w[1], committee=100 - w[0] - w[1]))
)
marks = st.one_of(st.none(), st.decimals(0, 100, places=2))
level_sets = st.lists(st.sampled_from(LEVELS), max_size=3)


def test_the_score_is_the_weighted_mean_of_its_parts():
    score = compute_score(
        grade_average=Decimal("80"),
        language_levels=["B2", "C1"],
        committee_score=Decimal("50"),
        weights=Weights(grades=60, language=20, committee=20),
    )
    # 0.6 * 80 + 0.2 * (100 * 5 / 6) + 0.2 * 50 = 48 + 16.666… + 10
    assert score == Decimal("74.67")


def test_missing_parts_count_as_zero():
    score = compute_score(
        grade_average=None,
        language_levels=[],
        committee_score=None,
        weights=Weights(grades=50, language=25, committee=25),
    )
    assert score == Decimal("0.00")


def test_weights_that_do_not_sum_to_100_are_refused():
    with pytest.raises(ValueError):
        Weights(grades=50, language=20, committee=20)


def test_c2_and_native_speakers_get_full_language_points():
    assert language_points(["C2"]) == language_points(["NS"]) == Decimal(100)


@given(weights, marks, level_sets, marks)
def test_the_score_stays_between_0_and_100(w, grade, levels, committee):
    score = compute_score(
        grade_average=grade, language_levels=levels, committee_score=committee, weights=w
    )
    assert Decimal(0) <= score <= Decimal(100)


@given(weights, marks, marks, level_sets, marks)
def test_a_better_grade_never_lowers_the_score(w, a, b, levels, committee):
    low, high = sorted([a or Decimal(0), b or Decimal(0)])
    kwargs = {"language_levels": levels, "committee_score": committee, "weights": w}
    assert compute_score(grade_average=low, **kwargs) <= compute_score(grade_average=high, **kwargs)


@given(weights, marks, level_sets, st.sampled_from(LEVELS), marks)
def test_a_better_language_level_never_lowers_the_score(w, grade, levels, extra, committee):
    kwargs = {"grade_average": grade, "committee_score": committee, "weights": w}
    assert compute_score(language_levels=levels, **kwargs) <= compute_score(
        language_levels=[*levels, extra], **kwargs
    )


@given(weights, marks, level_sets, marks, marks)
def test_a_better_committee_score_never_lowers_the_score(w, grade, levels, a, b):
    low, high = sorted([a or Decimal(0), b or Decimal(0)])
    kwargs = {"grade_average": grade, "language_levels": levels, "weights": w}
    assert compute_score(committee_score=low, **kwargs) <= compute_score(
        committee_score=high, **kwargs
    )


@given(st.integers(0, 2**63 - 1), st.uuids())
def test_the_lottery_number_is_reproducible_and_fits_62_bits(seed, app_uuid):
    number = tiebreak(seed, app_uuid)
    assert number == tiebreak(seed, uuid.UUID(str(app_uuid)))
    assert 0 <= number < 2**62


def test_the_lottery_number_depends_on_the_seed():
    app_uuid = uuid.uuid4()
    assert len({tiebreak(seed, app_uuid) for seed in range(20)}) == 20
