"""The admin's app config, kept apart from ``core/apps.py`` so that module keeps one AppConfig."""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the operators' unscoped site as ``admin.site``."""

    default_site = "intercampus.core.admin_site.OperatorAdminSite"
