"""Staff URL patterns of mobility: Erasmus Without Paper documents (under
/i/<institution>/mobility/ewp/). Every view needs ``mobility.manage_agreements``."""

from django.urls import path

from intercampus.mobility.views import ewp as views

ROOT = "ewp/"

urlpatterns = [
    path(ROOT + "iias.xml", views.ewp_export, name="ewp_export"),
    path(ROOT + "import/", views.ewp_import, name="ewp_import"),
    path(ROOT + "iia-hash/", views.ewp_hash, name="ewp_hash"),
]
