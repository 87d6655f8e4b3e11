from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken, Role, User
from intercampus.core.admin import AuditedModelAdmin


class ScopesDisabledAdminMixin:
    """Operators see every tenant in the admin; ordinary users never reach it."""

    def get_queryset(self, request):
        with scopes_disabled():
            return super().get_queryset(request)

    def changeform_view(self, *args, **kwargs):
        with scopes_disabled():
            return super().changeform_view(*args, **kwargs)

    def changelist_view(self, *args, **kwargs):
        with scopes_disabled():
            return super().changelist_view(*args, **kwargs)

    def delete_view(self, *args, **kwargs):
        with scopes_disabled():
            return super().delete_view(*args, **kwargs)


class RoleInline(ScopesDisabledAdminMixin, admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["institution"]


@admin.register(User)
class UserAdmin(ScopesDisabledAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Role)
class RoleAdmin(ScopesDisabledAdminMixin, AuditedModelAdmin):
    list_display = ["user", "institution", "kind"]
    list_filter = ["kind", "institution"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user", "institution"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    readonly_fields = ["prefix", "created", "last_used"]
    exclude = ["key_hash"]
