"""Staff URL patterns of mobility: applications (under /i/<institution>/mobility/)."""

from django.urls import path

from intercampus.mobility.views import applications

urlpatterns = [
    path("calls/<uuid:call>/applications/", applications.application_list, name="applications"),
    path(
        "calls/<uuid:call>/applications.csv",
        applications.applications_csv,
        name="applications_csv",
    ),
    path(
        "calls/<uuid:call>/applications.xlsx",
        applications.applications_xlsx,
        name="applications_xlsx",
    ),
    path(
        "calls/<uuid:call>/applications/rescore/",
        applications.applications_rescore,
        name="applications_rescore",
    ),
    path(
        "applications/<uuid:application>/",
        applications.application_detail,
        name="application",
    ),
    path(
        "applications/<uuid:application>/score/",
        applications.application_score,
        name="application_score",
    ),
    path(
        "applications/<uuid:application>/documents/<uuid:document>/",
        applications.application_document,
        name="application_document",
    ),
]
