"""Every page of the Django admin answers 200 to a platform operator.

The demo consortium gives an object of nearly every model; each registered model's list, add
and change pages are opened, and each autocomplete endpoint is asked once. A page that raised
(e.g. a django-scopes ScopeError from an inline or a related widget) shows up by its URL.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.models import User

REGISTERED = sorted(
    admin.site._registry.items(),
    key=lambda item: item[0]._meta.label,  # noqa: SLF001
)
IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture
def operator(demo, db) -> Client:
    user = User.objects.create_superuser(email="operator@example.org", password="x-y-z-operator")
    client = Client()
    client.force_login(user)
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_admin_registers_the_models_operators_look_at():
    labels = {model._meta.label for model in admin.site._registry}  # noqa: SLF001
    expected = {
        "events.Event",
        "events.Registration",
        "mobility.Call",
        "mobility.Application",
        "mobility.Nomination",
        "mobility.Agreement",
        "onboarding.Journey",
        "onboarding.BuddyProgramme",
        "onboarding.BuddyMatch",
    }
    assert expected <= labels, expected - labels


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_every_admin_page_answers_200(operator, model, model_admin):
    urls = [_url(model, "changelist"), _url(model, "changelist") + "?q=a"]
    if model_admin.has_add_permission(_request_for_permissions()):
        urls.append(_url(model, "add"))
    with scopes_disabled():
        obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        urls.append(_url(model, "change", obj.pk))
        urls.append(_url(model, "history", obj.pk))
    for url in urls:
        response = operator.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_every_autocomplete_field_answers(operator, model, model_admin):
    for field_name in model_admin.autocomplete_fields:
        response = operator.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field_name,
                "term": "a",
            },
        )
        assert response.status_code == 200, (model._meta.label, field_name)


def _request_for_permissions():
    """A stand-in request whose user is a superuser: only ``has_*_permission`` reads it."""

    class _Superuser:
        is_active = is_staff = is_superuser = True

        def has_perm(self, perm, obj=None):
            return True

    class _Request:
        user = _Superuser()

    return _Request()


def _form_data(html: bytes) -> dict[str, list[str]]:
    """What a browser would submit from the admin's change form, as rendered."""
    import lxml.html

    form = next(f for f in lxml.html.fromstring(html).forms if f.get("id", "").endswith("_form"))
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def test_an_operator_changes_a_user_and_gives_a_role_audited(operator):
    from intercampus.accounts.choices import RoleKind
    from intercampus.core.models import AuditEntry
    from intercampus.institutions.models import Institution

    with scopes_disabled():
        user = User.objects.get(email="student@kth.demo")
        institution = Institution.objects.get(schac="kth.se")
        roles_before = user.roles.count()
    url = _url(User, "change", user.pk)
    data = _form_data(operator.get(url).content)
    data["first_name"] = ["Renamed"]
    index = int(data["roles-TOTAL_FORMS"][0])
    data["roles-TOTAL_FORMS"] = [str(index + 1)]
    data[f"roles-{index}-institution"] = [str(institution.pk)]
    data[f"roles-{index}-kind"] = [RoleKind.BUDDY]
    response = operator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        assert user.roles.count() == roles_before + 1
        changed = AuditEntry.objects.get(action="admin.user.changed", object_id=str(user.pk))
        assert changed.after["first_name"] == "Renamed"
        assert "password" not in changed.after
        assert AuditEntry.objects.filter(action="admin.role.created").count() == 1


def test_an_operator_adds_a_work_group_audited(operator):
    from intercampus.core.models import AuditEntry
    from intercampus.network.models import Consortium, WorkGroup

    url = _url(WorkGroup, "add")
    data = _form_data(operator.get(url).content)
    with scopes_disabled():
        consortium = Consortium.objects.get(slug="cluster")
        coordinator = consortium.work_groups.first().coordinator
    data.update(
        consortium=[str(consortium.pk)],
        slug=["operators"],
        name=["Operators"],
        purpose=["Looking after the platform."],
        coordinator=[str(coordinator.pk)],
    )
    response = operator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    group = WorkGroup.objects.get(slug="operators")
    assert AuditEntry.objects.filter(action="admin.workgroup.created", object_id=str(group.pk))


def test_an_operator_sets_a_password_audited_without_the_hash(operator):
    from intercampus.core.models import AuditEntry

    with scopes_disabled():
        user = User.objects.get(email="student@kth.demo")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new = "a-new-long-passphrase-42"
    response = operator.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(new)
    entry = AuditEntry.objects.get(action="admin.user.password_changed", object_id=str(user.pk))
    assert "password" not in (entry.after or {})
