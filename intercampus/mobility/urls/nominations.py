"""Staff URL patterns of mobility: nominations (under /i/<institution>/mobility/).

The home's pages sit at ``nominations/`` (its own nominations by UUID), the host's under
``nominations/incoming/``. Every view needs ``mobility.manage_nominations``.
"""

from django.urls import path

from intercampus.mobility.views import nominations as views

ROOT = "nominations/"
ONE = ROOT + "<uuid:nomination>/"
INCOMING = ROOT + "incoming/"
RECEIVED = INCOMING + "<uuid:nomination>/"

urlpatterns = [
    path(ROOT, views.nominations, name="nominations"),
    path(ROOT + "omobilities.xml", views.nominations_xml, name="nominations_xml"),
    path(ROOT + "notices/read/", views.nomination_notices_read, name="nomination_notices_read"),
    path(
        ROOT + "applications/<uuid:application>/nominate/",
        views.nomination_create,
        name="nomination_create",
    ),
    path(
        ROOT + "calls/<uuid:call>/nominate-all/",
        views.nominations_create_all,
        name="nominations_create_all",
    ),
    path(INCOMING, views.nominations_incoming, name="nominations_incoming"),
    path(RECEIVED, views.nomination_incoming, name="nomination_incoming"),
    path(RECEIVED + "accept/", views.nomination_accept, name="nomination_accept"),
    path(RECEIVED + "reject/", views.nomination_reject, name="nomination_reject"),
    path(ONE, views.nomination_detail, name="nomination"),
    path(ONE + "cancel/", views.nomination_cancel, name="nomination_cancel"),
    path(ONE + "student/", views.nomination_student, name="nomination_student"),
]
