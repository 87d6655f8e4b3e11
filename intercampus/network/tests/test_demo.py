"""The demo consortium and the ``intercampus demo`` command."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.models import User
from intercampus.institutions.models import Headcount, Institution
from intercampus.mobility.models import Agreement, Call, Nomination
from intercampus.mobility.selectors.calls import calls_open_to, over_offered_conditions
from intercampus.network.demo.loader import load_demo
from intercampus.network.demo.personas import DEFAULT_PASSWORD, OTHER_LOGINS, PERSONAS
from intercampus.network.models import Action, Consortium, Project, WorkGroup
from intercampus.network.selectors import consortium_totals, members_and_partners
from intercampus.onboarding.models import BuddyMatch, BuddyProgramme, NewcomerProfile


@pytest.fixture(autouse=True)
def demo_db(demo, db, monkeypatch):
    monkeypatch.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)


def cluster():
    return Consortium.objects.get(slug="cluster")


def every_row():
    """Every row of every table, by model, in primary key order."""
    with scopes_disabled():
        return {
            model._meta.label: list(model._base_manager.order_by("pk").values())
            for model in apps.get_models()
        }


def test_loading_gives_twelve_members_and_four_associate_partners():
    members, partners = members_and_partners(cluster())
    assert len(members) == 12
    assert {m.institution.schac for m in partners} == {
        "tpu.ru",
        "polymtl.ca",
        "usp.br",
        "tsinghua.edu.cn",
    }
    assert cluster().secretariat.schac == "kuleuven.be"


def test_consortium_totals_for_2025_are_exactly_the_published_figures():
    totals = consortium_totals(cluster())
    assert totals.year == 2025
    assert totals.as_dict() == {
        "professors": 3000,
        "teachers": 11000,
        "phd_students": 14000,
        "students": 140000,
    }


def test_earlier_years_are_a_little_lower_so_institution_pages_show_a_trend():
    students = dict(
        Headcount.objects.filter(institution__schac="kth.se", category="students").values_list(
            "year", "count"
        )
    )
    assert students[2023] < students[2024] < students[2025]


def test_loading_twice_changes_nothing():
    first = every_row()
    load_demo()
    assert every_row() == first


def test_loading_again_repairs_an_edited_demo():
    Institution.objects.filter(schac="kth.se").update(city="Uppsala")
    load_demo()
    assert Institution.objects.get(schac="kth.se").city == "Stockholm"


def test_each_demo_persona_can_sign_in_and_lands_on_the_start_page_listed():
    logins = {login.email: login for login in load_demo()}
    listed = {persona.email for persona in PERSONAS} | {other.email for other in OTHER_LOGINS}
    # The KTH student whom TPU accepted is listed too.
    assert listed < set(logins)
    assert len(logins) == len(listed) + 1
    for email, login in logins.items():
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, email
        assert response["Location"] == login.path, email
        assert client.get(login.path).status_code == 200, login.path


def test_every_newcomer_of_the_demo_can_sign_in():
    for number in range(1, 10):
        assert Client().login(email=f"newcomer{number}@tpu.demo", password=DEFAULT_PASSWORD)


def test_the_kth_student_has_an_open_call_whose_places_have_seats():
    client = Client()
    client.login(email="student@kth.demo", password=DEFAULT_PASSWORD)
    student = User.objects.get(email="student@kth.demo")
    [call] = calls_open_to(student)
    assert call.owner.schac == "kth.se"
    with scopes_disabled():
        assert call.places.filter(seats__gt=0).count() >= 3
    assert "Read the call and apply" in client.get(reverse("mobility:home")).text


def test_the_kth_student_signs_up_as_a_buddy_and_is_matched_with_kths_newcomers(
    django_capture_on_commit_callbacks, settings
):
    # The matching that the sign-up queues runs at once (the demo server's worker runs it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = Client()
    client.login(email="student@kth.demo", password=DEFAULT_PASSWORD)
    response = client.get(reverse("buddy:home"))
    assert "Become a buddy" in response.text
    with scopes_disabled():
        programme = BuddyProgramme.objects.get(name="KTH Buddy Programme")
    today = datetime.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("buddy:signup_buddy", kwargs={"programme": programme.uuid}),
            {
                "language_1": "sv",
                "level_1": "C2",
                "language_2": "en",
                "level_2": "C1",
                "available_from": today,
                "available_to": today + datetime.timedelta(days=200),
                "capacity": 2,
                "active": "on",
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        matched = BuddyMatch.objects.filter(buddy__user__email="student@kth.demo")
        assert matched.count() == 2


def test_no_demo_call_offers_more_seats_than_its_agreements_have_left():
    with scopes_disabled():
        for call in Call.objects.all():
            assert over_offered_conditions(call) == [], call.title


def test_the_partners_in_the_americas_have_agreements():
    with scopes_disabled():
        for schac in ("polymtl.ca", "usp.br"):
            assert Agreement.objects.filter(
                Q(owner__schac=schac) | Q(partner_hei_id=schac)
            ).exists(), schac


def test_the_kth_mobility_report_opens_on_a_year_with_nominations():
    client = Client()
    client.login(email="iro@kth.demo", password=DEFAULT_PASSWORD)
    report = client.get(reverse("staff:mobility_report", kwargs={"institution": "kth.se"}))
    assert report.context["report"].total.out_used > 0


def test_an_accepted_nominee_arrives_in_the_future_and_is_in_the_buddy_programme():
    with scopes_disabled():
        nomination = Nomination.objects.filter(host__schac="tpu.ru", status="accepted").first()
        student = nomination.application.student
        profile = NewcomerProfile.objects.get(user=student)
    assert profile.arrival_date > datetime.date.today()


def test_the_demo_password_comes_from_the_environment(monkeypatch):
    User.objects.filter(email="iro@kth.demo").delete()
    monkeypatch.setenv("INTERCAMPUS_DEMO_PASSWORD", "a-longer-demo-secret")
    logins = load_demo()
    assert {login.password for login in logins} == {"a-longer-demo-secret"}
    assert Client().login(email="iro@kth.demo", password="a-longer-demo-secret")


def test_reloading_keeps_a_password_the_user_changed():
    user = User.objects.get(email="iro@tpu.demo")
    user.set_password("my-own-password")
    user.save()
    load_demo()
    assert Client().login(email="iro@tpu.demo", password="my-own-password")


def test_the_coordinator_has_a_russian_name_and_is_tpus_representative():
    user = User.objects.get(email="coordinator@tpu.demo")
    group = WorkGroup.objects.get(slug="associate-partners")
    with scopes_disabled():
        representative = group.members.get(institution__schac="tpu.ru").representative
    assert user.first_name and user.last_name
    assert (representative.given_name, representative.family_name) == (
        user.first_name,
        user.last_name,
    )
    assert representative.user == user


def test_the_apwg_is_coordinated_by_tpu_by_decision_of_the_general_assembly():
    group = WorkGroup.objects.get(consortium__slug="cluster", slug="associate-partners")
    assert group.coordinator.schac == "tpu.ru"
    appointment = group.appointments.get()
    assert appointment.institution == group.coordinator
    assert appointment.term_start == datetime.date(2020, 4, 2)
    assert appointment.decision.body == "general_assembly"
    assert appointment.decision.decided_on == datetime.date(2020, 4, 2)
    assert group.aims == [
        "Strengthen cooperation",
        "Popularise educational practices",
        "Find new ways of cooperation",
    ]


def test_the_apwg_members_are_the_access_points_to_their_countries():
    group = WorkGroup.objects.get(slug="associate-partners")
    access_points = {ap.country.code: ap.institution.schac for ap in group.access_points.all()}
    assert access_points == {
        "RU": "tpu.ru",
        "CA": "polymtl.ca",
        "BR": "usp.br",
        "CN": "tsinghua.edu.cn",
    }
    with scopes_disabled():
        for member in group.members.select_related("representative"):
            assert member.representative.institution_id == member.institution_id


def test_actions_include_done_open_and_late_ones():
    today = datetime.date.today()
    statuses = set(Action.objects.values_list("status", flat=True))
    late = Action.objects.filter(status__in=["open", "in_progress"], due__lt=today)
    assert {"done", "open"} <= statuses
    assert late.exists()


def test_incomm_is_coordinated_by_kth_with_tu_graz_as_outside_partner():
    project = Project.objects.get(slug="incomm")
    roles = {p.display_name: p.role for p in project.partners.select_related("institution")}
    assert roles["KTH Royal Institute of Technology"] == "coordinator"
    assert roles["Eindhoven University of Technology"] == "co_coordinator"
    assert roles["Graz University of Technology"] == "partner"
    graz = project.partners.get(outside_name="Graz University of Technology")
    assert graz.institution is None
    assert graz.outside_country.code == "AT"
    assert not Institution.objects.filter(schac="tugraz.at").exists()
    assert project.outputs.count() >= 3


def test_the_command_prints_one_login_line_per_persona():
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    lines = out.getvalue().splitlines()
    for persona in PERSONAS:
        (line,) = [line for line in lines if persona.email in line]
        assert DEFAULT_PASSWORD in line
        assert "http://127.0.0.1:8000/" in line
    assert cluster().work_groups.count() >= 4


def test_the_command_serves_the_site_on_the_given_host_and_port(monkeypatch):
    from intercampus.network.management.commands import demo

    calls = []

    def fake_call_command(name, *args, **options):
        calls.append((name, args, options))

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    # The demo server runs the queued background tasks (buddy matching...) in a thread.
    monkeypatch.setattr(demo, "start_demo_worker", lambda: calls.append(("worker", (), {})))
    call_command("demo", "--port", "8123", "--host", "localhost", stdout=io.StringIO())
    assert [name for name, _, _ in calls] == ["migrate", "worker", "runserver"]
    name, args, options = calls[-1]
    assert args == ("localhost:8123",)
    assert options["use_reloader"] is False
