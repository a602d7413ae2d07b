"""Writes to the student record from the pages and the admin: notes and services.

Each function checks permission through the access policy itself (a view's earlier check is not
trusted), validates, writes in one transaction, and reports the student it changed to the audit
recorder. Notes are never deleted, and editing one keeps the previous version as a revision.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from educators.models import Educator
from permissions.policy import can_view_restricted_notes, visible_students
from students.models import (
    EventNote,
    EventNoteRevision,
    NoteType,
    Service,
    ServiceType,
    Student,
)

MAX_NOTE_LENGTH = 20000


def _require_visible(educator: Educator, student_id: int) -> None:
    if not visible_students(educator).filter(pk=student_id).exists():
        raise PermissionDenied("The educator may not see this student.")


def _clean_note(note_type: str, text: str, is_restricted: bool, educator: Educator) -> str:
    if note_type not in NoteType.values:
        raise ValidationError("Choose what kind of note this is.", code="note_type")
    text = text.strip()
    if not text:
        raise ValidationError("Write the note before saving it.", code="blank")
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(f"A note can be at most {MAX_NOTE_LENGTH:,} characters.", code="too_long")
    if is_restricted and not can_view_restricted_notes(educator):
        raise PermissionDenied("Only educators who may read restricted notes may write one.")
    return text


def _note_columns(text: str, is_restricted: bool) -> dict:
    """Restricted text lives only in the encrypted column; the plain column stays empty (and vice versa)."""
    return {
        "is_restricted": is_restricted,
        "text": "" if is_restricted else text,
        "restricted_text": text if is_restricted else "",
    }


def note_create(*, author: Educator, student: Student, note_type: str, text: str, is_restricted: bool) -> EventNote:
    """Record a note the author took about a student they may see."""
    _require_visible(author, student.pk)
    text = _clean_note(note_type, text, is_restricted, author)
    with transaction.atomic():
        note = EventNote.objects.create(
            student=student,
            author=author,
            note_type=note_type,
            recorded_at=timezone.now(),
            **_note_columns(text, is_restricted),
        )
    record_students([student.pk], kind="changed")
    record_objects("note", [note.pk])
    return note


def note_update(*, editor: Educator, note: EventNote, note_type: str, text: str, is_restricted: bool) -> EventNote:
    """Change a note its author wrote, keeping the previous version; an unchanged note is left alone.

    Only the author may edit, only while they may still see the student, and a restricted note
    (before or after the edit) needs the restricted-notes permission.
    """
    if note.author_id != editor.pk:
        raise PermissionDenied("Only a note's author may edit it.")
    _require_visible(editor, note.student_id)
    text = _clean_note(note_type, text, is_restricted, editor)
    if note.is_restricted and not can_view_restricted_notes(editor):
        raise PermissionDenied("Only educators who may read restricted notes may edit one.")
    with transaction.atomic():
        current, changed = note_revise(
            note_id=note.pk, revised_by=editor, note_type=note_type, text=text, is_restricted=is_restricted
        )
    if changed:
        record_students([current.student_id], kind="changed")
    record_objects("note", [current.pk])
    return current


def note_revise(
    *,
    note_id: int,
    revised_by: Educator,
    text: str,
    note_type: str | None = None,
    is_restricted: bool | None = None,
) -> tuple[EventNote, bool]:
    """Replace a note's content and keep what it said as a revision; (the note, whether it changed).

    The one way a note's text changes: an author's edit, or a correction on a family's request.
    The caller has decided who may make it and runs this in its transaction (the row is locked);
    ``note_type`` and ``is_restricted`` left as None stay as they are.
    """
    current = EventNote.objects.select_for_update().get(pk=note_id)
    note_type = current.note_type if note_type is None else note_type
    is_restricted = current.is_restricted if is_restricted is None else is_restricted
    current_text = current.restricted_text if current.is_restricted else current.text
    if (current.note_type, current_text, current.is_restricted) == (note_type, text, is_restricted):
        return current, False
    EventNoteRevision.objects.create(
        note=current,
        note_type=current.note_type,
        text=current.text,
        restricted_text=current.restricted_text,
        is_restricted=current.is_restricted,
        recorded_at=current.recorded_at,
        revised_by=revised_by,
    )
    current.note_type = note_type
    for column, value in _note_columns(text, is_restricted).items():
        setattr(current, column, value)
    current.save(update_fields=["note_type", "text", "restricted_text", "is_restricted", "updated_at"])
    return current, True


def service_create(
    *,
    recorded_by: Educator,
    student: Student,
    service_type: str,
    provided_by: str,
    date_started: datetime.date,
    estimated_end_date: datetime.date | None,
) -> Service:
    """Record a service a student they may see has started receiving."""
    _require_visible(recorded_by, student.pk)
    if service_type not in ServiceType.values:
        raise ValidationError("Choose the kind of service.", code="service_type")
    if estimated_end_date is not None and estimated_end_date < date_started:
        raise ValidationError("The estimated end date cannot be before the start date.", code="end_before_start")
    with transaction.atomic():
        service = Service.objects.create(
            student=student,
            service_type=service_type,
            provided_by=provided_by.strip(),
            date_started=date_started,
            estimated_end_date=estimated_end_date,
            recorded_by=recorded_by,
        )
    record_students([student.pk], kind="changed")
    record_objects("service", [service.pk])
    return service


def service_discontinue(*, educator: Educator, service: Service) -> Service:
    """Mark a service as no longer provided, as of now; a discontinued service stays on the record."""
    _require_visible(educator, service.student_id)
    with transaction.atomic():
        current = Service.objects.select_for_update().get(pk=service.pk)
        if current.discontinued_at is not None:
            raise ValidationError("This service was already discontinued.", code="already_discontinued")
        current.discontinued_at = timezone.now()
        current.discontinued_by = educator
        current.save(update_fields=["discontinued_at", "discontinued_by"])
    record_students([current.student_id], kind="changed")
    record_objects("service", [current.pk])
    return current


def code_mapping_changed(*, actor: Educator, vocabulary: str, code: str, before: dict | None, after: dict | None):
    """Record a change to one of the district's code mappings as its own audit event, in the caller's transaction.

    The next import reads the mapping, so what a code means decides what its rows become; the
    event names the vocabulary and the code's meaning before and after (None: no row).
    """
    with command_recording(actor=actor, action="code_mapping_change"):
        record_details(vocabulary=vocabulary, code=code, before=before, after=after)
