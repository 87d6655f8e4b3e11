"""Notices and e-mails to a partner on the platform when our copy of an agreement changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import Notification
from intercampus.core.testing import user_with_role
from intercampus.mobility import notifications
from intercampus.mobility.services import agreements as services
from intercampus.mobility.tests.agreements_factories import (
    linked_pair,
    make_agreement,
    staff_condition,
    two_way,
)

pytestmark = pytest.mark.django_db


def _notices(institution) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(institution=institution).order_by("id"))


def test_a_new_copy_notifies_the_partner_once_and_e_mails_only_its_officers(
    world, django_capture_on_commit_callbacks
):
    user_with_role("coordinator@kth.se", world.kth, RoleKind.WORKGROUP_COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        make_agreement(
            world.tpu, "kth.se", world.tpu_officer, code="X-1", conditions=two_way(world)
        )
    (notice,) = _notices(world.kth)
    assert notice.kind == notifications.CREATED
    assert notifications.describe(notice) == (
        "TPU proposed a new agreement, X-1: create your copy from theirs."
    )
    assert [m.to for m in mail.outbox] == [["iro@kth.se"]]
    assert "X-1" in mail.outbox[0].body
    assert mail.outbox[0].alternatives


def test_a_partner_elsewhere_gets_no_notice_here(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_agreement(world.tpu, "uni-foo.example", world.tpu_officer)
    with scopes_disabled():
        assert not Notification.objects.exists()
    assert mail.outbox == []


def test_changes_fold_into_the_unread_notice_and_a_read_one_gets_a_new_notice(
    world, django_capture_on_commit_callbacks
):
    tpu, kth = linked_pair(world)
    with scope(institution=world.tpu), django_capture_on_commit_callbacks(execute=True):
        services.condition_add(
            actor=world.tpu_officer, agreement=tpu, **staff_condition("tpu.ru", "kth.se")
        )
        services.condition_add(
            actor=world.tpu_officer, agreement=tpu, **staff_condition("kth.se", "tpu.ru")
        )
    unread = [n for n in _notices(world.kth) if n.read_at is None]
    assert [n.kind for n in unread] == [notifications.CREATED]
    notifications.notice_mark_read(actor=world.kth_officer, notice=unread[0])
    sent = len(mail.outbox)
    with scope(institution=world.tpu), django_capture_on_commit_callbacks(execute=True):
        services.agreement_change(actor=world.tpu_officer, agreement=tpu, iia_code="RENAMED")
    newest = _notices(world.kth)[-1]
    assert newest.kind == notifications.CHANGED and newest.read_at is None
    assert len(mail.outbox) == sent + 1


def test_the_notice_leads_to_the_partner_own_copy_once_linked(world):
    tpu, kth = linked_pair(world)
    with scope(institution=world.tpu):
        services.agreement_terminate(actor=world.tpu_officer, agreement=tpu)
    newest = _notices(world.kth)[-1]
    assert newest.kind == notifications.TERMINATED
    assert newest.link == f"/i/kth.se/mobility/agreements/{kth.uuid}/"
