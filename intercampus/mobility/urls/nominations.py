"""Staff URL patterns of mobility: nominations (under /i/<institution>/mobility/)."""

urlpatterns: list = []
