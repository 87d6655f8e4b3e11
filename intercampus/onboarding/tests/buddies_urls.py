"""The site's URLs with the student buddy pages at /me/buddy/ (namespace ``buddy``), for the
buddy tests until the lead wires ``buddy_me_urlpatterns`` into ``intercampus/urls.py``; once
he has, this is the site's own URL configuration unchanged."""

from django.urls import URLResolver, include, path

from intercampus.onboarding.urls import buddy_me_urlpatterns
from intercampus.urls import urlpatterns as site_urlpatterns

_wired = any(
    isinstance(entry, URLResolver) and entry.namespace == "buddy" for entry in site_urlpatterns
)

urlpatterns = list(site_urlpatterns)
if not _wired:
    urlpatterns.insert(0, path("me/buddy/", include((buddy_me_urlpatterns, "buddy"))))
