"""Staff URL patterns of mobility: reports (under /i/<institution>/mobility/)."""

urlpatterns: list = []
