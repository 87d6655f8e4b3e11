from django.urls import path

from intercampus.core.views import staff

urlpatterns = [
    path("", staff.home, name="home"),
    path("audit/", staff.audit_log, name="audit"),
]
