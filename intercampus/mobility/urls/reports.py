"""Staff URL patterns of mobility: reports (under /i/<institution>/mobility/).

Every view needs ``mobility.view_reports``; the year is ``?year=YYYY/YYYY``.
"""

from django.urls import path

from intercampus.mobility.views import reports as views

urlpatterns = [
    path("reports/", views.mobility_report, name="mobility_report"),
    path("reports/mobility.csv", views.mobility_report_csv, name="mobility_report_csv"),
    path("reports/mobility.xlsx", views.mobility_report_xlsx, name="mobility_report_xlsx"),
]
