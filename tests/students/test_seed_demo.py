"""The demo district: deterministic for a seed, covering every role, refusing to run outside demo mode."""

import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Min
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent
from educators.models import Educator
from permissions.policy import visible_students
from students.demo import cast
from students.demo.generate import BULK_TABLES, DemoDistrictBuilder, reset_demo_data
from students.models import (
    Absence,
    DisciplineIncident,
    EventNote,
    Homeroom,
    McasResult,
    School,
    Section,
    Service,
    StarResult,
    Student,
)
from students.models.absence_summary import AbsenceSummary, absence_summary_is_current, window_start
from tests.sis.test_first_load import schema

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
VOLATILE_FIELDS = {"created_at", "updated_at", "date_joined", "recorded_at", "password", "last_login"}


def fingerprint() -> str:
    """A digest of every row of the main tables, ignoring creation timestamps and password salts."""
    digest = hashlib.sha256()
    for model in (
        School,
        Homeroom,
        Section,
        Educator,
        Student,
        Absence,
        DisciplineIncident,
        Service,
        StarResult,
        McasResult,
    ):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    for note in EventNote.objects.order_by("pk"):
        digest.update(repr((note.pk, note.student_id, note.author_id, note.text, note.restricted_text)).encode())
    return digest.hexdigest()


def seed(*args):
    call_command("seed_demo", "--students", "120", "--today", TODAY.isoformat(), *args, stdout=io.StringIO())


def test_the_same_seed_gives_identical_data():
    # --reset restarts the id sequences, so both runs number their rows from 1.
    seed("--seed", "7")
    seed("--seed", "7", "--reset")
    first = fingerprint()
    seed("--seed", "7", "--reset")
    assert fingerprint() == first


def test_a_large_districts_load_without_indexes_gives_the_same_data_and_schema():
    """Large districts load their big tables without indexes and keys (made again after): same rows, same schema."""
    before = schema()
    reset_demo_data()  # both builds number their rows from 1
    DemoDistrictBuilder(student_count=120, seed=7, today=TODAY, password="", rebuild_indexes=False).build()
    row_by_row = fingerprint()
    reset_demo_data()
    with CaptureQueriesContext(connection) as queries:
        DemoDistrictBuilder(student_count=120, seed=7, today=TODAY, password="", rebuild_indexes=True).build()
    assert fingerprint() == row_by_row
    rebuilt = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ALTER TABLE")]
    assert {table for table in BULK_TABLES if any(f"{table} ADD CONSTRAINT" in sql for sql in rebuilt)} == set(
        BULK_TABLES
    )
    assert schema() == before


def test_a_different_seed_gives_different_data():
    seed("--seed", "7")
    first = fingerprint()
    seed("--seed", "8", "--reset")
    assert fingerprint() != first


def test_the_cast_and_named_students_are_present_with_history():
    seed()
    assert Student.objects.count() == 120
    assert set(Educator.objects.filter(email__endswith=cast.EMAIL_DOMAIN).values_list("email", flat=True)) >= {
        person.email for person in cast.EDUCATORS
    }
    assert set(School.objects.values_list("school_type", flat=True)) == {"ES", "K8", "HS"}
    for person in cast.STUDENTS:
        student = Student.objects.get(first_name=person.first_name, last_name=person.last_name)
        years = {absence.occurred_on.year for absence in student.absences.all()} | {
            note.recorded_at.year for note in student.notes.all()
        }
        assert student.notes.exists()
        assert len(years) >= 3 or person.school == cast.RIVERSIDE or student.notes.count() >= 3
    assert EventNote.objects.filter(is_restricted=True).exists()
    assert Student.objects.filter(program_assigned="Sp Ed").exists()
    assert Student.objects.filter(plan_504="504").exists()
    assert Student.objects.exclude(limited_english_proficiency="Fluent").exists()


def test_every_student_has_a_counselor_at_their_school_who_may_see_them():
    seed()
    assert not Student.objects.filter(counselor__isnull=True).exists()
    assert not Student.objects.exclude(counselor__home_school=F("school")).exists()
    assert set(Student.objects.values_list("counselor__staff_type", flat=True)) == {"counselor"}
    for school in School.objects.all():
        counselor = Student.objects.filter(school=school).first().counselor
        assert set(visible_students(counselor).values_list("pk", flat=True)) >= set(
            school.students.filter(enrollment_status="Active").values_list("pk", flat=True)
        )


