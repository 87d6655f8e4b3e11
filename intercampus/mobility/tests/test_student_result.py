"""A student's result on their application page: the place they got, and for every place
they ranked above it (all of them when unplaced) the cut-off there next to their own score;
the choices they were not eligible for, with the reason; declining; only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intercampus.mobility.choices import ApplicationState
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.services import allocation as services
from intercampus.mobility.tests import test_calls_factories as make
from intercampus.mobility.tests.test_allocation_runs import run, small_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(world):
    return small_call(world)


@pytest.fixture
def published(small):
    return services.allocation_publish(actor=None, run=run(small))


def _page(small, name):
    client = make.client_for(small.students[name])
    url = reverse("mobility:application", kwargs={"application": small.apps[name].uuid})
    return client.get(url).content.decode()


def test_no_result_is_shown_before_it_is_published(world, small):
    run(small)
    assert 'id="result"' not in _page(small, "dmitri")


def test_an_unplaced_student_sees_the_cutoff_of_every_choice(world, small, published):
    page = _page(small, "dmitri")
    assert "You have no place this time." in page
    assert (
        "At Politecnico di Torino (your 1st choice) the last student admitted had 80.00; "
        "your score is 60.00." in page
    )
    assert "At KTH (your 2nd choice) the last student admitted had 90.00; your score is 60.00." in (
        page
    )


def test_a_placed_student_sees_the_cutoffs_of_the_places_ranked_above_only(world, small, published):
    page = _page(small, "chen")
    assert "You have a place at USP (your 4th choice)." in page
    assert "At KTH (your 1st choice) the last student admitted had 90.00; your score is 70.00." in (
        page
    )
    assert "At Politecnico di Torino (your 3rd choice) the last student admitted had 80.00" in page


def test_a_student_at_their_first_choice_needs_no_explanation(world, small, published):
    page = _page(small, "anna")
    assert "You have a place at KTH (your 1st choice)." in page
    assert "the last student admitted" not in page


def test_a_choice_the_student_was_not_eligible_for_is_listed_with_the_reason(
    world, small, published
):
    page = _page(small, "chen")
    assert "Choices you were not eligible for" in page
    assert "This place is for bachelor students (EQF 6)" in page


def test_the_cutoffs_shown_are_those_of_the_run(world, small, published):
    with_scope = make.in_scope(world.tpu)
    with with_scope:
        choices = list(small.apps["dmitri"].choices.select_related("place", "place__host"))
    result = selectors.student_result(small.refreshed("dmitri"), choices)
    shown = {str(e.choice.place.uuid): e.cutoff for e in result.explanations}
    stored = {p: selectors.key_decimal(k) for p, k in published.cutoffs.items() if p in shown}
    assert shown == stored
    assert {e.why for e in result.explanations} == {"below_cutoff"}


def test_an_equal_score_says_the_lottery_decided(world):
    call = make.call(world.tpu, weight_grades=100, weight_language=0, weight_committee=0)
    place = make.place(call, make.agreement(world.tpu, world.kth), seats=1)
    first, second = (make.student(world.tpu, f"{n}@tpu.ru") for n in ("first", "second"))
    apps = [make.submitted(call, s, places=[place], grade_average=75) for s in (first, second)]
    from intercampus.mobility.tests.test_allocation_runs import AFTER

    done = services.allocation_run(actor=None, call=call, now=AFTER)
    services.allocation_publish(actor=None, run=done)
    loser = next(a for a in apps if done.results[str(a.uuid)] is None)
    client = make.client_for(loser.student)
    page = client.get(reverse("mobility:application", kwargs={"application": loser.uuid}))
    assert "the same score as yours; the call's lottery ranked them first" in (
        page.content.decode()
    )


def test_a_place_without_seats_says_so(world):
    call = make.call(world.tpu, weight_grades=100, weight_language=0, weight_committee=0)
    empty = make.place(call, make.agreement(world.tpu, world.kth), seats=0)
    other = make.place(call, make.agreement(world.tpu, world.polito), seats=1)
    student = make.student(world.tpu, "solo@tpu.ru")
    app = make.submitted(call, student, places=[empty, other], grade_average=70)
    from intercampus.mobility.tests.test_allocation_runs import AFTER

    services.allocation_publish(
        actor=None, run=services.allocation_run(actor=None, call=call, now=AFTER)
    )
    page = make.client_for(student).get(
        reverse("mobility:application", kwargs={"application": app.uuid})
    )
    assert "KTH (your 1st choice) offered no seats in this call." in page.content.decode()


def test_a_student_sees_only_their_own_result(world, small, published):
    eva = make.client_for(small.students["eva"])
    url = reverse("mobility:application", kwargs={"application": small.apps["anna"].uuid})
    assert eva.get(url).status_code == 404
    decline = reverse("mobility:decline", kwargs={"application": small.apps["anna"].uuid})
    assert eva.post(decline).status_code == 404
    assert small.refreshed("anna").state == ApplicationState.PLACED


def test_a_placed_student_declines_from_their_page(world, small, published):
    client = make.client_for(small.students["anna"])
    page = _page(small, "anna")
    decline = reverse("mobility:decline", kwargs={"application": small.apps["anna"].uuid})
    assert decline in page
    response = client.post(decline, follow=True)
    assert small.refreshed("anna").state == ApplicationState.DECLINED
    text = response.content.decode()
    assert "You declined your place at KTH." in text
    assert decline not in text


def test_after_a_reallocation_a_kept_place_is_explained_by_the_run_that_gave_it(
    world, small, published
):
    services.allocation_decline(actor=small.students["anna"], application=small.apps["anna"])
    services.allocation_publish(
        actor=None, run=services.allocation_reallocate(actor=None, call=small.call)
    )
    # dmitri (60) took kth in the re-allocation; chen (70) kept usp: kth's cut-off for chen
    # is the one of the run that placed chen.
    chen = _page(small, "chen")
    assert "At KTH (your 1st choice) the last student admitted had 90.00; your score is 70.00." in (
        chen
    )
    dmitri = _page(small, "dmitri")
    assert "You have a place at KTH (your 2nd choice)." in dmitri
    assert "At Politecnico di Torino (your 1st choice) the last student admitted had 80.00" in (
        dmitri
    )
    eva = _page(small, "eva")
    assert "At KTH (your 1st choice) the last student admitted had 60.00; your score is 50.00." in (
        eva
    )
    assert "You declined your place at KTH." in _page(small, "anna")


def test_the_result_page_takes_at_most_ten_queries(
    world, small, published, django_assert_max_num_queries
):
    client = make.client_for(small.students["chen"])
    url = reverse("mobility:application", kwargs={"application": small.apps["chen"].uuid})
    client.get(url)  # the session is loaded once; count a page as a student sees it
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()
    assert "the last student admitted had 90.00" in page
