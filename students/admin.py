"""Django admin for the student record, made for district admins.

Student-bearing pages list only the students the signed-in admin may see under the access
policy: being a superuser gives admin powers, never student visibility. Notes are read-only here
(edits go through the app so revisions are kept) and restricted text is never shown.
"""

from django.contrib import admin
from django.http import Http404

from insights.admin_mixins import ViewOnlyAdminMixin
from permissions.admin_mixins import (
    GrantObjectPermissionsAdminMixin,
    HomeroomGrantSyncAdminMixin,
    SectionGrantSyncAdminMixin,
)
from permissions.policy import visible_students
from students import admin_codes  # noqa: F401  (registers the code mapping pages)
from students.models import (
    Absence,
    AccessResult,
    Course,
    DisciplineIncident,
    District,
    EarlyWarningThresholds,
    EducatorSectionAssignment,
    EventNote,
    EventNoteRevision,
    Homeroom,
    Iep,
    McasResult,
    Plan504,
    School,
    SchoolGrade,
    Section,
    Service,
    StarResult,
    Student,
    StudentSectionAssignment,
    Tardy,
)


class MissingIsNotFound:
    """A change, history or delete page of a row that does not exist, or that the admin may not see, answers 404
    like the rest of the site (forbidden looks like missing), instead of the admin's redirect to its index."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such record.")
        return obj


class WithoutBulkDelete:
    """Removes the "delete selected" action: records are never deleted in bulk by accident."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class StudentDataAdmin(MissingIsNotFound, WithoutBulkDelete, admin.ModelAdmin):
    """Rows that belong to a student: limited to the students the admin user may see."""

    student_path = "student"
    list_select_related = ["student"]
    raw_id_fields = ["student"]

    def get_queryset(self, request):
        visible = visible_students(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.student_path}__in": visible})

    @admin.display(description="student local id", ordering="student__local_id")
    def student_local_id(self, obj):
        return obj.student.local_id


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]

    def has_add_permission(self, request):
        return not District.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(School)
class SchoolAdmin(MissingIsNotFound, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "local_id", "school_type"]
    list_filter = ["school_type"]
    search_fields = ["local_id", "name"]


