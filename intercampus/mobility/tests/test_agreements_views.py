"""Agreement pages: list, filters and exports, the forms keep what was typed, the detail page,
and who may see what (outsiders 404, a coordinator 403, no peeking at other partners)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.testing import user_with_role
from intercampus.mobility.models import Agreement
from intercampus.mobility.tests.agreements_factories import (
    linked_pair,
    make_agreement,
    student_condition,
    two_way,
)

pytestmark = pytest.mark.django_db


def _url(name: str, schac: str = "tpu.ru", **kwargs) -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})


def _condition_post(**overrides) -> dict:
    data = {
        "mobility_type": "student-studies",
        "sending_hei_id": "tpu.ru",
        "receiving_hei_id": "kth.se",
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "mobilities_per_year": "2",
        "total_months_per_year": "10",
        "eqf_levels": ["6", "7"],
        "subject_1_code": "0714",
        "subject_1_clarification": "",
        "language_1": "en",
        "language_1_level": "B2",
        "language_1_area": "",
    }
    data.update(overrides)
    return data


def _every_url(world) -> list[str]:
    """One URL of every agreement view, with real objects of TPU (and a KTH copy naming TPU)."""
    tpu, kth = linked_pair(world)
    proposal = make_agreement(world.kth, "tpu.ru", world.kth_officer, code="KTH-TPU-2")
    condition = tpu.conditions.first()
    with scopes_disabled():
        from intercampus.core.models import Notification

        notice = Notification.objects.filter(institution=world.tpu).first()
    one = {"agreement": tpu.uuid}
    cond = {**one, "condition": condition.uuid}
    return [
        _url("agreements"),
        _url("agreements_csv"),
        _url("agreements_xlsx"),
        _url("agreement_create"),
        _url("agreement_inbox"),
        _url("agreement_notice_open", notice=notice.uuid),
        _url("agreement_incoming", copy=proposal.uuid),
        _url("agreement_adopt", copy=proposal.uuid),
        _url("agreement_detail", **one),
        _url("agreement_edit", **one),
        _url("agreement_link", **one),
        _url("agreement_approve", **one),
        _url("agreement_terminate", **one),
        _url("agreement_delete", **one),
        _url("agreement_condition_add", **one),
        _url("agreement_condition_edit", **cond),
        _url("agreement_condition_remove", **cond),
        _url("agreement_condition_move", **cond),
    ]


def test_staff_of_another_institution_get_404_on_every_agreement_page(world, kth_officer_client):
    for url in _every_url(world):
        assert kth_officer_client.get(url).status_code == 404, url
        assert kth_officer_client.post(url, {}).status_code == 404, url


def test_our_own_object_ids_under_another_institution_get_404(world, tpu_officer_client):
    """TPU's officer asking for TPU's agreement under KTH's staff area is an outsider there."""
    for url in _every_url(world):
        url = url.replace("/i/tpu.ru/", "/i/kth.se/")
        assert tpu_officer_client.get(url).status_code == 404, url


def test_a_work_group_coordinator_may_not_manage_agreements(world, coordinator_client):
    for url in _every_url(world):
        assert coordinator_client.get(url).status_code == 403, url


def test_a_partner_cannot_see_our_agreements_with_another_partner(world, kth_officer_client):
    tpu_usp = make_agreement(world.tpu, "usp.br", world.tpu_officer, code="TPU-USP")
    for name in ("agreement_incoming", "agreement_adopt"):
        assert kth_officer_client.get(_url(name, "kth.se", copy=tpu_usp.uuid)).status_code == 404
    assert (
        kth_officer_client.get(
            _url("agreement_detail", "kth.se", agreement=tpu_usp.uuid)
        ).status_code
        == 404
    )
    assert b"TPU-USP" not in kth_officer_client.get(_url("agreements", "kth.se")).content
    assert b"TPU-USP" not in kth_officer_client.get(_url("agreement_inbox", "kth.se")).content


def test_an_unknown_agreement_is_404(world, tpu_officer_client):
    assert (
        tpu_officer_client.get(_url("agreement_detail", agreement=uuid.uuid4())).status_code == 404
    )


