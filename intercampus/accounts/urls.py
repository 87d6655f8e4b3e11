from django.urls import path

from intercampus.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
]
