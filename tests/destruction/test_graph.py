"""Destruction finds a student's rows from the model graph, and nothing in the database escapes it.

Two ways a table could be forgotten, each caught here: a table that references students in the
database without the model graph knowing (checked against PostgreSQL's own catalogue), and a model
nobody thought to fill in this test (every table the graph names must hold a row of the student
below, so a new model referencing students fails until its rows are shown to be destroyed).
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from destruction import graph
from destruction.models import LegalHold
from permissions.models import StudentGrant
from privacy.models import AccessRequest, CorrectionRequest, DisagreementStatement, PackageRun
from students.models import (
    Absence,
    DisciplineIncident,
    EventNote,
    EventNoteRevision,
    Iep,
    Plan504,
    Section,
    Service,
    Student,
    StudentSectionAssignment,
    Tardy,
)
from students.models.absence_summary import rebuild_absence_summary

pytestmark = pytest.mark.django_db

REFERENCING_TABLES = """
    WITH RECURSIVE referencing(oid) AS (
        SELECT 'students_student'::regclass::oid
        UNION
        SELECT c.conrelid FROM pg_constraint c JOIN referencing r ON r.oid = c.confrelid WHERE c.contype = 'f'
    )
    SELECT relname FROM pg_class JOIN referencing USING (oid)
"""


def test_every_table_the_database_links_to_students_is_one_destruction_empties():
    with connection.cursor() as cursor:
        cursor.execute(REFERENCING_TABLES)
        in_the_database = {name for (name,) in cursor.fetchall()}
    assert "students_eventnoterevision" in in_the_database  # reached through the notes, not directly
    assert in_the_database <= {entry.table for entry in graph.student_tables()}


def test_children_come_before_their_parents_and_the_student_last():
    order = [entry.table for entry in graph.student_tables()]
    assert order[-1] == "students_student"
    assert order.index("students_eventnoterevision") < order.index("students_eventnote")


def a_student_with_a_row_in_every_table(demo, officer):
    """Mateo from the demo cast, with the rows the demo leaves out added, one per remaining kind."""
    mateo = demo.student("mateo")
    other = demo.educator("teacher.5")
    now = timezone.now()
    note = EventNote.objects.filter(student=mateo).first() or EventNote.objects.create(
        student=mateo, author=other, note_type="other", text="Talked.", recorded_at=now
    )
    EventNoteRevision.objects.create(
        note=note, note_type=note.note_type, text="Before.", recorded_at=now, revised_by=other
    )
    if not Service.objects.filter(student=mateo).exists():
        Service.objects.create(
            student=mateo, service_type="math_intervention", date_started=now.date(), recorded_by=other
        )
    Tardy.objects.get_or_create(student=mateo, occurred_on=now.date())
    Absence.objects.get_or_create(student=mateo, occurred_on=timezone.localdate())
    rebuild_absence_summary(timezone.localdate())  # his row of the absence summary
    DisciplineIncident.objects.filter(student=mateo).exists() or DisciplineIncident.objects.create(
        student=mateo, occurred_at=now, incident_code="Bullying"
    )
    Plan504.objects.get_or_create(student=mateo, defaults={"start_date": now.date()})
    Iep.objects.get_or_create(student=mateo, defaults={"start_date": now.date()})
    StudentSectionAssignment.objects.get_or_create(student=mateo, section=Section.objects.first())
    StudentGrant.objects.create(
        user=other,
        permission=Permission.objects.get(codename="view_student_record"),
        content_object=mateo,
        reason="caseload",
    )
    LegalHold.objects.create(student=mateo, reason="Old matter", placed_by=officer, lifted_at=now, lifted_by=officer)
    AccessRequest.objects.create(
        student=mateo,
        requester_name="Parent",
        received_on=now.date(),
        due_on=now.date(),
        status="fulfilled",
        recorded_by=officer,
        closed_at=now,
    )
    correction = CorrectionRequest.objects.create(
        student=mateo, requester_name="Parent", received_on=now.date(), target="sis", disputed="x", recorded_by=officer
    )
    DisagreementStatement.objects.create(
        student=mateo, correction=correction, filed_by="Parent", filed_on=now.date(), text="x", recorded_by=officer
    )
    PackageRun.objects.create(kind="family_record", requested_by=officer, student=mateo)
    LogEntry.objects.create(
        user=officer,
        content_type=ContentType.objects.get_for_model(Student),
        object_id=str(mateo.pk),
        object_repr=str(mateo),
        action_flag=CHANGE,
    )
    return mateo


def test_destroying_a_student_empties_every_table_of_their_data_and_nothing_else(demo, officer):
    mateo = a_student_with_a_row_in_every_table(demo, officer)
    before = graph.count_rows([mateo.pk])
    models_without_a_row = {entry.table for entry in graph.student_tables()} - set(before)
    assert models_without_a_row == set(), "add rows of these tables to a_student_with_a_row_in_every_table"
    assert before["django_admin_log"] == 1
    others = {
        entry.table: entry.model._base_manager.count() - before.get(entry.table, 0) for entry in graph.student_tables()
    }

    deleted = graph.delete_rows([mateo.pk])

    assert deleted == before
    assert graph.count_rows([mateo.pk]) == {}
    assert {entry.table: entry.model._base_manager.count() for entry in graph.student_tables()} == others
