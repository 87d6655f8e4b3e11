"""Staff URL patterns of mobility: applications (under /i/<institution>/mobility/)."""

urlpatterns: list = []
