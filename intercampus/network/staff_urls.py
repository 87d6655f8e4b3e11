from django.urls import path

from intercampus.network.views import staff

urlpatterns = [
    path("consortia/<slug:slug>/", staff.consortium, name="consortium"),
    path("consortia/<slug:slug>/groups/", staff.work_groups, name="work_groups"),
    path("consortia/<slug:slug>/projects/", staff.projects, name="projects"),
    path("groups/<slug:consortium>/<slug:group>/", staff.work_group, name="work_group"),
]
