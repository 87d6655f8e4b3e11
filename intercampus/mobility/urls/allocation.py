"""Staff URL patterns of mobility: allocation (under /i/<institution>/mobility/)."""

urlpatterns: list = []
