"""Matching on stored data: the service stores what the pure module finds, keeps proposed and
accepted pairs where they are, rematches after a decline, and explains every pair."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.institutions.models import OrganisationalUnit
from intercampus.onboarding import matching
from intercampus.onboarding.models import BuddyMatch
from intercampus.onboarding.models.buddies import MatchStatus
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    ARRIVAL,
    NOW,
    add_buddy,
    add_newcomer,
    as_input,
    make_programme,
    match_of,
    pairs,
)

LIVE = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: NOW)


@pytest.fixture
def programme(world):
    return make_programme(world)


def run(world, programme, **kwargs):
    return services.matching_run(actor=world.tpu_officer, programme=programme, **kwargs)


def accept(match):
    services.match_accept(actor=match.buddy.user, match=match)
    return services.match_accept(actor=match.newcomer.user, match=match)


def test_the_run_stores_the_optimal_matching_that_the_pure_module_finds(world, programme):
    langs = [{"en": "C1"}, {"en": "B2", "ru": "C2"}, {"de": "C1", "en": "B1"}, {"fr": "C2"}]
    for i in range(6):
        add_buddy(
            world,
            programme,
            f"b{i}@tpu.ru",
            langs[i % 4],
            capacity=1 + i % 3,
            window=(-30 + 7 * i, 10 + 5 * i),
            interests=["chess", "hiking", "jazz"][: i % 4],
        )
    for i in range(14):
        add_newcomer(
            world,
            programme,
            f"n{i}@tpu.ru",
            langs[(i * 3) % 4] | {"it": "A2"},
            arrival=ARRIVAL + datetime.timedelta(days=(i * 11) % 40 - 20),
            interests=["hiking", "chess", "cooking"][: (i * 5) % 4],
        )
    newcomers, buddies = as_input(programme)
    expected = matching.match(newcomers, buddies, programme.weights)

    stats = run(world, programme)

    stored = pairs(programme)
    assert stored == {n: b for n, b in expected.assignment.items() if b is not None}
    assert stats.matched == expected.matched == len(stored)
    assert stats.total_score == expected.total
    with scopes_disabled():
        for m in BuddyMatch.objects.filter(programme=programme):
            score = expected.scores[m.newcomer_id]
            assert m.status == MatchStatus.PROPOSED
            assert m.score == {
                "languages": score.languages,
                "faculty": score.faculty,
                "interests": score.interests,
                "availability": score.availability,
                "total": score.total,
            }
            assert m.shared_languages == list(score.shared_languages)
            assert m.algorithm_version == matching.ALGORITHM_VERSION
            assert m.run == stats.run
    assert AuditEntry.objects.filter(action="onboarding.buddy_match.proposed").count() == len(
        stored
    )
    assert AuditEntry.objects.filter(action="onboarding.buddy_matching.ran").count() == 1


def test_capacity_is_respected(world, programme):
    busy = add_buddy(world, programme, "busy@tpu.ru", capacity=2)
    single = add_buddy(world, programme, "single@tpu.ru", capacity=1)
    newcomers = [add_newcomer(world, programme, f"n{i}@tpu.ru") for i in range(5)]

    stats = run(world, programme)

    held = list(pairs(programme).values())
    assert held.count(busy.pk) == 2
    assert held.count(single.pk) == 1
    assert stats.matched == 3
    assert stats.unmatched == 2
    assert stats.capacity_left == 0
    assert len(newcomers) - len(held) == 2


def test_no_shared_language_at_b1_or_better_means_no_pair(world, programme):
    add_buddy(world, programme, "buddy@tpu.ru", {"en": "C2", "ru": "C2"})
    newcomer = add_newcomer(world, programme, "n@tpu.ru", {"fr": "C1", "en": "A2", "ru": "A1"})

    stats = run(world, programme)

    assert match_of(newcomer) is None
    assert stats.unmatched == 1


def test_pairs_are_made_only_within_one_programme(world, programme):
    other = make_programme(world, name="Engineering buddies")
    add_buddy(world, programme, "buddy@tpu.ru", capacity=3)
    outsider = add_newcomer(world, other, "other@tpu.ru")
    insider = add_newcomer(world, programme, "in@tpu.ru")

    run(world, programme)
    run(world, other)

    assert match_of(insider).programme == programme
    assert match_of(outsider) is None


def test_proposed_and_accepted_pairs_never_move_when_late_arrivals_come(world, programme):
    # Two buddies with room for two each; the first newcomers take one slot of each.
    anna = add_buddy(world, programme, "anna@tpu.ru", {"en": "C1"}, capacity=2)
    boris = add_buddy(world, programme, "boris@tpu.ru", {"en": "C1", "de": "C1"}, capacity=2)
    first = add_newcomer(world, programme, "first@tpu.ru", {"en": "B2"})
    second = add_newcomer(world, programme, "second@tpu.ru", {"en": "B2", "de": "B2"})
    run(world, programme)
    with scopes_disabled():
        before = {m.newcomer_id: (m.uuid, m.buddy_id) for m in BuddyMatch.objects.all()}
    accept(match_of(first))

    # Late arrivals who would score best with the buddies already taken.
    late = [
        add_newcomer(world, programme, f"late{i}@tpu.ru", {"en": "C1", "de": "C1"})
        for i in range(3)
    ]
    stats = run(world, programme)

    with scopes_disabled():
        after = {m.newcomer_id: (m.uuid, m.buddy_id) for m in BuddyMatch.objects.all()}
    for newcomer_id, pair in before.items():
        assert after[newcomer_id] == pair
    assert match_of(first).status == MatchStatus.ACCEPTED
    assert match_of(second).status == MatchStatus.PROPOSED
    assert stats.kept == 2
    assert stats.matched == 2  # the two slots left
    held = list(pairs(programme, *LIVE).values())
    assert held.count(anna.pk) == 2 and held.count(boris.pk) == 2
    assert sum(match_of(n) is None for n in late) == 1


def test_declining_frees_the_slot_and_rematches_only_that_newcomer(
    world, programme, django_capture_on_commit_callbacks
):
    ru = add_buddy(world, programme, "ru@tpu.ru", {"en": "C1", "ru": "C2"})
    de = add_buddy(world, programme, "de@tpu.ru", {"en": "C1", "de": "C2"})
    spare = add_buddy(world, programme, "spare@tpu.ru", {"en": "B1"})
    ivan = add_newcomer(world, programme, "ivan@tpu.ru", {"en": "B2", "ru": "C2"})
    hans = add_newcomer(world, programme, "hans@tpu.ru", {"en": "B2", "de": "C2"})
    run(world, programme)
    declined = match_of(ivan)
    kept = match_of(hans)
    assert (declined.buddy_id, kept.buddy_id) == (ru.pk, de.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.match_decline(actor=ivan.user, match=declined, reason="We have no time in common.")

    declined.refresh_from_db()
    assert declined.status == MatchStatus.DECLINED_BY_NEWCOMER
    assert declined.declined_reason == "We have no time in common."
    rematched = match_of(ivan, *LIVE)
    assert rematched.buddy_id == spare.pk  # never the buddy declined
    assert match_of(hans, *LIVE).uuid == kept.uuid
    assert match_of(hans, *LIVE).status == MatchStatus.PROPOSED


def test_a_buddy_who_declines_is_never_proposed_that_newcomer_again(
    world, programme, django_capture_on_commit_callbacks
):
    only = add_buddy(world, programme, "only@tpu.ru", capacity=2)
    newcomer = add_newcomer(world, programme, "n@tpu.ru")
    run(world, programme)

    with django_capture_on_commit_callbacks(execute=True):
        services.match_decline(actor=only.user, match=match_of(newcomer))
    stats = run(world, programme)

    assert match_of(newcomer).status == MatchStatus.DECLINED_BY_BUDDY
    assert match_of(newcomer, *LIVE) is None
    assert stats.unmatched == 1
    assert stats.capacity_left == 2


def test_a_newcomer_who_signs_up_is_matched_as_soon_as_the_sign_up_commits(
    world, programme, django_capture_on_commit_callbacks
):
    add_buddy(world, programme, "buddy@tpu.ru")
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = add_newcomer(world, programme, "n@tpu.ru")

    match = match_of(newcomer)
    assert match.status == MatchStatus.PROPOSED
    audit = AuditEntry.objects.get(action="onboarding.buddy_matching.ran")
    assert audit.after["trigger"] == "newcomer_signup"
    assert newcomer.user.notices.filter(kind="onboarding.buddy_match.proposed").exists()


def test_the_explanation_says_in_words_what_each_part_scored(world, programme):
    school = OrganisationalUnit.objects.create(
        institution=world.tpu, name="School of Computer Science", kind="faculty"
    )
    add_buddy(
        world,
        programme,
        "buddy@tpu.ru",
        {"en": "C1", "de": "B2", "ru": "C2"},
        interests=["Chess", "hiking"],
        faculty=school,
        window=(5, 60),
    )
    newcomer = add_newcomer(
        world,
        programme,
        "n@tpu.ru",
        {"en": "B2", "de": "C1", "fr": "C2"},
        interests=["chess", "jazz"],
        faculty=school,
    )
    run(world, programme)
    match = match_of(newcomer)

    reasons = {r.part: r for r in selectors.explain(match)}

    assert {part: r.points for part, r in reasons.items()} == {
        k: v for k, v in match.score.items() if k != "total"
    }
    assert match.score == {
        "languages": 40,
        "faculty": 20,
        "interests": 8,  # 25 x 1/3, rounded
        "availability": 10,  # five days before the window
        "total": 78,
    }
    assert "English" in reasons["languages"].text and "German" in reasons["languages"].text
    assert "School of Computer Science" in reasons["faculty"].text
    assert "chess" in reasons["interests"].text
    assert "5 days outside" in reasons["availability"].text


def test_weights_of_the_programme_apply(world):
    programme = make_programme(world, weight_one_language=10, weight_availability=0)
    add_buddy(world, programme, "buddy@tpu.ru")
    newcomer = add_newcomer(world, programme, "n@tpu.ru")

    run(world, programme)

    assert match_of(newcomer).score["total"] == 10


def test_a_closed_programme_is_not_matched(world, programme):
    services.programme_update(actor=world.tpu_officer, programme=programme, active=False)
    with pytest.raises(ServiceError):
        run(world, programme)


def test_the_command_matches_a_stored_programme_with_a_progress_bar(world, programme):
    add_buddy(world, programme, "buddy@tpu.ru")
    newcomer = add_newcomer(world, programme, "n@tpu.ru")
    out = io.StringIO()

    call_command("match_buddies", "--programme", str(programme.uuid), stdout=out)

    assert match_of(newcomer).status == MatchStatus.PROPOSED
    text = out.getvalue()
    assert "1 of 1 newcomers without a buddy matched now" in text
    assert "Places left" in text


def test_the_command_refuses_an_unknown_programme(world):
    with pytest.raises(CommandError):
        call_command("match_buddies", "--programme", "not-a-uuid")


def test_the_command_solves_an_instance_file_without_the_database(tmp_path):
    instance = tmp_path / "instance.json"
    instance.write_text(
        json.dumps(
            {
                "format": "buddy-instance/1",
                "students": [
                    {"id": 0, "langs": ["en"], "faculty": 1, "interests": [], "arrival": 10},
                    {"id": 1, "langs": ["fr"], "faculty": 1, "interests": [], "arrival": 10},
                ],
                "buddies": [
                    {
                        "id": 7,
                        "capacity": 2,
                        "langs": ["en"],
                        "faculty": 1,
                        "interests": [],
                        "avail_from": 0,
                        "avail_to": 20,
                    }
                ],
            }
        )
    )
    out = tmp_path / "out.json"

    call_command("match_buddies", "--instance", str(instance), "--out", str(out))

    assert json.loads(out.read_text()) == {"0": 7, "1": None}
