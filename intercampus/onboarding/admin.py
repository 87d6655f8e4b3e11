from django.contrib import admin

from intercampus.core.admin import AuditedModelAdmin, ReadOnlyInline, ReadOnlyModelAdmin
from intercampus.onboarding.models.buddies import (
    BuddyMatch,
    BuddyProfile,
    BuddyProgramme,
    CheckIn,
    NewcomerProfile,
)
from intercampus.onboarding.models.journeys import (
    Journey,
    JourneyStep,
    JourneyStepState,
    JourneyTemplate,
)

# Templates and programmes are configuration an operator may correct (audited); journeys,
# profiles, matches and check-ins are personal records that change through their services.


class StepInline(admin.TabularInline):
    model = JourneyStep
    extra = 0
    fields = ["position", "phase", "title", "owner_role", "offset_days", "offset_kind", "required"]


@admin.register(JourneyTemplate)
class JourneyTemplateAdmin(AuditedModelAdmin):
    list_display = ["name", "institution", "target_group", "active", "updated"]
    list_filter = ["active", "target_group", "institution"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution"]
    inlines = [StepInline]


class StepStateInline(ReadOnlyInline):
    model = JourneyStepState
    fields = ["step", "due_date", "status", "done_at"]
    show_change_link = False


@admin.register(Journey)
class JourneyAdmin(ReadOnlyModelAdmin):
    list_display = ["newcomer", "institution", "template", "anchor_date", "source"]
    list_filter = ["source", "institution"]
    search_fields = ["newcomer__email", "reference"]
    list_select_related = ["newcomer", "institution", "template"]
    inlines = [StepStateInline]


@admin.register(BuddyProgramme)
class BuddyProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "institution", "campus", "active"]
    list_filter = ["active", "institution"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution"]


@admin.register(BuddyProfile)
class BuddyProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "programme", "capacity", "active", "available_from", "available_to"]
    list_filter = ["active", "programme"]
    search_fields = ["user__email"]
    list_select_related = ["user", "programme"]


@admin.register(NewcomerProfile)
class NewcomerProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "programme", "arrival_date"]
    list_filter = ["programme"]
    search_fields = ["user__email"]
    list_select_related = ["user", "programme"]


class CheckInInline(ReadOnlyInline):
    model = CheckIn
    fields = ["date", "kind", "by", "minutes"]
    show_change_link = False


@admin.register(BuddyMatch)
class BuddyMatchAdmin(ReadOnlyModelAdmin):
    list_display = ["buddy", "newcomer", "programme", "status", "score", "matched_at"]
    list_filter = ["status", "programme"]
    search_fields = ["buddy__user__email", "newcomer__user__email"]
    list_select_related = ["buddy__user", "newcomer__user", "programme"]
    inlines = [CheckInInline]
