from django.urls import path

from intercampus.institutions.views import staff

urlpatterns = [
    path("profile/", staff.profile, name="profile"),
    path("units/", staff.units, name="units"),
    path("headcounts/", staff.headcounts, name="headcounts"),
    path("people/", staff.people, name="people"),
]