def test_history_spans_at_least_three_school_years():
    seed()
    years = {day.year for day in Absence.objects.values_list("occurred_on", flat=True)}
    assert len(years) >= 4  # four school years touch at least four calendar years


def test_absences_are_concentrated_in_some_students():
    seed()
    counts = sorted((s.absences.count() for s in Student.objects.prefetch_related("absences")), reverse=True)
    top_tenth = sum(counts[: len(counts) // 10])
    assert top_tenth > 0.25 * sum(counts)


def test_seeding_leaves_the_absence_summary_built_for_the_districts_today():
    """A fresh district's first home page reads the summary instead of counting every absence live."""
    seed()
    day = timezone.localdate()
    assert absence_summary_is_current(day)
    counted = {
        row["student"]: (row["total"], row["first"])
        for row in Absence.objects.filter(occurred_on__gte=window_start(day))
        .values("student")
        .annotate(total=Count("pk"), first=Min("occurred_on"))
    }
    summary = {row.student_id: (row.absences, row.first_absence_on) for row in AbsenceSummary.objects.all()}
    assert counted and summary == counted


def test_a_district_seeded_in_the_morning_holds_nothing_recorded_later_that_day():
    """Seeded at 8:05 on a school day, the day's notes, incidents and tests are dated no later than 8:05
    (an incident known by its day alone is stored at noon, as an import stores it)."""
    school_day = datetime.date(2026, 11, 24)  # a Tuesday
    seeded_at = timezone.make_aware(datetime.datetime.combine(school_day, datetime.time(8, 5)))
    DemoDistrictBuilder(student_count=300, seed=7, today=school_day, password="", history_ends=seeded_at).build()
    moments = {
        "notes": EventNote.objects.values_list("recorded_at", flat=True),
        "incidents": DisciplineIncident.objects.filter(has_exact_time=True).values_list("occurred_at", flat=True),
        "STAR tests": StarResult.objects.values_list("taken_at", flat=True),
    }
    latest = {kind: max(values) for kind, values in moments.items()}
    assert all(moment <= seeded_at for moment in latest.values()), latest
    # The day's events that would have come after 8:05 are there, at the moment of seeding.
    assert EventNote.objects.filter(recorded_at=seeded_at).exists()
    assert DisciplineIncident.objects.filter(occurred_at__date=school_day).exists()


def test_seeding_twice_without_reset_is_refused_and_if_empty_is_a_no_op():
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    before = fingerprint()
    seed("--if-empty")
    assert fingerprint() == before
    assert AccessEvent.objects.filter(action="seed_demo").count() == 1  # only the run that wrote data


def test_each_seeding_run_is_recorded_in_the_audit_log():
    seed("--seed", "7")
    seed("--seed", "8", "--reset")
    events = AccessEvent.objects.filter(action="seed_demo").order_by("id")
    assert [(event.actor_id, event.outcome, event.details) for event in events] == [
        (None, "ok", {"students": 120, "seed": 7, "replaced_existing_data": False}),
        (None, "ok", {"students": 120, "seed": 8, "replaced_existing_data": True}),
    ]


def test_demo_passwords_only_exist_in_demo_mode():
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="demo mode"):
        seed()
    assert not Student.objects.exists()


def test_demo_educators_sign_in_with_the_demo_password(settings):
    seed()
    principal = Educator.objects.get(email="principal.baker@" + cast.EMAIL_DOMAIN)
    assert principal.check_password(settings.DEMO_PASSWORD)
    assert not Educator.objects.get(email="staff00001@" + cast.EMAIL_DOMAIN).has_usable_password()
    assert not Educator.objects.get(email="inactive@" + cast.EMAIL_DOMAIN).is_active


def test_a_bad_student_count_is_a_clear_error():
    with pytest.raises(CommandError, match="students"):
        call_command("seed_demo", "--students", "0")
