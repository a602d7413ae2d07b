"""The district's code mappings in the admin: one page per vocabulary, every change recorded.

Each save or delete writes an audit event naming the vocabulary and the code's meaning before and
after, in the admin's own transaction. Program codes decide what SPED-only and EL-only educators
see, so changing one is also a privilege change: it needs ``permissions.manage_grants``, is a grant
change event for each narrowed educator, and the page says — before saving, for each category the
code could count as, and after — how many students it moves in or out of their reach.
"""

from django.contrib import admin

from permissions.privileges import describe_moves, program_mapping_moves, record_program_mapping_change
from permissions.services import can_manage_grants
from students.models import (
    AssessmentName,
    AttendanceCode,
    GradeCode,
    IncidentCode,
    IncidentLocation,
    Plan504Code,
    ProgramCategory,
    ProgramCode,
)
from students.services import code_mapping_changed


class CodeMappingAdmin(admin.ModelAdmin):
    """A vocabulary's codes; ``meaning`` names the fields that say what a code stands for."""

    meaning: tuple[str, ...] = ()
    search_fields = ("code", "label")

    def get_list_display(self, request):
        return ("code", "label", *self.meaning, "updated_at")

    def get_list_filter(self, request):
        return self.meaning

    def meaning_of(self, obj) -> dict | None:
        if obj is None:
            return None
        return {"code": obj.code, **{name: getattr(obj, name) for name in self.meaning}}

    def save_model(self, request, obj, form, change):
        before = self.meaning_of(self.model.objects.filter(pk=obj.pk).first()) if change else None
        super().save_model(request, obj, form, change)
        self.changed(request, before, self.meaning_of(obj))

    def delete_model(self, request, obj):
        before = self.meaning_of(obj)
        super().delete_model(request, obj)
        self.changed(request, before, None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def changed(self, request, before: dict | None, after: dict | None) -> None:
        if before != after:
            code = (after or before)["code"]
            vocabulary = str(self.model._meta.verbose_name_plural)
            code_mapping_changed(actor=request.user, vocabulary=vocabulary, code=code, before=before, after=after)


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(CodeMappingAdmin):
    meaning = ("category", "excused")


@admin.register(IncidentCode)
class IncidentCodeAdmin(CodeMappingAdmin):
    meaning = ("category",)


@admin.register(IncidentLocation)
class IncidentLocationAdmin(CodeMappingAdmin):
    meaning = ("category",)


@admin.register(GradeCode)
class GradeCodeAdmin(CodeMappingAdmin):
    meaning = ("grade",)


@admin.register(AssessmentName)
class AssessmentNameAdmin(CodeMappingAdmin):
    meaning = ("family", "subject")


@admin.register(Plan504Code)
class Plan504CodeAdmin(CodeMappingAdmin):
    meaning = ("status",)


@admin.register(ProgramCode)
class ProgramCodeAdmin(CodeMappingAdmin):
    """Which program codes count as special education and as English-learner programs (a code with no
    row is regular education); editing them is managing access, so it needs manage_grants too."""

    meaning = ("category",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_grants(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_manage_grants(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_manage_grants(request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["program_moves"] = [
                (label, describe_moves(program_mapping_moves(code=obj.code, before=obj.category, after=value)))
                for value, label in ProgramCategory.choices
                if value != obj.category
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changed(self, request, before: dict | None, after: dict | None) -> None:
        super().changed(request, before, after)
        regular = ProgramCategory.REGULAR  # what a code with no row counts as
        was = {before["code"]: before["category"]} if before else {}
        now = {after["code"]: after["category"]} if after else {}
        for code in dict.fromkeys([*was, *now]):
            old, new = was.get(code, regular), now.get(code, regular)
            moves = record_program_mapping_change(actor=request.user, code=code, before=old, after=new)
            if old != new:
                label = ProgramCategory(new).label.lower()
                self.message_user(request, f"Program {code} now counts as {label}: {describe_moves(moves)}.")
