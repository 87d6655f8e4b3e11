"""Staff URL patterns of mobility: allocation runs of a call (under /i/<institution>/mobility/).

Every view needs ``mobility.run_allocation``.
"""

from django.urls import path

from intercampus.mobility.views import allocation as views

RUNS = "calls/<uuid:call>/runs/"
RUN = RUNS + "<uuid:run>/"

urlpatterns = [
    path(RUNS, views.runs, name="allocation_runs"),
    path(RUNS + "new/", views.run_start, name="allocation_run_start"),
    path(RUNS + "reallocate/", views.reallocate, name="allocation_reallocate"),
    path(RUN, views.run_detail, name="allocation_run"),
    path(RUN + "progress/", views.run_progress, name="allocation_run_progress"),
    path(RUN + "publish/", views.run_publish, name="allocation_run_publish"),
    path(RUN + "results.csv", views.run_csv, name="allocation_run_csv"),
    path(RUN + "results.xlsx", views.run_xlsx, name="allocation_run_xlsx"),
    path(RUN + "instance.json", views.run_instance, name="allocation_run_instance"),
]
