"""Educators' notes about a student, with every previous version kept.

Restricted notes keep their text only in an encrypted column, so list and profile queries that
defer it never load it; the database refuses a row that has text in the wrong column.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from insights.encryption import EncryptedTextField
from students.models.text_search import note_text_vector


class NoteType(models.TextChoices):
    SST_MEETING = "sst", "SST meeting"
    MTSS_MEETING = "mtss", "MTSS meeting"
    PARENT_CONVERSATION = "parent", "Parent conversation"
    COUNSELOR_MEETING = "counselor", "Counselor meeting"
    ATTENDANCE_MEETING = "attendance", "Attendance meeting"
    STUDENT_CONVERSATION = "student", "Conversation with student"
    NINTH_GRADE = "ninth_grade", "9th grade experience"
    OTHER = "other", "Something else"


def _text_in_the_right_column():
    return Q(is_restricted=False, restricted_text="") | Q(is_restricted=True, text="")


class EventNote(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey("educators.Educator", on_delete=models.PROTECT, related_name="authored_notes")
    note_type = models.CharField(max_length=20, choices=NoteType.choices)
    text = models.TextField(blank=True)
    restricted_text = EncryptedTextField(blank=True, default="")
    is_restricted = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # The plain text's search vector, kept by the database: the search ranks thousands of matches by
    # reading it instead of parsing every matching note's text again (empty for restricted notes).
    text_vector = models.GeneratedField(
        expression=note_text_vector(), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_text_in_the_right_column(), name="note_text_in_right_column"),
            models.CheckConstraint(
                condition=Q(note_type__in=[choice.value for choice in NoteType]), name="note_type_known"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "-recorded_at"], name="note_student_recorded_idx"),
            models.Index(fields=["author", "-recorded_at"], name="note_author_recorded_idx"),
            # The notes search's author filter: whether an educator wrote a plain note, from the index alone.
            models.Index(fields=["author"], name="note_plain_author_idx", condition=Q(is_restricted=False)),
            # With the student: "a note since" checks over a window read the index alone.
            models.Index(fields=["-recorded_at"], include=["student"], name="note_recorded_idx"),
            # Notes search reads plain notes only: restricted ones have no plain text to index.
            GinIndex(fields=["text_vector"], name="note_text_search_idx", condition=Q(is_restricted=False)),
        ]

    def __str__(self):
        return f"Note #{self.pk}"


class EventNoteRevision(models.Model):
    """A note as it was before an edit."""

    note = models.ForeignKey(EventNote, on_delete=models.PROTECT, related_name="revisions")
    note_type = models.CharField(max_length=20, choices=NoteType.choices)
    text = models.TextField(blank=True)
    restricted_text = EncryptedTextField(blank=True, default="")
    is_restricted = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    revised_at = models.DateTimeField(auto_now_add=True)
    revised_by = models.ForeignKey("educators.Educator", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["note", "revised_at"]
        constraints = [
            models.CheckConstraint(condition=_text_in_the_right_column(), name="note_revision_text_in_right_column")
        ]

    def __str__(self):
        return f"Note revision #{self.pk}"
