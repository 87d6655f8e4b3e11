"""A seat at an event open to everyone needs a verified e-mail address, unless the organiser
knows the person as its student or newcomer (then the group follows from their roles)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken, Role, User
from intercampus.core.services import ServiceError
from intercampus.events import services
from intercampus.events.choices import Group
from intercampus.events.models import Registration


@pytest.fixture
def unverified(db) -> User:
    """Someone who signed up and never confirmed their address."""
    user = User.objects.create_user(email="throwaway@example.org", password="x")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def _registrations(event) -> int:
    with scopes_disabled():
        return Registration.objects.filter(event=event).count()


def test_an_unverified_account_cannot_take_a_seat(world, event, unverified):
    with pytest.raises(ServiceError) as refused:
        services.registration_create(actor=unverified, event=event, group=Group.LOCAL)
    assert refused.value.status == 403
    assert _registrations(event) == 0


def test_the_event_page_asks_to_verify_and_links_to_the_resend_page(world, event, unverified):
    client = Client()
    client.force_login(unverified)
    url = reverse("events:detail", kwargs={"event": event.uuid})
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("account_email").encode() in page.content
    assert b"Confirm your e-mail address" in page.content
    response = client.post(
        reverse("events:register", kwargs={"event": event.uuid}), {"group": Group.LOCAL}
    )
    assert response.status_code == 403
    assert b"Confirm your e-mail address" in response.content
    assert reverse("account_email").encode() in response.content
    assert _registrations(event) == 0


def test_the_api_refuses_an_unverified_account_with_a_detail(world, event, unverified):
    _token, raw = ApiToken.objects.issue(user=unverified, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        f"/api/v1/events/{event.uuid}/registration",
        {"group": "local"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "verified" in response.json()["detail"]
    assert _registrations(event) == 0


def test_a_verified_account_takes_a_seat(world, event, unverified):
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    registration = services.registration_create(actor=unverified, event=event, group=Group.LOCAL)
    assert registration.status == "confirmed"


def test_a_student_of_the_organiser_needs_no_verification(world, event):
    """The organiser vouches for its own students: their group follows from their role."""
    user = User.objects.create_user(email="known@tpu.ru", password="x")
    with scopes_disabled():
        Role.objects.create(user=user, institution=world.tpu, kind=RoleKind.STUDENT)
    registration = services.registration_create(actor=user, event=event)
    assert registration.group == Group.LOCAL
