from django.contrib import admin

from intercampus.core.admin import ReadOnlyInline, ReadOnlyModelAdmin
from intercampus.mobility.models.agreements import (
    Agreement,
    AgreementApproval,
    CooperationCondition,
)
from intercampus.mobility.models.calls import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    Call,
    Place,
)
from intercampus.mobility.models.profiles import StudentProfile
from intercampus.mobility.models.runs import AllocationRun, Nomination

# Every mobility record changes through its services (state machines, locks, EWP exchange):
# the admin shows them to operators and edits none.


class ConditionInline(ReadOnlyInline):
    model = CooperationCondition
    fields = ["position", "mobility_type", "sending_hei_id", "receiving_hei_id"]


class ApprovalInline(ReadOnlyInline):
    model = AgreementApproval
    fields = ["approver_hei_id", "iia_hash", "approved_by", "approved_at"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyModelAdmin):
    list_display = ["iia_code", "owner", "partner_hei_id", "in_effect", "terminated", "updated"]
    list_filter = ["in_effect", "terminated", "owner"]
    search_fields = ["iia_id", "iia_code", "partner_hei_id", "owner__name"]
    inlines = [ConditionInline, ApprovalInline]


class PlaceInline(ReadOnlyInline):
    model = Place
    fields = ["host_hei_id", "subject_area", "language", "min_cefr", "seats"]


@admin.register(Call)
class CallAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "owner", "academic_year", "mobility_type", "status", "closes_at"]
    list_filter = ["status", "mobility_type", "owner"]
    search_fields = ["title", "owner__name"]
    inlines = [PlaceInline]


@admin.register(Place)
class PlaceAdmin(ReadOnlyModelAdmin):
    list_display = ["call", "host_hei_id", "subject_area", "language", "seats"]
    search_fields = ["host_hei_id", "call__title"]
    list_select_related = ["call"]


class ChoiceInline(ReadOnlyInline):
    model = ApplicationChoice
    fields = ["rank", "place", "eligible"]
    show_change_link = False


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]
    show_change_link = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyModelAdmin):
    list_display = ["student", "call", "owner", "state", "score", "submitted_at"]
    list_filter = ["state", "owner"]
    search_fields = ["student__email", "call__title"]
    list_select_related = ["student", "call", "owner"]
    inlines = [ChoiceInline, DocumentInline]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyModelAdmin):
    list_display = ["call", "owner", "status", "placed_count", "unplaced_count", "created"]
    list_filter = ["status", "owner"]
    search_fields = ["call__title"]
    exclude = ["instance", "results"]  # large JSON: the staff pages show them readably


@admin.register(Nomination)
class NominationAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "home", "host_hei_id", "status", "nominated_at"]
    list_filter = ["status", "home"]
    search_fields = ["application__student__email", "host_hei_id", "omobility_id"]


@admin.register(StudentProfile)
class StudentProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "nationality", "isced_f_code", "updated"]
    search_fields = ["user__email", "esi_code"]
