from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from intercampus.accounts.models import ApiToken, Role, User
from intercampus.core.admin import AuditedModelAdmin
from intercampus.core.audit import audit_log

# Scopes: the whole admin site runs unscoped for operators (core/admin_site.py).


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["institution"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    # A password hash is a secret: the audit log records that it changed, never its value.
    audit_exclude = ("password",)
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

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        # Django redirects once the new password is saved; the log names the change only.
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            audit_log(actor=request.user, action="admin.user.password_changed", obj=user, after={})
        return response


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    list_display = ["user", "institution", "kind"]
    list_filter = ["kind", "institution"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user", "institution"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["prefix", "created", "last_used"]
    exclude = ["key_hash"]
    audit_exclude = ("key_hash",)
    raw_id_fields = ["user"]

    # A token's secret is shown once to its owner when created (accounts views); an operator
    # adding one here would make a token nobody can use.
    def has_add_permission(self, request):
        return False
