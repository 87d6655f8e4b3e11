"""The institution's own pages in its staff area, /i/<schac>/... (namespace ``staff``).

Units and people are named by UUID, a year of headcounts by the year itself.
"""

from django.urls import path

from intercampus.institutions.views import staff

urlpatterns = [
    path("profile/", staff.profile, name="profile"),
    path("units/", staff.units, name="units"),
    path("units/add/", staff.unit_add, name="unit_add"),
    path("units/<uuid:unit>/", staff.unit_edit, name="unit_edit"),
    path("units/<uuid:unit>/delete/", staff.unit_delete, name="unit_delete"),
    path("headcounts/", staff.headcounts, name="headcounts"),
    path("headcounts/add/", staff.headcount_add, name="headcount_add"),
    path("headcounts/import/", staff.headcount_import, name="headcount_import"),
    path("headcounts/export.csv", staff.headcounts_csv, name="headcounts_csv"),
    path("headcounts/export.xlsx", staff.headcounts_xlsx, name="headcounts_xlsx"),
    path("headcounts/<int:year>/", staff.headcount_edit, name="headcount_edit"),
    path("headcounts/<int:year>/delete/", staff.headcount_delete, name="headcount_delete"),
    path("people/", staff.people, name="people"),
    path("people/add/", staff.person_add, name="person_add"),
    path("people/<uuid:person>/", staff.person_edit, name="person_edit"),
    path("people/<uuid:person>/delete/", staff.person_delete, name="person_delete"),
]
