"""The international office's allocation pages: run (inline, or queued with a progress bar),
review with cut-offs and filters, export, publish, re-allocate; outsiders get 404 and staff
without the permission 403."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.mobility.choices import CallStatus, RunStatus
from intercampus.mobility.models import AllocationRun
from intercampus.mobility.services import allocation as services
from intercampus.mobility.tests.test_allocation_runs import AFTER, run, small_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(world, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    return small_call(world)


def _url(name, small, **kwargs):
    return reverse(
        f"staff:{name}", kwargs={"institution": "tpu.ru", "call": small.call.uuid, **kwargs}
    )


def _views(small, done):
    """Every allocation view: (name, method, kwargs)."""
    one = {"run": done.uuid}
    return [
        ("allocation_runs", "get", {}),
        ("allocation_run_start", "post", {}),
        ("allocation_reallocate", "post", {}),
        ("allocation_run", "get", one),
        ("allocation_run_progress", "get", one),
        ("allocation_run_publish", "post", one),
        ("allocation_run_csv", "get", one),
        ("allocation_run_xlsx", "get", one),
        ("allocation_run_instance", "get", one),
    ]


def test_staff_of_another_institution_get_404_on_every_allocation_view(
    world, small, kth_officer_client
):
    done = run(small)
    for name, method, kwargs in _views(small, done):
        response = getattr(kth_officer_client, method)(_url(name, small, **kwargs))
        assert response.status_code == 404, name


def test_staff_without_the_permission_get_403_on_every_allocation_view(
    world, small, coordinator_client
):
    done = run(small)
    for name, method, kwargs in _views(small, done):
        response = getattr(coordinator_client, method)(_url(name, small, **kwargs))
        assert response.status_code == 403, name


def test_another_institutions_run_is_not_found_under_our_call(world, small, kth_officer_client):
    from intercampus.mobility.tests import test_calls_factories as make

    done = run(small)
    kth_call = make.call(world.kth)
    url = reverse(
        "staff:allocation_run",
        kwargs={"institution": "kth.se", "call": kth_call.uuid, "run": done.uuid},
    )
    assert kth_officer_client.get(url).status_code == 404


def test_the_call_page_links_to_the_allocation(world, small, tpu_officer_client):
    page = tpu_officer_client.get(
        reverse("staff:call", kwargs={"institution": "tpu.ru", "call": small.call.uuid})
    ).content.decode()
    assert _url("allocation_runs", small) in page


def test_running_a_small_call_inline_leads_to_its_review(world, small, tpu_officer_client):
    response = tpu_officer_client.post(_url("allocation_run_start", small))
    with scopes_disabled():
        done = AllocationRun.objects.get(call=small.call)
    assert response.status_code == 302
    assert response["Location"] == _url("allocation_run", small, run=done.uuid)
    assert done.created_by == world.tpu_officer
    page = tpu_officer_client.get(response["Location"]).content.decode()
    assert "placed 3 of 5 students" in page


def test_running_from_htmx_answers_with_a_client_redirect(world, small, tpu_officer_client):
    response = tpu_officer_client.post(_url("allocation_run_start", small), HTTP_HX_REQUEST="true")
    with scopes_disabled():
        done = AllocationRun.objects.get(call=small.call)
    assert response["HX-Redirect"] == _url("allocation_run", small, run=done.uuid)


def test_the_run_form_shows_a_progress_bar_while_it_runs(world, small, tpu_officer_client):
    page = tpu_officer_client.get(_url("allocation_runs", small)).content.decode()
    assert 'hx-indicator="#run-progress"' in page
    assert "<progress aria-label=" in page
    assert 'role="status"' in page
    # The call has closed: nothing to confirm.
    assert 'name="early"' not in page


def test_an_open_call_asks_to_confirm_and_says_so_next_to_the_box(
    world, small, tpu_officer_client, monkeypatch
):
    import datetime

    monkeypatch.setattr(
        services, "current_time", lambda: datetime.datetime(2027, 2, 20, tzinfo=datetime.UTC)
    )
    response = tpu_officer_client.post(_url("allocation_run_start", small))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Allocating now closes it early, for every student" in page
    assert "tick “The call is still open: allocate now anyway”" in page
    assert 'id="id_early_error"' in page
    response = tpu_officer_client.post(_url("allocation_run_start", small), {"early": "on"})
    assert response.status_code == 302


def test_a_large_call_is_queued_and_its_page_polls_a_progress_bar(
    world, small, tpu_officer_client, monkeypatch
):
    monkeypatch.setattr(services, "INLINE_LIMIT", 2)
    response = tpu_officer_client.post(_url("allocation_run_start", small))
    with scopes_disabled():
        queued = AllocationRun.objects.get(call=small.call)
    assert queued.phase == AllocationRun.Phase.QUEUED
    page = tpu_officer_client.get(response["Location"]).content.decode()
    assert "<progress" in page
    assert _url("allocation_run_progress", small, run=queued.uuid) in page
    assert 'hx-trigger="every 2s"' in page

    services.allocation_run_queued(run_uuid=str(queued.uuid), actor_id=None, early=False)
    polled = tpu_officer_client.get(
        _url("allocation_run_progress", small, run=queued.uuid), HTTP_HX_REQUEST="true"
    )
    assert polled["HX-Refresh"] == "true"
    page = tpu_officer_client.get(response["Location"]).content.decode()
    assert "Publish the results" in page


def test_the_review_shows_seats_placed_and_cutoffs_per_place(world, small, tpu_officer_client):
    done = run(small)
    page = tpu_officer_client.get(_url("allocation_run", small, run=done.uuid)).content.decode()
    assert "90.00" in page
    assert "80.00" in page
    assert 'id="places-chart"' in page
    assert "anna@tpu.ru" in page
    assert "dmitri@tpu.ru" in page
    assert "not eligible" in page  # chen's bachelor choice


def test_the_review_filters_students(world, small, tpu_officer_client):
    done = run(small)
    url = _url("allocation_run", small, run=done.uuid)
    unplaced = tpu_officer_client.get(url, {"result": "unplaced"}).content.decode()
    assert "dmitri@tpu.ru" in unplaced
    assert "anna@tpu.ru" not in unplaced
    at_polito = tpu_officer_client.get(url, {"place": str(small.polito.uuid)}).content.decode()
    assert "boris@tpu.ru" in at_polito
    assert "chen@tpu.ru" not in at_polito
    found = tpu_officer_client.get(url, {"q": "eva"}).content.decode()
    assert "eva@tpu.ru" in found
    assert "boris@tpu.ru" not in found
    first = tpu_officer_client.get(url, {"result": "first"}).content.decode()
    assert "anna@tpu.ru" in first
    assert "chen@tpu.ru" not in first


def test_the_results_export_as_csv_excel_and_the_instance(world, small, tpu_officer_client):
    done = run(small)
    csv = tpu_officer_client.get(_url("allocation_run_csv", small, run=done.uuid))
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 6
    assert lines[1].startswith(str(small.apps["anna"].uuid))
    assert "anna@tpu.ru" in lines[1]
    xlsx = tpu_officer_client.get(_url("allocation_run_xlsx", small, run=done.uuid))
    assert xlsx.content[:2] == b"PK"
    instance = tpu_officer_client.get(_url("allocation_run_instance", small, run=done.uuid))
    assert json.loads(instance.content)["format"] == "alloc-instance/1"


def test_publishing_from_the_review(world, small, tpu_officer_client):
    done = run(small)
    response = tpu_officer_client.post(_url("allocation_run_publish", small, run=done.uuid))
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.status == RunStatus.PUBLISHED
    page = tpu_officer_client.get(response["Location"]).content.decode()
    assert "The results are published" in page
    assert "Publish the results</button>" not in page


def test_the_reallocate_button_appears_once_a_student_declines(world, small, tpu_officer_client):
    done = services.allocation_publish(actor=None, run=run(small))
    review = _url("allocation_run", small, run=done.uuid)
    assert "Re-allocate" not in tpu_officer_client.get(review).content.decode()
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    assert "Re-allocate 1 freed seat" in tpu_officer_client.get(review).content.decode()
    runs_page = tpu_officer_client.get(_url("allocation_runs", small)).content.decode()
    assert "1 seat was freed" in runs_page

    response = tpu_officer_client.post(_url("allocation_reallocate", small))
    with scopes_disabled():
        again = AllocationRun.objects.get(base_run=done)
    assert response["Location"] == _url("allocation_run", small, run=again.uuid)
    assert again.results[str(small.apps["dmitri"].uuid)] == str(small.kth.uuid)
    small.call.refresh_from_db()
    assert small.call.status == CallStatus.RESULTS_PUBLISHED


def test_reallocating_with_no_freed_seat_says_so(world, small, tpu_officer_client):
    services.allocation_publish(actor=None, run=run(small))
    response = tpu_officer_client.post(_url("allocation_reallocate", small), follow=True)
    assert "no seat is free" in response.content.decode()
