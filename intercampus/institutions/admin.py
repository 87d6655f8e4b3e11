from django.contrib import admin

from intercampus.core.admin import AuditedModelAdmin
from intercampus.institutions.models import Headcount, Institution, OrganisationalUnit, Person


class UnitInline(admin.TabularInline):
    model = OrganisationalUnit
    extra = 0
    fk_name = "institution"
    fields = ["name", "kind", "code", "parent"]


class HeadcountInline(admin.TabularInline):
    model = Headcount
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(AuditedModelAdmin):
    list_display = ["name", "schac", "country", "city", "erasmus_code"]
    list_filter = ["country"]
    search_fields = ["name", "schac", "erasmus_code", "city"]
    inlines = [UnitInline, HeadcountInline]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["family_name", "given_name", "institution", "email", "position"]
    list_filter = ["institution"]
    search_fields = ["family_name", "given_name", "email"]
    autocomplete_fields = ["institution", "user"]
