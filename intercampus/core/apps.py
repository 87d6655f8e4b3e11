from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(using: str = "default", **_kwargs) -> None:
    """Make the database cache's table (settings.CACHES) if it is missing: migrations do not.

    Idempotent, and a no-op when CACHE_URL names another kind of cache.
    """
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "intercampus.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="core-cache-table")
