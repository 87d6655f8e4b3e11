"""The host's buddy programme pages: programmes and their weights, the lists, matches with
why, running matching (also through htmx), exports, KPIs; outsiders get 404, roles without
the permission 403."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.onboarding.models import BuddyMatch, BuddyProgramme, NewcomerProfile
from intercampus.onboarding.models.buddies import MatchStatus
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    NOW,
    add_buddy,
    add_newcomer,
    make_programme,
    match_of,
)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: NOW)


@pytest.fixture
def programme(world):
    return make_programme(world)


@pytest.fixture
def matched(world, programme):
    """Two buddies, three newcomers: two matched (one of them accepted), one left alone."""
    add_buddy(world, programme, "anna@tpu.ru", {"en": "C1", "ru": "C2"}, interests=["chess"])
    add_buddy(world, programme, "boris@tpu.ru", {"en": "B2"})
    add_newcomer(world, programme, "ivan@tpu.ru", {"en": "B2", "ru": "B1"}, interests=["chess"])
    add_newcomer(world, programme, "jan@tpu.ru", {"en": "C1"})
    add_newcomer(world, programme, "lone@tpu.ru", {"fr": "C2"})
    services.matching_run(actor=world.tpu_officer, programme=programme)
    with scopes_disabled():
        first = BuddyMatch.objects.select_related("programme__institution").order_by("pk")[0]
        services.match_accept(actor=first.buddy.user, match=first)
        services.match_accept(actor=first.newcomer.user, match=first)
    return programme


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


def test_the_programme_list_shows_each_programme_with_its_figures(tpu_officer_client, matched):
    response = tpu_officer_client.get(url("buddy_programmes"))
    assert response.status_code == 200
    [(programme, kpis)] = response.context["rows"]
    assert programme == matched
    assert (kpis.newcomers, kpis.with_buddy, kpis.unmatched) == (3, 2, 1)
    assert "TPU Buddy Club" in response.content.decode()


def test_staff_create_a_programme_with_its_weights(tpu_officer_client, world):
    data = {
        "name": "Engineering buddies",
        "campus": "Main campus",
        "interest_choices": "Chess, hiking\nJazz",
        "weight_two_languages": 50,
        "weight_one_language": 30,
        "weight_faculty": 10,
        "weight_interests": 5,
        "weight_availability": 5,
        "active": "on",
    }
    response = tpu_officer_client.post(url("buddy_programme_add"), data)
    with scopes_disabled():
        programme = BuddyProgramme.objects.get(name="Engineering buddies")
    assert response.status_code == 302
    assert response["Location"] == url("buddy_programme", programme=programme.uuid)
    assert programme.institution == world.tpu
    assert programme.interest_choices == ["chess", "hiking", "jazz"]
    assert programme.weights.two_languages == 50 and programme.weights.availability == 5
    assert AuditEntry.objects.filter(action="onboarding.buddy_programme.created").exists()


def test_the_programme_form_keeps_what_was_typed_and_says_what_is_wrong(
    tpu_officer_client, programme
):
    response = tpu_officer_client.post(
        url("buddy_programme_edit", programme=programme.uuid),
        {
            "name": "Renamed club",
            "weight_two_languages": 40,
            "weight_one_language": -3,
            "weight_faculty": 20,
            "weight_interests": 25,
            "weight_availability": 15,
        },
    )
    assert response.status_code == 200
    assert "weight_one_language" in response.context["form"].errors
    assert 'value="Renamed club"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.name == "TPU Buddy Club"


def test_a_second_programme_of_the_same_name_is_refused_on_the_form(tpu_officer_client, programme):
    data = {
        "name": "TPU Buddy Club",
        "weight_two_languages": 40,
        "weight_one_language": 35,
        "weight_faculty": 20,
        "weight_interests": 25,
        "weight_availability": 15,
    }
    response = tpu_officer_client.post(url("buddy_programme_add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_the_overview_shows_kpis_and_the_newcomers_without_a_buddy(tpu_officer_client, matched):
    response = tpu_officer_client.get(url("buddy_programme", programme=matched.uuid))
    assert response.status_code == 200
    kpis = response.context["kpis"]
    assert kpis.share_before_arrival == pytest.approx(66.7)
    assert [n.user.email for n in response.context["unmatched"]] == ["lone@tpu.ru"]
    page = response.content.decode()
    assert "lone@tpu.ru" in page
    assert "Run matching" in page and "<progress" in page


def test_running_matching_through_htmx_queues_it_and_says_so(
    tpu_officer_client, world, programme, django_capture_on_commit_callbacks
):
    add_buddy(world, programme, "anna@tpu.ru", capacity=2)
    newcomer = add_newcomer(world, programme, "ivan@tpu.ru")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = tpu_officer_client.post(
            url("buddy_run", programme=programme.uuid), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="run-panel"' in body and "Matching is queued" in body
    assert "<html" not in body
    # Nothing is matched inside the request: the worker runs what it queued.
    assert match_of(newcomer) is None
    for callback in queued:
        callback()
    assert match_of(newcomer).status == MatchStatus.PROPOSED
    entry = AuditEntry.objects.get(action="onboarding.buddy_matching.ran")
    assert entry.actor == world.tpu_officer
    assert entry.after["trigger"] == "staff"
    assert AuditEntry.objects.filter(action="onboarding.buddy_matching.requested").count() == 1


def test_running_matching_without_htmx_redirects_with_a_message(
    tpu_officer_client, world, programme
):
    add_buddy(world, programme, "anna@tpu.ru")
    add_newcomer(world, programme, "ivan@tpu.ru")
    response = tpu_officer_client.post(url("buddy_run", programme=programme.uuid), follow=True)
    assert response.redirect_chain[-1][0] == url("buddy_programme", programme=programme.uuid)
    assert "Matching is queued" in response.content.decode()


def test_a_closed_programme_says_why_it_cannot_run(tpu_officer_client, world, programme):
    services.programme_update(actor=world.tpu_officer, programme=programme, active=False)
    response = tpu_officer_client.post(
        url("buddy_run", programme=programme.uuid), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "not active" in response.context["error"]


def test_the_matches_list_says_why_each_pair_was_matched(tpu_officer_client, matched):
    response = tpu_officer_client.get(url("buddy_matches", programme=matched.uuid))
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert len(rows) == 2
    for row in rows:
        assert {r.part: r.points for r in row.reasons} == {
            k: v for k, v in row.score.items() if k != "total"
        }
    page = response.content.decode()
    assert "Both speak English and Russian (B1 or better)." in page
    assert "They share these interests: chess." in page


def test_the_matches_list_filters_by_status(tpu_officer_client, matched):
    response = tpu_officer_client.get(
        url("buddy_matches", programme=matched.uuid), {"status": "accepted"}
    )
    assert [m.status for m in response.context["page"].object_list] == ["accepted"]


def test_staff_end_a_match(tpu_officer_client, matched):
    with scopes_disabled():
        match = BuddyMatch.objects.filter(status="accepted").get()
    response = tpu_officer_client.post(
        url("buddy_match_end", programme=matched.uuid, match=match.uuid)
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.ENDED


def test_the_buddies_and_newcomers_lists_show_who_holds_whom(tpu_officer_client, matched):
    buddies = tpu_officer_client.get(url("buddy_buddies", programme=matched.uuid))
    assert buddies.status_code == 200
    assert sorted(b.n_live for b in buddies.context["page"].object_list) == [1, 1]
    newcomers = tpu_officer_client.get(url("buddy_newcomers", programme=matched.uuid))
    assert newcomers.status_code == 200
    current = {n.user.email: n.current for n in newcomers.context["page"].object_list}
    assert current["lone@tpu.ru"] is None
    assert current["ivan@tpu.ru"].buddy.user.email == "anna@tpu.ru"


def test_matches_export_as_csv_and_excel(tpu_officer_client, matched):
    csv = tpu_officer_client.get(url("buddy_export_csv", programme=matched.uuid))
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "ivan@tpu.ru" in text and "anna@tpu.ru" in text
    assert len(text.strip().splitlines()) == 3
    xlsx = tpu_officer_client.get(url("buddy_export_xlsx", programme=matched.uuid))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_kpis_count_buddies_before_arrival_and_the_median_days_to_a_match(world, programme):
    add_buddy(world, programme, "anna@tpu.ru", capacity=3)
    early = add_newcomer(world, programme, "early@tpu.ru")
    late = add_newcomer(world, programme, "late@tpu.ru", arrival=datetime.date(2027, 5, 20))
    add_newcomer(world, programme, "alone@tpu.ru", {"fr": "C1"})
    with scopes_disabled():
        NewcomerProfile.objects.filter(pk=early.pk).update(created=NOW - datetime.timedelta(days=4))
        NewcomerProfile.objects.filter(pk=late.pk).update(created=NOW - datetime.timedelta(days=10))
    services.matching_run(actor=world.tpu_officer, programme=programme)

    with scopes_disabled():
        kpis = selectors.programme_kpis(programme)

    assert kpis.newcomers == 3
    assert kpis.with_buddy == 2
    assert kpis.before_arrival == 1  # the late one arrived on 20 May, matched on 1 June
    assert kpis.share_before_arrival == pytest.approx(33.3)
    assert kpis.median_days_to_match == pytest.approx(7.0)
    assert (kpis.buddies, kpis.capacity, kpis.taken) == (1, 3, 2)


# --- Who may see the pages ----------------------------------------------------------------


def _every_staff_url(programme, match):
    ids = {"programme": programme.uuid}
    return [
        url("buddy_programmes"),
        url("buddy_programme_add"),
        url("buddy_programme", **ids),
        url("buddy_programme_edit", **ids),
        url("buddy_run", **ids),
        url("buddy_buddies", **ids),
        url("buddy_newcomers", **ids),
        url("buddy_matches", **ids),
        url("buddy_match_end", match=match.uuid, **ids),
        url("buddy_export_csv", **ids),
        url("buddy_export_xlsx", **ids),
    ]


def _a_match(programme):
    with scopes_disabled():
        return BuddyMatch.objects.filter(programme=programme).first()


def test_staff_of_another_institution_get_404_on_every_buddy_page(
    kth_officer_client, student_client, matched
):
    before = AuditEntry.objects.count()
    for address in _every_staff_url(matched, _a_match(matched)):
        assert kth_officer_client.get(address).status_code == 404, address
        assert kth_officer_client.post(address).status_code == 404, address
        assert student_client.get(address).status_code == 404, address
    assert AuditEntry.objects.count() == before


def test_a_role_without_the_permission_gets_403_on_every_buddy_page(coordinator_client, matched):
    for address in _every_staff_url(matched, _a_match(matched)):
        assert coordinator_client.get(address).status_code in (403, 405), address
        assert coordinator_client.post(address).status_code == 403, address


def test_another_hosts_uuids_are_404_in_ones_own_staff_area(kth_officer_client, matched):
    match = _a_match(matched)
    kth = {"institution": "kth.se", "programme": matched.uuid}
    for name, extra in (
        ("buddy_programme", {}),
        ("buddy_programme_edit", {}),
        ("buddy_matches", {}),
        ("buddy_export_csv", {}),
    ):
        address = reverse(f"staff:{name}", kwargs={**kth, **extra})
        assert kth_officer_client.get(address).status_code == 404, address
    for name, extra in (("buddy_run", {}), ("buddy_match_end", {"match": match.uuid})):
        address = reverse(f"staff:{name}", kwargs={**kth, **extra})
        assert kth_officer_client.post(address).status_code == 404, address
    assert match_of(match.newcomer).status == match.status
