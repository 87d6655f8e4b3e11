from django.contrib import admin

from intercampus.core.admin import AuditedModelAdmin
from intercampus.network import models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["institution"]


@admin.register(models.Consortium)
class ConsortiumAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "secretariat", "founded"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


class WorkGroupMemberInline(admin.TabularInline):
    model = models.WorkGroupMember
    extra = 0
    autocomplete_fields = ["institution"]
    raw_id_fields = ["representative"]


class AppointmentInline(admin.TabularInline):
    model = models.Appointment
    extra = 0


@admin.register(models.WorkGroup)
class WorkGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "consortium", "kind", "coordinator", "is_active"]
    list_filter = ["consortium", "kind", "is_active"]
    search_fields = ["name"]
    inlines = [WorkGroupMemberInline, AppointmentInline]


@admin.register(models.Meeting)
class MeetingAdmin(AuditedModelAdmin):
    list_display = ["title", "work_group", "date"]
    list_filter = ["work_group"]


@admin.register(models.Decision)
class DecisionAdmin(AuditedModelAdmin):
    list_display = ["decided_on", "body", "consortium", "work_group", "reference"]
    list_filter = ["body", "consortium"]


@admin.register(models.Action)
class ActionAdmin(AuditedModelAdmin):
    list_display = ["title", "work_group", "owner", "due", "status"]
    list_filter = ["status", "work_group"]


@admin.register(models.AccessPoint)
class AccessPointAdmin(AuditedModelAdmin):
    list_display = ["country", "institution", "consortium"]


class PartnerInline(admin.TabularInline):
    model = models.ProjectPartner
    extra = 0
    autocomplete_fields = ["institution"]


class OutputInline(admin.TabularInline):
    model = models.ProjectOutput
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = ["acronym", "name", "programme", "start", "end"]
    search_fields = ["acronym", "name"]
    inlines = [PartnerInline, OutputInline]


@admin.register(models.Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "consortium", "since"]
