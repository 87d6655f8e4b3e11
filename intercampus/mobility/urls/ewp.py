"""Staff URL patterns of mobility: Erasmus Without Paper documents (under
/i/<institution>/mobility/ewp/). Every view needs ``mobility.manage_agreements``."""

from django.urls import path

from intercampus.mobility.views import ewp as views

ROOT = "ewp/"

urlpatterns = [
    path(ROOT + "iias.xml", views.ewp_export, name="ewp_export"),
    path(ROOT + "import/", views.ewp_import, name="ewp_import"),
    path(ROOT + "import/<uuid:job>/", views.ewp_import_job, name="ewp_import_job"),
    path(
        ROOT + "import/<uuid:job>/progress/",
        views.ewp_import_job_progress,
        name="ewp_import_job_progress",
    ),
    path(ROOT + "iia-hash/", views.ewp_hash, name="ewp_hash"),
]
