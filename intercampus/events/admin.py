from django.contrib import admin

from intercampus.core.admin import AuditedModelAdmin, ReadOnlyInline, ReadOnlyModelAdmin
from intercampus.events.models import Event, Registration


class RegistrationInline(ReadOnlyInline):
    model = Registration
    fields = ["user", "status", "group", "created", "checked_in_at"]
    raw_id_fields = ["user"]


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    list_display = ["title", "institution", "kind", "starts", "capacity", "audience", "published"]
    list_filter = ["kind", "audience", "published", "institution"]
    search_fields = ["title", "institution__name", "institution__schac"]
    date_hierarchy = "starts"
    autocomplete_fields = ["institution"]
    # Seats are scarce capacity: they change on the staff page, whose service locks the event
    # and moves the waitlist; an edit here would do neither.
    readonly_fields = ["uuid", "capacity", "local_quota", "international_quota", "audience"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyModelAdmin):
    list_display = ["event", "user", "status", "group", "created", "checked_in_at"]
    list_filter = ["status", "group", "event__institution"]
    search_fields = ["user__email", "event__title"]
    list_select_related = ["event", "user"]
    raw_id_fields = ["event", "user", "checked_in_by"]
