"""Staff URL patterns of mobility: agreements (under /i/<institution>/mobility/).

Our copies and their conditions are named by UUID; a partner's copy that names us is reached
under ``incoming/<uuid>/``; notices under ``inbox/``. Every view needs
``mobility.manage_agreements``.
"""

from django.urls import path

from intercampus.mobility.views import agreements as views

ROOT = "agreements/"
ONE = ROOT + "<uuid:agreement>/"
CONDITION = ONE + "conditions/<uuid:condition>/"
INCOMING = ROOT + "incoming/<uuid:copy>/"

urlpatterns = [
    path(ROOT, views.agreement_list, name="agreements"),
    path(ROOT + "export.csv", views.agreements_csv, name="agreements_csv"),
    path(ROOT + "export.xlsx", views.agreements_xlsx, name="agreements_xlsx"),
    path(ROOT + "new/", views.agreement_create, name="agreement_create"),
    path(ROOT + "inbox/", views.agreement_inbox, name="agreement_inbox"),
    path(ROOT + "inbox/<uuid:notice>/", views.agreement_notice_open, name="agreement_notice_open"),
    path(INCOMING, views.agreement_incoming, name="agreement_incoming"),
    path(INCOMING + "adopt/", views.agreement_adopt, name="agreement_adopt"),
    path(ONE, views.agreement_detail, name="agreement_detail"),
    path(ONE + "edit/", views.agreement_edit, name="agreement_edit"),
    path(ONE + "link/", views.agreement_link, name="agreement_link"),
    path(ONE + "approve/", views.agreement_approve, name="agreement_approve"),
    path(ONE + "terminate/", views.agreement_terminate, name="agreement_terminate"),
    path(ONE + "delete/", views.agreement_delete, name="agreement_delete"),
    path(ONE + "conditions/add/", views.agreement_condition_add, name="agreement_condition_add"),
    path(CONDITION, views.agreement_condition_edit, name="agreement_condition_edit"),
    path(
        CONDITION + "remove/", views.agreement_condition_remove, name="agreement_condition_remove"
    ),
    path(CONDITION + "move/", views.agreement_condition_move, name="agreement_condition_move"),
]
