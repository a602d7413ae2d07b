"""Reading notes: the notes I wrote, a note to edit, and the one place restricted text is shown.

Restricted text is loaded only by `restricted_note`, for an educator holding the permission, and
each showing is reported as its own audited object ("restricted_note"). Everywhere else the
encrypted column is deferred, so it is neither fetched nor decrypted.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count

from audit.recorder import record_objects
from insights.scrubbing import remember_values
from permissions.policy import can_view_restricted_notes, get_visible_student_or_404, not_found, visible_students
from students.models import EventNote, Student
from students.selectors._shared import report_notes, report_students

MY_NOTES_PER_PAGE = 50


def my_notes(*, educator, page: int | str | None = 1) -> Page:
    """The notes the educator wrote about students they may still see, newest first, a page at a time."""
    notes = (
        EventNote.objects.filter(author=educator, student__in=visible_students(educator))
        .defer("restricted_text")
        .select_related("student", "student__school")
        .annotate(revision_count=Count("revisions"))
        .order_by("-recorded_at", "-id")
    )
    shown = Paginator(notes, MY_NOTES_PER_PAGE).get_page(page)
    report_students({note.student.pk: note.student for note in shown}.values())
    report_notes(shown)
    return shown


@dataclass(frozen=True)
class NoteForEditing:
    student: Student
    note: EventNote

    @property
    def current_text(self) -> str:
        return self.note.restricted_text if self.note.is_restricted else self.note.text


def note_for_editing(*, educator, student_id, note_id) -> NoteForEditing:
    """A note the educator wrote about a student they may see; restricted ones only with the permission.

    The edit page shows the note's text, so editing a restricted note is a showing of its text
    and is audited as one.
    """
    student = get_visible_student_or_404(educator, student_id, "school")
    note = (
        EventNote.objects.filter(pk=note_id, student=student, author=educator)
        .annotate(revision_count=Count("revisions"))
        .first()
        if str(note_id).isdigit()
        else None
    )
    if note is None or (note.is_restricted and not can_view_restricted_notes(educator)):
        raise not_found()
    report_students([student])
    if note.is_restricted:
        record_objects("restricted_note", [note.pk])
        remember_values(note.restricted_text)
    else:
        record_objects("note", [note.pk])
        report_notes([note])
    return NoteForEditing(student=student, note=note)


def _restricted_note(educator, student_id, note_id, *, with_text: bool) -> tuple[Student, EventNote]:
    student = get_visible_student_or_404(educator, student_id, "school")
    if not str(note_id).isdigit() or not can_view_restricted_notes(educator):
        raise not_found()
    notes = EventNote.objects.filter(pk=note_id, student=student, is_restricted=True).select_related("author")
    note = (notes if with_text else notes.defer("restricted_text")).first()
    if note is None:
        raise not_found()
    report_students([student])
    return student, note


def restricted_note_heading(*, educator, student_id, note_id) -> tuple[Student, EventNote]:
    """A restricted note's date, type and author (not its text), for the page that asks before showing it."""
    return _restricted_note(educator, student_id, note_id, with_text=False)


def restricted_note(*, educator, student_id, note_id) -> tuple[Student, EventNote]:
    """A restricted note with its text, for a holder of the permission; recorded as its own showing."""
    student, note = _restricted_note(educator, student_id, note_id, with_text=True)
    record_objects("restricted_note", [note.pk])
    remember_values(note.restricted_text)
    return student, note
