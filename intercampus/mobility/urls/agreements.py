"""Staff URL patterns of mobility: agreements (under /i/<institution>/mobility/)."""

urlpatterns: list = []
