"""Django admin for operators. Changes made here are audited like any other."""

from __future__ import annotations

from django.contrib import admin

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.models import AuditEntry
from intercampus.core.services import _scope_of


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions write audit entries (``admin.<model>.<verb>``)."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "created"
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{verb}",
            obj=obj,
            before=before,
            **_scope_of(obj),
        )

    def delete_model(self, request, obj):
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.deleted",
            obj=obj,
            before=snapshot(obj),
            **_scope_of(obj),
        )
        super().delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "actor", "action", "object_repr", "institution", "consortium"]
    list_filter = ["action", "institution"]
    search_fields = ["action", "object_repr", "actor__email"]
    date_hierarchy = "created"

    # The audit log is evidence: nobody edits or deletes it, operators included.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