def test_the_list_filters_searches_and_paginates(world, tpu_officer_client):
    make_agreement(
        world.tpu, "kth.se", world.tpu_officer, code="TPU-KTH", conditions=two_way(world)
    )
    make_agreement(world.tpu, "usp.br", world.tpu_officer, code="TPU-USP")
    page = tpu_officer_client.get(_url("agreements"), {"q": "kth"}).content.decode()
    assert "TPU-KTH" in page and "TPU-USP" not in page
    page = tpu_officer_client.get(_url("agreements"), {"status": "draft"}).content.decode()
    assert "TPU-USP" in page and "TPU-KTH" not in page
    page = tpu_officer_client.get(_url("agreements"), {"academic_year": "20x"}).content.decode()
    assert "YYYY/YYYY" in page


def test_the_list_exports_as_csv_and_excel_with_the_same_filters(world, tpu_officer_client):
    make_agreement(
        world.tpu, "kth.se", world.tpu_officer, code="TPU-KTH", conditions=two_way(world)
    )
    make_agreement(world.tpu, "usp.br", world.tpu_officer, code="TPU-USP")
    response = tpu_officer_client.get(_url("agreements_csv"), {"partner": "kth.se"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "TPU-KTH" in text and "TPU-USP" not in text
    response = tpu_officer_client.get(_url("agreements_xlsx"))
    assert response.content[:2] == b"PK"


def test_creating_an_agreement_with_a_partner_on_the_platform(world, tpu_officer_client):
    response = tpu_officer_client.post(
        _url("agreement_create"), {"partner_hei_id": "kth.se", "iia_code": "TPU-KTH-1"}
    )
    with scopes_disabled():
        created = Agreement.objects.get(owner=world.tpu, iia_code="TPU-KTH-1")
    assert response.status_code == 302
    assert response["Location"] == _url("agreement_detail", agreement=created.uuid)
    assert created.partner == world.kth


def test_an_unknown_partner_code_asks_for_confirmation_before_the_agreement_is_made(
    world, tpu_officer_client
):
    typo = {"partner_hei_id": "kth.sw", "iia_code": "TPU-KTH-TYPO"}

    page = tpu_officer_client.post(_url("agreement_create"), typo).content.decode()

    assert "No institution with the code kth.sw is known here" in page
    assert 'type="checkbox" name="partner_elsewhere"' in page
    with scopes_disabled():
        assert not Agreement.objects.filter(iia_code="TPU-KTH-TYPO").exists()


def test_a_partner_elsewhere_is_created_once_confirmed(world, tpu_officer_client):
    confirmed = {"partner_hei_id": "uw.edu.pl", "iia_code": "TPU-UW", "partner_elsewhere": "on"}

    response = tpu_officer_client.post(_url("agreement_create"), confirmed)

    assert response.status_code == 302
    with scopes_disabled():
        created = Agreement.objects.get(owner=world.tpu, iia_code="TPU-UW")
    assert created.partner is None
    assert created.partner_hei_id == "uw.edu.pl"


def test_a_refused_agreement_form_keeps_what_was_typed(world, tpu_officer_client):
    response = tpu_officer_client.post(
        _url("agreement_create"), {"partner_hei_id": "Not A Code", "iia_code": "MY-CODE"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="MY-CODE"' in page and 'value="Not A Code"' in page
    assert 'class="error"' in page


def test_adding_a_condition_through_the_form(world, tpu_officer_client):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    url = _url("agreement_condition_add", agreement=agreement.uuid)
    assert "isced-f-codes" in tpu_officer_client.get(url).content.decode()
    response = tpu_officer_client.post(url, _condition_post())
    assert response.status_code == 302
    condition = agreement.conditions.get()
    assert condition.subject_areas == [{"isced_f_code": "0714", "isced_clarification": ""}]
    assert condition.language_skills[0]["cefr_level"] == "B2"
    assert condition.eqf_levels == [6, 7]


def test_a_refused_condition_keeps_every_typed_value_and_says_why(world, tpu_officer_client):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    response = tpu_officer_client.post(
        _url("agreement_condition_add", agreement=agreement.uuid),
        _condition_post(
            subject_1_code="0790",
            subject_1_clarification="robots",
            mobility_type="staff-training",
            mobilities_per_year="7",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not a four-digit ISCED-F 2013 code." in page
    assert 'value="robots"' in page and 'value="7"' in page
    assert agreement.conditions.count() == 0
    # A rule only the service knows (months are for students) is shown next to its field too.
    response = tpu_officer_client.post(
        _url("agreement_condition_add", agreement=agreement.uuid),
        _condition_post(mobility_type="staff-training"),
    )
    assert "Staff mobility is counted in days, not months." in response.content.decode()


def test_editing_a_condition_shows_its_values_and_saves_changes(world, tpu_officer_client):
    agreement = make_agreement(
        world.tpu, "kth.se", world.tpu_officer, conditions=[student_condition("tpu.ru", "kth.se")]
    )
    condition = agreement.conditions.get()
    url = _url("agreement_condition_edit", agreement=agreement.uuid, condition=condition.uuid)
    assert 'value="0714"' in tpu_officer_client.get(url).content.decode()
    tpu_officer_client.post(url, _condition_post(mobilities_per_year="4"))
    condition.refresh_from_db()
    assert condition.mobilities_per_year == 4


def test_the_detail_page_shows_both_copies_and_marks_differences_in_words(
    world, tpu_officer_client
):
    tpu, kth = linked_pair(world)
    from django_scopes import scope

    from intercampus.mobility.services import agreements as services

    with scope(institution=world.kth):
        services.condition_change(
            actor=world.kth_officer,
            condition=kth.conditions.order_by("position").first(),
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=3),
        )
    page = tpu_officer_client.get(_url("agreement_detail", agreement=tpu.uuid)).content.decode()
    assert '<th scope="col">The partner\'s copy</th>' in page
    assert "≠ Different" in page
    assert "Condition 1: mobilities per year 2 in ours, 3 in the partner&#x27;s." in page
    assert "Approve the partner" not in page


def test_approving_from_the_page_posts_the_hash_shown(world, tpu_officer_client):
    tpu, kth = linked_pair(world)
    page = tpu_officer_client.get(_url("agreement_detail", agreement=tpu.uuid)).content.decode()
    assert kth.iia_hash in page
    response = tpu_officer_client.post(
        _url("agreement_approve", agreement=tpu.uuid), {"iia_hash": "a" * 64}, follow=True
    )
    assert "changed since this page was opened" in response.content.decode()
    assert not kth.approvals.exists()
    tpu_officer_client.post(
        _url("agreement_approve", agreement=tpu.uuid), {"iia_hash": kth.iia_hash}
    )
    assert kth.approvals.get().approver_hei_id == "tpu.ru"


def test_a_button_target_refuses_get(world, tpu_officer_client):
    tpu, _kth = linked_pair(world)
    assert tpu_officer_client.get(_url("agreement_approve", agreement=tpu.uuid)).status_code == 405


def test_terminating_and_deleting_ask_for_confirmation(world, tpu_officer_client):
    agreement = make_agreement(world.tpu, "usp.br", world.tpu_officer)
    assert (
        tpu_officer_client.get(_url("agreement_delete", agreement=agreement.uuid)).status_code
        == 200
    )
    response = tpu_officer_client.post(_url("agreement_delete", agreement=agreement.uuid))
    assert response["Location"] == _url("agreements")
    with scopes_disabled():
        assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_a_second_officer_sees_the_notice_link_back_to_the_page(world):
    """Opening a notice marks it read and goes to the page it names, inside our area only."""
    make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    other = user_with_role("iro2@kth.se", world.kth, RoleKind.INTERNATIONAL_OFFICER)
    client = Client()
    client.force_login(other)
    with scopes_disabled():
        from intercampus.core.models import Notification

        notice = Notification.objects.get(institution=world.kth)
    response = client.get(_url("agreement_notice_open", "kth.se", notice=notice.uuid))
    assert response["Location"] == notice.link
    notice.refresh_from_db()
    assert notice.read_by == other
