"""Site map: public pages at /, the staff area at /i/<institution>/, personal pages at /me/."""

from django.contrib import admin
from django.urls import include, path, re_path

from intercampus.accounts import urls as me_urls
from intercampus.api import api
from intercampus.core import urls as core_staff_urls
from intercampus.core.api_errors import api_not_found
from intercampus.core.views.public import favicon
from intercampus.events import urls as events_urls
from intercampus.institutions import staff_urls as institution_staff_urls
from intercampus.mobility.urls import staff as mobility_staff_urls
from intercampus.mobility.urls import student as mobility_student_urls
from intercampus.network import staff_urls as network_staff_urls
from intercampus.onboarding import urls as onboarding_urls

# Every view here is wrapped by core.permissions.staff_view; the tenancy middleware has
# already resolved <institution> and answered 404 to anyone who is not staff there.
staff_patterns = [
    *core_staff_urls.urlpatterns,
    *institution_staff_urls.urlpatterns,
    *network_staff_urls.urlpatterns,
    *mobility_staff_urls.urlpatterns,
    *events_urls.staff_urlpatterns,
    *onboarding_urls.staff_urlpatterns,
]

urlpatterns = [
    path("", include("intercampus.network.urls")),
    path("i/<str:institution>/", include((staff_patterns, "staff"))),
    path("me/", include((me_urls.urlpatterns, "me"))),
    path("me/mobility/", include((mobility_student_urls.urlpatterns, "mobility"))),
    path("me/journey/", include((onboarding_urls.me_urlpatterns, "journey"))),
    path("me/buddy/", include((onboarding_urls.buddy_me_urlpatterns, "buddy"))),
    path("me/events/", include((events_urls.me_urlpatterns, "my_events"))),
    path("events/", include((events_urls.public_urlpatterns, "events"))),
    path("api/v1/", api.urls),
    # [\s\S]: a path with a newline in it is an unknown API path too, answered in JSON.
    re_path(r"^api/(?P<path>[\s\S]*)\Z", api_not_found),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says; point them at the real icon.
    path("favicon.ico", favicon),
]
