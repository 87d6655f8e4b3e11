"""A student's own mobility pages, under /me/mobility/ (namespace ``mobility``)."""

from django.urls import path

from intercampus.mobility.views import allocation, student

urlpatterns = [
    path("", student.home, name="home"),
    path("calls/<uuid:call>/", student.call, name="call"),
    path("calls/<uuid:call>/apply/", student.apply, name="apply"),
    path("applications/<uuid:application>/", student.application, name="application"),
    path("applications/<uuid:application>/autosave/", student.autosave, name="autosave"),
    path("applications/<uuid:application>/submit/", student.submit, name="submit"),
    path("applications/<uuid:application>/withdraw/", student.withdraw, name="withdraw"),
    path(
        "applications/<uuid:application>/documents/",
        student.document_upload,
        name="document_upload",
    ),
    path(
        "applications/<uuid:application>/documents/<uuid:document>/",
        student.document,
        name="document",
    ),
    path(
        "applications/<uuid:application>/documents/<uuid:document>/delete/",
        student.document_delete,
        name="document_delete",
    ),
    path(
        "applications/<uuid:application>/decline/",
        allocation.student_decline,
        name="decline",
    ),
]