@admin.register(SchoolGrade)
class SchoolGradeAdmin(MissingIsNotFound, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["school", "grade"]
    list_filter = ["school"]
    search_fields = ["school__name", "school__local_id"]


@admin.register(Homeroom)
class HomeroomAdmin(MissingIsNotFound, HomeroomGrantSyncAdminMixin, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "school", "grade", "educator"]
    list_filter = ["school", "grade"]
    search_fields = ["name", "educator__email", "educator__full_name"]
    list_select_related = ["school", "educator"]
    raw_id_fields = ["educator"]


@admin.register(Course)
class CourseAdmin(MissingIsNotFound, admin.ModelAdmin):
    list_display = ["course_number", "description", "school", "subject"]
    list_filter = ["school", "subject"]
    search_fields = ["course_number", "description"]
    list_select_related = ["school"]


class EducatorSectionAssignmentInline(admin.TabularInline):
    model = EducatorSectionAssignment
    raw_id_fields = ["educator"]
    extra = 0


@admin.register(Section)
class SectionAdmin(MissingIsNotFound, SectionGrantSyncAdminMixin, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "course", "term_local_id", "school_year", "schedule", "room_number"]
    list_filter = ["school_year", "term_local_id", "course__school"]
    search_fields = ["course__course_number", "section_number"]
    list_select_related = ["course"]
    raw_id_fields = ["course"]
    inlines = [EducatorSectionAssignmentInline]


@admin.register(Student)
class StudentAdmin(MissingIsNotFound, GrantObjectPermissionsAdminMixin, WithoutBulkDelete, admin.ModelAdmin):
    list_display = ["local_id", "last_name", "first_name", "grade", "school", "enrollment_status"]
    list_filter = [
        "school",
        "grade",
        "enrollment_status",
        "missing_from_last_export",
        "program_assigned",
        "plan_504",
        "limited_english_proficiency",
    ]
    search_fields = ["=local_id", "=state_id", "last_name", "first_name"]
    list_select_related = ["school"]
    raw_id_fields = ["homeroom", "counselor"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["local_id", "state_id", "first_name", "last_name", "date_of_birth", "gender"]}),
        ("Enrollment", {"fields": ["school", "grade", "homeroom", "enrollment_status", "missing_from_last_export"]}),
        (
            "Programs",
            {
                "fields": [
                    "program_assigned",
                    "sped_placement",
                    "disability",
                    "sped_level_of_need",
                    "plan_504",
                    "limited_english_proficiency",
                    "ell_entry_date",
                    "home_language",
                    "free_reduced_lunch",
                ]
            },
        ),
        ("Demographics", {"fields": ["race", "hispanic_latino", "house", "counselor"]}),
        ("Family contact", {"fields": ["guardian_name", "primary_phone", "primary_email", "address"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return visible_students(request.user).select_related("school")


@admin.register(StudentSectionAssignment)
class StudentSectionAssignmentAdmin(StudentDataAdmin):
    list_display = ["student_local_id", "section", "grade_numeric"]
    list_filter = ["section__school_year"]
    search_fields = ["=student__local_id", "section__course__course_number"]
    list_select_related = ["student", "section__course"]
    raw_id_fields = ["student", "section"]


class NoteRevisionInline(admin.TabularInline):
    model = EventNoteRevision
    fields = ["revised_at", "revised_by", "note_type", "is_restricted"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EventNote)
class EventNoteAdmin(ViewOnlyAdminMixin, StudentDataAdmin):
    """Read-only: notes are written and edited in the app (which keeps revisions) and never deleted."""

    list_display = ["__str__", "student_local_id", "author", "note_type", "recorded_at", "is_restricted"]
    list_filter = ["note_type", "is_restricted"]
    search_fields = ["=student__local_id", "author__email"]
    list_select_related = ["student", "author"]
    fields = ["student", "author", "note_type", "recorded_at", "is_restricted", "text"]
    readonly_fields = fields
    inlines = [NoteRevisionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("restricted_text")


@admin.register(Service)
class ServiceAdmin(StudentDataAdmin):
    list_display = [
        "__str__",
        "student_local_id",
        "service_type",
        "date_started",
        "estimated_end_date",
        "discontinued_at",
    ]
    list_filter = ["service_type", ("discontinued_at", admin.EmptyFieldListFilter)]
    search_fields = ["=student__local_id", "provided_by"]
    raw_id_fields = ["student", "recorded_by", "discontinued_by"]


class HistoryAdmin(StudentDataAdmin):
    search_fields = ["=student__local_id"]


@admin.register(Absence)
class AbsenceAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "occurred_on", "excused", "dismissed"]
    list_filter = ["excused", "dismissed", "occurred_on"]
    date_hierarchy = "occurred_on"


@admin.register(Tardy)
class TardyAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "occurred_on", "excused"]
    list_filter = ["excused", "occurred_on"]
    date_hierarchy = "occurred_on"


@admin.register(DisciplineIncident)
class DisciplineIncidentAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "student_local_id",
        "incident_code",
        "incident_category",
        "incident_location",
        "occurred_at",
    ]
    list_filter = ["incident_category", "location_category", "incident_code", "incident_location"]
    date_hierarchy = "occurred_at"


@admin.register(McasResult)
class McasResultAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "subject", "taken_on", "scaled_score", "performance_level"]
    list_filter = ["subject", "performance_level"]


@admin.register(StarResult)
class StarResultAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "subject", "taken_at", "percentile_rank"]
    list_filter = ["subject"]


@admin.register(AccessResult)
class AccessResultAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "taken_on", "composite_proficiency_level"]


@admin.register(Plan504)
class Plan504Admin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "start_date", "end_date"]


@admin.register(Iep)
class IepAdmin(HistoryAdmin):
    list_display = ["__str__", "student_local_id", "start_date", "end_date"]


@admin.register(EarlyWarningThresholds)
class EarlyWarningThresholdsAdmin(admin.ModelAdmin):
    """The district's one row of thresholds: changed, never added twice or deleted."""

    fieldsets = [
        (None, {"fields": ["window_days"]}),
        ("Attendance", {"fields": ["attendance_warning", "attendance_serious"]}),
        ("Discipline", {"fields": ["incidents_warning", "incidents_serious"]}),
        ("Courses", {"fields": ["failing_grade", "failures_warning", "failures_serious"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EarlyWarningThresholds.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
