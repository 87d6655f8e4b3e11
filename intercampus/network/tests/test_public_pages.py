"""The public pages: the consortium, institutions, work groups and projects, without login."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.institutions.models import Headcount, OrganisationalUnit
from intercampus.network.models import (
    AccessPoint,
    Action,
    Appointment,
    Consortium,
    Decision,
    Meeting,
    Programme,
    ProjectOutput,
)


@pytest.fixture
def busy_group(world):
    """The Associate Partners Work Group with an appointment, a meeting, a late action."""
    group = world.apwg
    with scopes_disabled():
        world.tpu_person.position = "Head of International Office"
        world.tpu_person.save()
    appointing = Decision.objects.get(consortium=world.consortium)
    Appointment.objects.create(
        work_group=group,
        institution=world.tpu,
        decision=appointing,
        term_start=datetime.date(2020, 4, 2),
        term_end=datetime.date(2026, 4, 1),
    )
    meeting = Meeting.objects.create(
        work_group=group,
        title="Spring meeting",
        date=datetime.date(2024, 5, 14),
        location="Tomsk",
        summary="Partners compared their onboarding practices.",
    )
    Decision.objects.create(
        consortium=world.consortium,
        body="work_group",
        work_group=group,
        meeting=meeting,
        decided_on=meeting.date,
        text="Publish a joint guide for newcomers.",
    )
    Decision.objects.create(
        consortium=world.consortium,
        body="work_group",
        work_group=group,
        decided_on=datetime.date(2024, 9, 1),
        text="Adopt the terms of reference by written procedure.",
    )
    Action.objects.create(
        work_group=group,
        meeting=meeting,
        title="Draft the newcomers' guide",
        owner=world.usp,
        due=datetime.date(2000, 1, 31),
    )
    Action.objects.create(
        work_group=group,
        title="Collect national practices",
        owner=world.tpu,
        due=datetime.date(2000, 1, 31),
        status="done",
    )
    AccessPoint.objects.create(
        consortium=world.consortium, work_group=group, country="RU", institution=world.tpu
    )
    return group


def group_url(world):
    return reverse("network:work_group", kwargs={"slug": "cluster", "group": world.apwg.slug})


def test_the_home_page_shows_the_default_consortium_and_its_institutions(world, client):
    response = client.get(reverse("network:home"))
    assert response.status_code == 200
    assert "CLUSTER" in response.text
    assert "KTH Royal Institute of Technology" in response.text
    assert reverse("network:institution", kwargs={"schac": "tpu.ru"}) in response.text
    assert "Associate Partners Work Group" in response.text
    assert "InComm" in response.text


def test_the_home_page_shows_the_headcount_totals_of_the_latest_year(world, client):
    Headcount.objects.create(institution=world.kth, year=2020, category="students", count=999)
    response = client.get(reverse("network:home"))
    # 10 + 20 + 30 + 40 + 50 people per category in 2025, the latest year.
    assert response.context["totals"].year == 2025
    assert response.context["totals"].students == 150
    assert "150" in response.text
    assert 'id="totals-chart"' in response.text
    assert "totals-chart-data" in response.text


def test_one_member_reporting_a_new_year_does_not_collapse_the_totals(world, client):
    for category in ("professors", "teachers", "phd_students", "students"):
        Headcount.objects.create(institution=world.tpu, year=2026, category=category, count=45)
    response = client.get(reverse("network:home"))
    totals = response.context["totals"]
    # Everyone else is still counted with 2025: 10 + 20 + 30 + 50, and TPU with 2026: 45.
    assert totals.students == 155
    assert [(y.year, y.institutions) for y in totals.years] == [(2026, 1), (2025, 4)]
    assert "2026 for 1 institution, 2025 for 4 institutions" in response.text
    assert "latest year it reported" in response.text


def test_the_totals_say_when_every_institution_reported_the_same_year(world, client):
    response = client.get(reverse("network:home"))
    assert "in 2025, the latest year every one of them reported" in response.text


def test_the_home_page_lists_programmes_and_associate_partners_apart(world, client):
    Programme.objects.create(
        consortium=world.consortium, slug="sino", name="Sino-European platform", since=2011
    )
    response = client.get(reverse("network:home"))
    assert "Sino-European platform" in response.text
    partners = [m.institution.schac for m in response.context["partners"]]
    assert partners == ["tpu.ru", "usp.br"]


def test_the_home_page_falls_back_to_the_first_consortium(world, client, settings):
    settings.INTERCAMPUS_DEFAULT_CONSORTIUM = "no-such-consortium"
    response = client.get(reverse("network:home"))
    assert response.context["consortium"] == world.consortium


def test_the_home_page_explains_how_to_load_the_demo_when_there_is_no_consortium(db, client):
    response = client.get(reverse("network:home"))
    assert response.status_code == 200
    assert "intercampus demo" in response.text


def test_the_home_page_runs_a_small_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = client.get(reverse("network:home"))
    assert response.status_code == 200


def test_any_consortium_has_its_own_page(world, client):
    Consortium.objects.create(slug="other", name="Other Network", secretariat=world.kth)
    response = client.get(reverse("network:consortium", kwargs={"slug": "other"}))
    assert response.status_code == 200
    assert "Other Network" in response.text
    assert response.context["members"] == []


def test_an_unknown_consortium_is_404(world, client):
    assert client.get(reverse("network:consortium", kwargs={"slug": "nope"})).status_code == 404


def test_the_institution_directory_lists_every_institution_with_its_membership(world, client):
    response = client.get(reverse("network:institutions"))
    assert response.status_code == 200
    for name in ("KU Leuven", "Tomsk Polytechnic University", "University of São Paulo"):
        assert name in response.text
    assert "Associate partner" in response.text


@pytest.mark.parametrize("query", ["tomsk", "TPU.RU", "Polytechnic"])
def test_the_institution_directory_searches_name_city_and_schac_code(world, client, query):
    response = client.get(reverse("network:institutions"), {"q": query})
    names = [i.name for i in response.context["page"].object_list]
    assert names == ["Tomsk Polytechnic University"]


def test_the_institution_directory_filters_by_country(world, client):
    response = client.get(reverse("network:institutions"), {"country": "BR"})
    names = [i.name for i in response.context["page"].object_list]
    assert names == ["University of São Paulo"]


def test_an_unknown_country_filter_is_ignored_not_an_error(world, client):
    response = client.get(reverse("network:institutions"), {"country": "XX"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5


def test_the_institution_page_shows_its_profile(world, client):
    department = OrganisationalUnit.objects.get(name="School of Engineering Sciences")
    OrganisationalUnit.objects.create(
        institution=world.kth, parent=department, name="Department of Physics", kind="department"
    )
    Headcount.objects.create(institution=world.kth, year=2024, category="students", count=12345)
    response = client.get(reverse("network:institution", kwargs={"schac": "kth.se"}))
    assert response.status_code == 200
    text = response.text
    for expected in (
        "KTH Royal Institute of Technology",
        "S  STOCKHO04",
        "Stockholm",
        "Europe/Stockholm",
        "Swedish",
        "School of Engineering Sciences",
        "Department of Physics",
        "12,345",
        "InComm",
    ):
        assert expected in text


def test_the_institution_page_shows_work_groups_and_access_point_role(busy_group, world, client):
    response = client.get(reverse("network:institution", kwargs={"schac": "tpu.ru"}))
    assert "Associate Partners Work Group" in response.text
    assert response.context["profile"].work_groups[0].coordinates
    assert "Access point of CLUSTER for Russia" in response.text


def test_the_institution_page_shows_no_personal_data(busy_group, world, client):
    response = client.get(reverse("network:institution", kwargs={"schac": "tpu.ru"}))
    assert "Smirnova" not in response.text
    assert "i.s@tpu.ru" not in response.text


def test_an_unknown_institution_is_404(world, client):
    url = reverse("network:institution", kwargs={"schac": "nowhere.example"})
    assert client.get(url).status_code == 404


def test_the_work_group_page_shows_coordinator_and_appointing_decision(busy_group, world, client):
    response = client.get(group_url(world))
    assert response.status_code == 200
    text = response.text
    assert "Tomsk Polytechnic University" in text
    assert "by the General Assembly on" in text
    assert "TPU coordinates the Associate Partners Work Group." in text


def test_the_work_group_page_shows_the_representative_but_not_their_email(
    busy_group, world, client
):
    response = client.get(group_url(world))
    assert "Irina Smirnova" in response.text
    assert "Head of International Office" in response.text
    assert "i.s@tpu.ru" not in response.text


def test_the_work_group_page_shows_meetings_decisions_and_actions(busy_group, world, client):
    response = client.get(group_url(world))
    text = response.text
    assert "Spring meeting" in text
    assert "Publish a joint guide for newcomers." in text
    assert "Adopt the terms of reference by written procedure." in text
    assert "Draft the newcomers&#x27; guide" in text
    assert [d.text for d in response.context["other_decisions"]] == [
        "Adopt the terms of reference by written procedure."
    ]


def test_late_actions_are_flagged_in_words_and_finished_ones_are_not(busy_group, world, client):
    response = client.get(group_url(world))
    late = {a.title: a.is_late for a in response.context["actions"]}
    assert late == {"Draft the newcomers' guide": True, "Collect national practices": False}
    assert ">Late<" in response.text


def test_the_work_group_page_lists_access_points(busy_group, world, client):
    response = client.get(group_url(world))
    assert [p.institution for p in response.context["access_points"]] == [world.tpu]


def test_the_work_group_page_runs_a_small_fixed_number_of_queries(
    busy_group, world, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = client.get(group_url(world))
    assert response.status_code == 200


def test_an_unknown_work_group_is_404(world, client):
    url = reverse("network:work_group", kwargs={"slug": "cluster", "group": "nope"})
    assert client.get(url).status_code == 404


def test_a_work_group_of_an_unknown_consortium_is_404(world, client):
    url = reverse("network:work_group", kwargs={"slug": "nope", "group": world.apwg.slug})
    assert client.get(url).status_code == 404


def test_the_project_page_shows_partners_and_outputs(world, client):
    ProjectOutput.objects.create(
        project=world.project,
        title="Feel-at-home toolkit",
        due=datetime.date(2022, 6, 30),
        status="delivered",
    )
    response = client.get(reverse("network:project", kwargs={"slug": "incomm"}))
    assert response.status_code == 200
    text = response.text
    assert "InComm" in text
    assert "Feel at Home" in text
    assert "Erasmus+ strategic partnership" in text
    assert reverse("network:institution", kwargs={"schac": "kth.se"}) in text
    assert "TU Graz" in text
    assert "Austria" in text
    assert "Feel-at-home toolkit" in text
    assert "Delivered" in text


def test_an_unknown_project_is_404(world, client):
    assert client.get(reverse("network:project", kwargs={"slug": "nope"})).status_code == 404


PAGES = [
    ("network:home", {}),
    ("network:consortium", {"slug": "cluster"}),
    ("network:institutions", {}),
    ("network:institution", {"schac": "tpu.ru"}),
    ("network:work_group", {"slug": "cluster", "group": "associate-partners"}),
    ("network:project", {"slug": "incomm"}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_public_page_opens_to_anonymous_visitors(world, client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert "Sign in" in response.text


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_public_page_opens_to_signed_in_users(world, student_client, name, kwargs):
    assert student_client.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_public_page_opens_in_russian_by_accept_language(world, client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert '<html lang="ru"' in response.text


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_public_page_opens_in_russian_by_language_cookie(world, client, name, kwargs):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert '<html lang="ru"' in response.text
