"""Staff URL patterns of mobility: calls and their places (under /i/<institution>/mobility/)."""

from django.urls import path

from intercampus.mobility.views import calls

urlpatterns = [
    path("calls/", calls.calls, name="calls"),
    path("calls/add/", calls.call_add, name="call_add"),
    path("calls/<uuid:call>/", calls.call_detail, name="call"),
    path("calls/<uuid:call>/edit/", calls.call_edit, name="call_edit"),
    path("calls/<uuid:call>/publish/", calls.call_publish, name="call_publish"),
    path("calls/<uuid:call>/places/derive/", calls.call_derive_places, name="call_derive_places"),
    path("calls/<uuid:call>/places/<uuid:place>/", calls.place_edit, name="place_edit"),
    path("calls/<uuid:call>/places/<uuid:place>/delete/", calls.place_delete, name="place_delete"),
]
