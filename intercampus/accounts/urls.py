"""The personal area /me/... (namespace ``me``). Tokens are named by their public prefix."""

from django.urls import path

from intercampus.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language, name="language"),
    path("notices/read/", views.notices_read, name="notices_read"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_created, name="token_created"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
