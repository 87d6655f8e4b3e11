"""Django admin for operators. Changes made here are audited like any other."""

from __future__ import annotations

from django.contrib import admin

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.models import AuditEntry
from intercampus.core.services import _scope_of
from intercampus.institutions.models import Institution


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions write audit entries (``admin.<model>.<verb>``),
    its inlines' rows included."""

    # Fields never copied into the audit log (e.g. a password hash).
    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        before = self._snapshot(type(obj)._base_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "changed" if change else "created", before=before)

    def delete_model(self, request, obj):
        self._audit(request, obj, "deleted", before=self._snapshot(obj))
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        changed = [f.instance for f in formset.forms if f.instance.pk and f.has_changed()]
        before = {obj.pk: self._snapshot(type(obj)._base_manager.get(pk=obj.pk)) for obj in changed}
        doomed = [f.instance for f in formset.deleted_forms if f.instance.pk]
        deleted = [(obj, self._snapshot(obj)) for obj in doomed]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, obj, "created")
        for obj, _fields in formset.changed_objects:
            self._audit(request, obj, "changed", before=before.get(obj.pk))
        for obj, snap in deleted:
            self._audit(request, obj, "deleted", before=snap)

    def _snapshot(self, obj) -> dict:
        names = [f.name for f in obj._meta.concrete_fields if f.name not in self.audit_exclude]
        return snapshot(obj, fields=names)

    def _audit(self, request, obj, verb: str, *, before=None) -> None:
        after = None if verb == "deleted" else self._snapshot(obj)
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{verb}",
            obj=obj,
            before=before,
            after=after,
            **audit_scope_of(obj),
        )


def audit_scope_of(obj) -> dict:
    """The institution and consortium of ``obj``; mobility rows name theirs ``owner``."""
    scope = _scope_of(obj)
    owner = getattr(obj, "owner", None)
    if scope["institution"] is None and isinstance(owner, Institution):
        scope["institution"] = owner
    return scope


class ReadOnly:
    """No add, change or delete in the admin, for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyModelAdmin(ReadOnly, admin.ModelAdmin):
    """Operators look at workflow records here; they change only through their services
    (which lock, notify and audit), so the admin shows them without add, change or delete."""


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["created", "actor", "action", "object_repr", "institution", "consortium"]
    list_filter = ["action", "institution"]
    search_fields = ["action", "object_repr", "actor__email"]
    date_hierarchy = "created"

    # The audit log is evidence: nobody edits or deletes it, operators included
    # (ReadOnlyModelAdmin).


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """An inline shown, never edited, for the reason :class:`ReadOnlyModelAdmin` gives."""

    extra = 0
    show_change_link = True

    # Shown fields may include non-editable ones (timestamps), which a form cannot hold.
    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or ())
