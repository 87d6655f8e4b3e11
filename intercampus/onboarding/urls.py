"""Journey and buddy programme URLs. ``staff_urlpatterns`` go under /i/<schac>/ (namespace
``staff``); ``me_urlpatterns`` under /me/journey/ (namespace ``journey``);
``buddy_me_urlpatterns`` under /me/buddy/ (namespace ``buddy``). Objects are named by UUID."""

from django.urls import path

from intercampus.onboarding.views import staff_buddies, student_buddies
from intercampus.onboarding.views import staff_journeys as staff
from intercampus.onboarding.views import student_journeys as me

_STEP = "<uuid:journey>/steps/<uuid:step>"
_TEMPLATE_STEP = "journeys/templates/<uuid:template>/steps/<uuid:step>"
_PROGRAMME = "buddies/<uuid:programme>"

staff_urlpatterns = [
    path("journeys/", staff.dashboard, name="journey_dashboard"),
    path("journeys/export.csv", staff.export_csv, name="journey_export_csv"),
    path("journeys/export.xlsx", staff.export_xlsx, name="journey_export_xlsx"),
    path("journeys/remind/", staff.remind, name="journey_remind"),
    path("journeys/newcomers/add/", staff.newcomer_add, name="journey_newcomer_add"),
    path("journeys/newcomers/import/", staff.newcomer_import, name="journey_newcomer_import"),
    path("journeys/templates/", staff.templates, name="journey_templates"),
    path("journeys/templates/add/", staff.template_add, name="journey_template_add"),
    path("journeys/templates/<uuid:template>/", staff.template_detail, name="journey_template"),
    path(
        "journeys/templates/<uuid:template>/delete/",
        staff.template_delete,
        name="journey_template_delete",
    ),
    path(
        "journeys/templates/<uuid:template>/steps/add/",
        staff.step_add,
        name="journey_step_add",
    ),
    path(f"{_TEMPLATE_STEP}/", staff.step_edit, name="journey_step_edit"),
    path(f"{_TEMPLATE_STEP}/delete/", staff.step_delete, name="journey_step_delete"),
    path(f"{_TEMPLATE_STEP}/document/", staff.step_document, name="journey_step_document"),
    path("journeys/<uuid:journey>/", staff.journey_detail, name="journey_detail"),
    path(f"journeys/{_STEP}/evidence/", staff.evidence, name="journey_evidence"),
    *(
        path(
            f"journeys/{_STEP}/{action}/",
            staff.step_action,
            {"action": action},
            name=f"journey_step_{action}",
        )
        for action in ("done", "skip", "reopen")
    ),
    # The buddy programme.
    path("buddies/", staff_buddies.programmes, name="buddy_programmes"),
    path("buddies/add/", staff_buddies.programme_add, name="buddy_programme_add"),
    path(f"{_PROGRAMME}/", staff_buddies.programme_detail, name="buddy_programme"),
    path(f"{_PROGRAMME}/edit/", staff_buddies.programme_edit, name="buddy_programme_edit"),
    path(f"{_PROGRAMME}/run/", staff_buddies.run, name="buddy_run"),
    path(f"{_PROGRAMME}/buddies/", staff_buddies.buddies, name="buddy_buddies"),
    path(f"{_PROGRAMME}/newcomers/", staff_buddies.newcomers, name="buddy_newcomers"),
    path(f"{_PROGRAMME}/matches/", staff_buddies.matches, name="buddy_matches"),
    path(
        f"{_PROGRAMME}/matches/<uuid:match>/end/",
        staff_buddies.match_end,
        name="buddy_match_end",
    ),
    path(f"{_PROGRAMME}/matches.csv", staff_buddies.export_csv, name="buddy_export_csv"),
    path(f"{_PROGRAMME}/matches.xlsx", staff_buddies.export_xlsx, name="buddy_export_xlsx"),
]

me_urlpatterns = [
    path("", me.home, name="home"),
    path(f"{_STEP}/done/", me.step_done, name="step_done"),
    path(f"{_STEP}/skip/", me.step_skip, name="step_skip"),
    path(f"{_STEP}/reopen/", me.step_reopen, name="step_reopen"),
    path(f"{_STEP}/evidence/", me.evidence, name="evidence"),
    path(f"{_STEP}/document/", me.document, name="document"),
]

buddy_me_urlpatterns = [
    path("", student_buddies.home, name="home"),
    path("<uuid:programme>/buddy/", student_buddies.signup_buddy, name="signup_buddy"),
    path("<uuid:programme>/newcomer/", student_buddies.signup_newcomer, name="signup_newcomer"),
    path("matches/<uuid:match>/accept/", student_buddies.match_accept, name="match_accept"),
    path("matches/<uuid:match>/decline/", student_buddies.match_decline, name="match_decline"),
    path("matches/<uuid:match>/check-ins/", student_buddies.checkins, name="checkins"),
    path("certificate/<uuid:profile>/", student_buddies.certificate, name="certificate"),
]
