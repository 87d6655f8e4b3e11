"""The staff area /i/<institution>/ exists only for that institution's staff."""

import pytest
from django.urls import reverse
from django_scopes import ScopeError

from intercampus.accounts.models import Role


def test_staff_of_the_institution_enter_its_staff_area(world, tpu_officer_client):
    response = tpu_officer_client.get(reverse("staff:home", kwargs={"institution": "tpu.ru"}))
    assert response.status_code == 200
    assert "Tomsk Polytechnic University" in response.text


def test_staff_of_another_institution_get_404(world, kth_officer_client):
    response = kth_officer_client.get(reverse("staff:home", kwargs={"institution": "tpu.ru"}))
    assert response.status_code == 404


def test_a_student_has_no_staff_area(world, student_client):
    response = student_client.get(reverse("staff:home", kwargs={"institution": "kth.se"}))
    assert response.status_code == 404


def test_an_unknown_institution_is_404(world, tpu_officer_client):
    response = tpu_officer_client.get("/i/nowhere.example/")
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(reverse("staff:home", kwargs={"institution": "tpu.ru"}))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_member_without_the_permission_gets_403(world, coordinator_client):
    response = coordinator_client.get(reverse("staff:profile", kwargs={"institution": "tpu.ru"}))
    assert response.status_code == 403


def test_tenant_data_cannot_be_read_outside_a_scope(world):
    with pytest.raises(ScopeError):
        list(Role.objects.all())
