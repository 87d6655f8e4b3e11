"""Event URLs, in three lists that the site map mounts:

- ``staff_urlpatterns``: the organiser's pages under /i/<schac>/ (namespace ``staff``), names
  ``events`` and ``event_*``;
- ``public_urlpatterns``: events as students see them, under /events/ (namespace ``events``);
- ``me_urlpatterns``: a person's own registrations, under /me/events/ (namespace ``my_events``).

Events and registrations are named by UUID.
"""

from django.urls import path

from intercampus.events.views import public, staff, student

staff_urlpatterns = [
    path("events/", staff.events, name="events"),
    path("events/add/", staff.event_add, name="event_add"),
    path("events/<uuid:event>/", staff.event_detail, name="event_detail"),
    path("events/<uuid:event>/edit/", staff.event_edit, name="event_edit"),
    path(
        "events/<uuid:event>/registrations/",
        staff.event_registrations,
        name="event_registrations",
    ),
    path(
        "events/<uuid:event>/registrations.csv",
        staff.event_registrations_csv,
        name="event_registrations_csv",
    ),
    path(
        "events/<uuid:event>/registrations.xlsx",
        staff.event_registrations_xlsx,
        name="event_registrations_xlsx",
    ),
    path(
        "events/<uuid:event>/registrations/<uuid:registration>/cancel/",
        staff.event_registration_cancel,
        name="event_registration_cancel",
    ),
    path("events/<uuid:event>/check-in/", staff.event_check_in, name="event_check_in"),
    path(
        "events/<uuid:event>/check-in/<uuid:registration>/",
        staff.event_check_in_registration,
        name="event_check_in_registration",
    ),
    path("events/<uuid:event>/no-shows/", staff.event_no_shows, name="event_no_shows"),
]

public_urlpatterns = [
    path("", public.event_list, name="list"),
    path("<uuid:event>/", public.event_detail, name="detail"),
    path("<uuid:event>/register/", public.event_register, name="register"),
    path("<uuid:event>/cancel/", public.event_cancel, name="cancel"),
    path("<uuid:event>/event.ics", public.event_ics, name="ics"),
]

me_urlpatterns = [
    path("", student.my_events, name="list"),
    path("calendar.ics", student.my_calendar, name="calendar"),
]
