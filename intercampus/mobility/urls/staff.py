"""Every staff URL of mobility, gathered for intercampus/urls.py (namespace ``staff``)."""

from django.urls import include, path

from intercampus.mobility.urls import (
    agreements,
    allocation,
    applications,
    calls,
    ewp,
    nominations,
    reports,
)

urlpatterns = [
    path(
        "mobility/",
        include(
            [
                *agreements.urlpatterns,
                *ewp.urlpatterns,
                *calls.urlpatterns,
                *applications.urlpatterns,
                *allocation.urlpatterns,
                *nominations.urlpatterns,
                *reports.urlpatterns,
            ]
        ),
    ),
]
