"""The personal area /me/: who I am, my roles, my language."""

from django.conf import settings
from django.urls import reverse

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken, Role, User
from intercampus.core.models import AuditEntry

HOME = reverse("me:home")


def test_the_personal_area_requires_sign_in(world, client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_i_see_who_i_am_and_only_my_own_roles(world, tpu_officer_client):
    response = tpu_officer_client.get(HOME)
    assert response.status_code == 200
    assert "iro@tpu.ru" in response.text
    assert "Tomsk Polytechnic University" in response.text
    assert "International relations officer" in response.text
    assert reverse("staff:home", kwargs={"institution": "tpu.ru"}) in response.text
    assert "KTH Royal Institute of Technology" not in response.text
    assert "KU Leuven" not in response.text
    assert reverse("account_change_password") in response.text


def test_roles_at_several_institutions_are_grouped_and_link_to_staff_areas(world, client):
    user = world.kth_officer
    Role.objects.create(user=user, institution=world.tpu, kind=RoleKind.PROGRAMME_COORDINATOR)
    client.force_login(user)
    response = client.get(HOME)
    assert "KTH Royal Institute of Technology" in response.text
    assert "Programme coordinator" in response.text
    assert reverse("staff:home", kwargs={"institution": "tpu.ru"}) in response.text
    assert reverse("staff:home", kwargs={"institution": "kth.se"}) in response.text


def test_a_student_has_no_staff_area_link(world, student_client):
    response = student_client.get(HOME)
    assert "Student" in response.text
    assert reverse("staff:home", kwargs={"institution": "kth.se"}) not in response.text


def test_i_see_my_own_active_tokens_only(world, tpu_officer_client):
    ApiToken.objects.issue(user=world.tpu_officer, name="My nightly export")
    ApiToken.objects.issue(user=world.kth_officer, name="Somebody else's script")
    response = tpu_officer_client.get(HOME)
    assert "My nightly export" in response.text
    assert "Somebody else" not in response.text


def test_saving_my_language_stores_it_sets_the_cookie_and_is_audited(world, tpu_officer_client):
    response = tpu_officer_client.post(reverse("me:language"), {"language": "ru"})
    assert response.status_code == 302
    assert User.objects.get(pk=world.tpu_officer.pk).preferred_language == "ru"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    entry = AuditEntry.objects.get(action="accounts.user.changed")
    assert entry.after == {"preferred_language": "ru"}
    assert "password" not in (entry.before or {})
    page = tpu_officer_client.get(HOME)
    assert page.wsgi_request.LANGUAGE_CODE == "ru"


def test_going_back_to_the_browsers_language_clears_the_cookie(world, tpu_officer_client):
    tpu_officer_client.post(reverse("me:language"), {"language": "fr"})
    response = tpu_officer_client.post(reverse("me:language"), {"language": ""})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert User.objects.get(pk=world.tpu_officer.pk).preferred_language == ""


def test_an_unknown_language_is_refused_on_the_form(world, tpu_officer_client):
    response = tpu_officer_client.post(reverse("me:language"), {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert User.objects.get(pk=world.tpu_officer.pk).preferred_language == ""
