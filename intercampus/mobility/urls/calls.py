"""Staff URL patterns of mobility: calls (under /i/<institution>/mobility/)."""

urlpatterns: list = []
