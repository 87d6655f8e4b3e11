"""The journey of two officers through the pages: TPU proposes an agreement to KTH, KTH is
told, creates its copy from TPU's, sees and fixes a difference, approves; TPU approves back."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.mobility.models import Agreement

pytestmark = pytest.mark.django_db


def _url(name: str, schac: str, **kwargs) -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})


def _condition(sending: str, receiving: str, **overrides) -> dict:
    data = {
        "mobility_type": "student-studies",
        "sending_hei_id": sending,
        "receiving_hei_id": receiving,
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "mobilities_per_year": "2",
        "total_months_per_year": "10",
        "eqf_levels": ["7"],
        "subject_1_code": "0714",
        "language_1": "en",
        "language_1_level": "B2",
    }
    data.update(overrides)
    return data


def _hash_on(page: str) -> str:
    return re.search(r'name="iia_hash" value="([0-9a-f]{64})"', page)[1]


def test_tpu_and_kth_reach_a_mutually_approved_agreement(
    world, tpu_officer_client, kth_officer_client, django_capture_on_commit_callbacks
):
    # TPU's officer creates the agreement and its two conditions.
    with django_capture_on_commit_callbacks(execute=True):
        tpu_officer_client.post(
            _url("agreement_create", "tpu.ru"), {"partner_hei_id": "kth.se", "iia_code": "TPU-KTH"}
        )
        with scopes_disabled():
            tpu = Agreement.objects.get(owner=world.tpu)
        for sending, receiving in (("tpu.ru", "kth.se"), ("kth.se", "tpu.ru")):
            response = tpu_officer_client.post(
                _url("agreement_condition_add", "tpu.ru", agreement=tpu.uuid),
                _condition(sending, receiving),
            )
            assert response.status_code == 302

    # KTH's officer got one e-mail and one notice, which leads to TPU's copy as KTH sees it.
    (email,) = mail.outbox
    assert email.to == ["iro@kth.se"]
    incoming = _url("agreement_incoming", "kth.se", copy=tpu.uuid)
    assert incoming in email.body
    inbox = kth_officer_client.get(_url("agreement_inbox", "kth.se")).content.decode()
    assert "proposed a new agreement, TPU-KTH" in inbox
    page = kth_officer_client.get(incoming).content.decode()
    assert "Create our copy from theirs" in page

    # KTH creates its copy from TPU's: same conditions, linked both ways.
    response = kth_officer_client.post(
        _url("agreement_adopt", "kth.se", copy=tpu.uuid), {"iia_code": "KTH-TPU"}
    )
    with scopes_disabled():
        kth = Agreement.objects.get(owner=world.kth)
    kth_page = _url("agreement_detail", "kth.se", agreement=kth.uuid)
    assert response["Location"] == kth_page
    assert kth.conditions.count() == 2

    # KTH changes the mobilities per year of its first condition: the pages name the difference
    # and offer no approval.
    first = kth.conditions.order_by("position").first()
    edit = _url("agreement_condition_edit", "kth.se", agreement=kth.uuid, condition=first.uuid)
    kth_officer_client.post(edit, _condition("tpu.ru", "kth.se", mobilities_per_year="3"))
    page = kth_officer_client.get(kth_page).content.decode()
    assert "Condition 1: mobilities per year 3 in ours, 2 in the partner&#x27;s." in page
    assert "Approve the partner" not in page

    # KTH fixes it and approves TPU's copy at the version shown.
    kth_officer_client.post(edit, _condition("tpu.ru", "kth.se", mobilities_per_year="2"))
    page = kth_officer_client.get(kth_page).content.decode()
    assert "The two copies are the same." in page
    response = kth_officer_client.post(
        _url("agreement_approve", "kth.se", agreement=kth.uuid), {"iia_hash": _hash_on(page)}
    )
    assert response.status_code == 302

    # TPU sees the approval and approves KTH's copy in turn.
    tpu_page = _url("agreement_detail", "tpu.ru", agreement=tpu.uuid)
    inbox = tpu_officer_client.get(_url("agreement_inbox", "tpu.ru")).content.decode()
    assert "KTH approved your copy of agreement TPU-KTH." in inbox
    page = tpu_officer_client.get(tpu_page).content.decode()
    tpu_officer_client.post(
        _url("agreement_approve", "tpu.ru", agreement=tpu.uuid), {"iia_hash": _hash_on(page)}
    )

    # Both sides now read "mutually approved", and the list says so too.
    for client, url in ((tpu_officer_client, tpu_page), (kth_officer_client, kth_page)):
        assert "Mutually approved" in client.get(url).content.decode()
    listed = tpu_officer_client.get(_url("agreements", "tpu.ru"), {"status": "approved"})
    assert "TPU-KTH" in listed.content.decode()
