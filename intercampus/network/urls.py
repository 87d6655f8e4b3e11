from django.urls import path

from intercampus.network.views import public

app_name = "network"

urlpatterns = [
    path("", public.home, name="home"),
    path("institutions/", public.institution_list, name="institutions"),
    path("institutions/<str:schac>/", public.institution_detail, name="institution"),
    path("c/<slug:slug>/", public.consortium_detail, name="consortium"),
    path("c/<slug:slug>/groups/<slug:group>/", public.work_group_detail, name="work_group"),
    path("projects/<slug:slug>/", public.project_detail, name="project"),
]
