"""Journey URLs. ``staff_urlpatterns`` go under /i/<schac>/ (namespace ``staff``);
``me_urlpatterns`` under /me/journey/ (namespace ``journey``). Objects are named by UUID."""

from django.urls import path

from intercampus.onboarding.views import staff_journeys as staff
from intercampus.onboarding.views import student_journeys as me

_STEP = "<uuid:journey>/steps/<uuid:step>"
_TEMPLATE_STEP = "journeys/templates/<uuid:template>/steps/<uuid:step>"

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
]

me_urlpatterns = [
    path("", me.home, name="home"),
    path(f"{_STEP}/done/", me.step_done, name="step_done"),
    path(f"{_STEP}/skip/", me.step_skip, name="step_skip"),
    path(f"{_STEP}/reopen/", me.step_reopen, name="step_reopen"),
    path(f"{_STEP}/evidence/", me.evidence, name="evidence"),
    path(f"{_STEP}/document/", me.document, name="document"),
]
