"""A student's own mobility pages, under /me/mobility/."""

urlpatterns: list = []
