"""The roster's, homeroom's and section's rows (one statement, students/selectors/roster_rows.py) equal what
the models say, computed here another way: each student's events counted one by one in Python, the
filters and their counts by the models' own conditions (special_education_students() and the rest),
the tier by ``early_warning.tier``; and every text a row shows is escaped."""

import csv
import datetime
import decimal
import io

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from students.models import (
    Absence,
    DisciplineIncident,
    EventNote,
    Homeroom,
    ProgramCode,
    Student,
    StudentSectionAssignment,
    Tardy,
    current_english_learner_students,
    former_english_learner_students,
    special_education_students,
)
from students.models.grades import GRADE_CODES, school_year_of
from students.selectors import RosterFilters, roster, roster_choices
from students.selectors._shared import current_school_year_start, start_of
from students.selectors.early_warning import current_window, reasons, tier
from students.selectors.roster_rows import ABSENCE_BUCKETS, INCIDENT_BUCKETS, RosterQuestion, roster_rows

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def varied(demo):
    """Give Baker's students events on both sides of the school year's start and of the early-warning window,
    a failing and a passing grade this year and a failing one last year, notes with the same moment (the
    id breaks the tie), and a withdrawn student."""
    today = timezone.localdate()
    window = current_window()
    year_start = current_school_year_start(today)
    students = list(Student.objects.filter(school__local_id="BAK").order_by("pk"))
    before_year, before_window = year_start - datetime.timedelta(days=3), window.since - datetime.timedelta(days=2)
    author = demo.educator("teacher.5")
    sections = list(StudentSectionAssignment.objects.values_list("section", flat=True).distinct()[:3])
    for number, student in enumerate(students[:12]):
        Absence.objects.bulk_create(
            [Absence(student=student, occurred_on=day) for day in (before_year, before_window, today)][: number % 4],
            ignore_conflicts=True,
        )
        Tardy.objects.bulk_create(
            [Tardy(student=student, occurred_on=day) for day in (before_year, today)][: number % 3],
            ignore_conflicts=True,
        )
        for day in (before_year, before_window, today)[: number % 4]:
            DisciplineIncident.objects.create(student=student, incident_code="Disruption", occurred_at=at(day, 8))
        moment = at(today - datetime.timedelta(days=number), 23)  # late evening: the local day, not UTC's
        for note_type in ("sst", "parent")[: 1 + number % 2]:
            EventNote.objects.create(student=student, author=author, note_type=note_type, text="x", recorded_at=moment)
        for section_id, grade in zip(sections, (50, 90, 40)[: number % 3], strict=False):
            StudentSectionAssignment.objects.update_or_create(
                student=student, section_id=section_id, defaults={"grade_numeric": grade}
            )
    Student.objects.filter(pk=students[0].pk).update(enrollment_status=Student.EnrollmentStatus.WITHDRAWN)
    return students


def expected_rows(students, window, since):
    """Each student's row computed one student at a time, straight from the models."""
    categories = dict(ProgramCode.objects.values_list("code", "category"))
    rows = {}
    for student in students:
        absences = list(Absence.objects.filter(student=student).values_list("occurred_on", flat=True))
        incidents = list(DisciplineIncident.objects.filter(student=student).values_list("occurred_at", flat=True))
        tardies = Tardy.objects.filter(student=student, occurred_on__gte=since).count()
        failing = StudentSectionAssignment.objects.filter(
            student=student,
            section__school_year=school_year_of(window.until),
            grade_numeric__lt=window.thresholds.failing_grade,
        ).count()
        notes = sorted(EventNote.objects.filter(student=student), key=lambda note: (note.recorded_at, note.pk))
        student.ew_absences = sum(day >= window.since for day in absences)
        student.ew_incidents = sum(moment >= start_of(window.since) for moment in incidents)
        student.ew_failures = failing
        rows[student.pk] = {
            "local_id": student.local_id,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "grade": student.grade,
            "enrollment_status": student.enrollment_status,
            "program_assigned": student.program_assigned,
            "program_category": categories.get(student.program_assigned, "regular"),
            "homeroom_name": student.homeroom.name if student.homeroom else None,
            "absence_count": sum(day >= since for day in absences),
            "tardy_count": tardies,
            "incident_count": sum(moment >= start_of(since) for moment in incidents),
            "tier": tier(student, window),
            "reasons": reasons(student, window),
            "latest_note_on": timezone.localtime(notes[-1].recorded_at).date() if notes else None,
            "latest_note_type": notes[-1].note_type if notes else None,
        }
    return rows


def shown(row) -> dict:
    return {
        "local_id": row.local_id,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "grade": row.grade,
        "enrollment_status": row.enrollment_status,
        "program_assigned": row.program_assigned,
        "program_category": row.program_category,
        "homeroom_name": row.homeroom_name,
        "absence_count": row.absence_count,
        "tardy_count": row.tardy_count,
        "incident_count": row.incident_count,
        "tier": row.early_warning.tier,
        "reasons": row.early_warning.reasons,
        "latest_note_on": row.latest_note_on,
        "latest_note_type": row.latest_note_type,
    }


def baker_roster(demo, filters: RosterFilters):
    baker = demo.school("BAK")
    grades, homerooms = roster_choices(school=baker)
    return roster(
        educator=demo.educator("principal.baker"), school=baker, filters=filters, grades=grades, homerooms=homerooms
    )


def collated(texts) -> dict:
    """Each text's place in the database's own order of them (names compare as it collates them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT t FROM unnest(%s::text[]) t ORDER BY t", [sorted(set(texts))])
        return {text: place for place, (text,) in enumerate(cursor.fetchall())}


def sort_keys(rows: list[dict]) -> dict:
    """Per sort, its key for a row: the column's order, then the name's (last, first), then the id."""
    last, first = collated(row["last_name"] for row in rows), collated(row["first_name"] for row in rows)
    homerooms = collated(row["homeroom_name"] for row in rows if row["homeroom_name"] is not None)
    programs = collated(row["program_assigned"] for row in rows)

    def then_name(column):
        return lambda row: (*column(row), last[row["last_name"]], first[row["first_name"]], row["pk"])

    return {
        "name": then_name(lambda row: ()),
        "grade": then_name(lambda row: (GRADE_CODES.index(row["grade"]),)),
        "homeroom": then_name(lambda row: (row["homeroom_name"] is None, homerooms.get(row["homeroom_name"], 0))),
        "program": then_name(lambda row: (programs[row["program_assigned"]],)),
        "absences": then_name(lambda row: (-row["absence_count"],)),
        "tardies": then_name(lambda row: (-row["tardy_count"],)),
        "incidents": then_name(lambda row: (-row["incident_count"],)),
        "tier": then_name(lambda row: (-row["tier"],)),
    }


SORTS = ["name", "grade", "homeroom", "program", "absences", "tardies", "incidents", "tier"]


@pytest.mark.parametrize("active_only", [True, False])
def test_every_row_equals_the_students_events_counted_one_by_one(demo, varied, active_only):
    result = baker_roster(demo, RosterFilters(active_only=active_only))
    students = Student.objects.filter(school__local_id="BAK")
    if active_only:
        students = students.filter(enrollment_status="Active", missing_from_last_export=False)
    expected = expected_rows(students.select_related("homeroom"), current_window(), result.since)

    assert {row.pk: shown(row) for row in result.students} == expected
    assert any(row["absence_count"] != 0 for row in expected.values())  # the fixture gave the rows something
    assert len({row["tier"] for row in expected.values()}) > 1


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_orders_the_rows_as_its_column_says_names_breaking_ties(demo, varied, sort):
    result = baker_roster(demo, RosterFilters(sort=sort))
    rows = [shown(row) | {"pk": row.pk} for row in result.students]
    assert rows == sorted(rows, key=sort_keys(rows)[sort])


def model_conditions(demo) -> dict[str, dict[str, Q]]:
    """Each filter choice as the models state it, independently of the statement's SQL."""
    grades, homerooms = roster_choices(school=demo.school("BAK"))
    never_learners = ~current_english_learner_students() & ~former_english_learner_students()
    return {
        "grade": {grade: Q(grade=grade) for grade in grades},
        "homeroom": {str(homeroom.pk): Q(homeroom=homeroom) for homeroom in homerooms},
        "sped": {"yes": special_education_students(), "no": ~special_education_students()},
        "plan_504": {"yes": Q(plan_504="504"), "no": ~Q(plan_504="504")},
        "english_learner": {
            "yes": current_english_learner_students(),
            "former": former_english_learner_students(),
            "no": never_learners,
        },
    }


def test_the_filter_counts_equal_the_models_conditions_and_each_filter_keeps_what_it_counts(demo, varied):
    ProgramCode.objects.filter(code="2Way Spanish").update(category="english_learner")  # a remapped code counts
    result = baker_roster(demo, RosterFilters())
    enrolled = Student.objects.filter(
        school__local_id="BAK", enrollment_status="Active", missing_from_last_export=False
    )
    by_pk = {row.pk: row for row in result.students}
    for field, choices in model_conditions(demo).items():
        for key, condition in choices.items():
            keeps = set(enrolled.filter(condition).values_list("pk", flat=True))
            assert result.counts[field][key] == len(keeps), (field, key)
            if field == "homeroom":
                filters = RosterFilters(homeroom_id=int(key))
            elif field in ("sped", "plan_504"):
                filters = RosterFilters(**{field: key == "yes"})
            else:
                filters = RosterFilters(**{field: key})
            assert {row.pk for row in baker_roster(demo, filters).students} == keeps, (field, key)
    for field, buckets, count in (
        ("absences", ABSENCE_BUCKETS, "absence_count"),
        ("incidents", INCIDENT_BUCKETS, "incident_count"),
    ):
        for key, (_label, low, high) in buckets.items():
            keeps = {
                pk
                for pk, row in by_pk.items()
                if low <= getattr(row, count) and (high is None or getattr(row, count) <= high)
            }
            assert result.counts[field][key] == len(keeps), (field, key)
            assert {row.pk for row in baker_roster(demo, RosterFilters(**{field: key})).students} == keeps


def test_filters_combine_and_the_counts_stay_those_of_the_whole_roster(demo, varied):
    unfiltered = baker_roster(demo, RosterFilters())
    filters = RosterFilters(grade="5", sped=False, absences="none", sort="absences")
    narrowed = baker_roster(demo, filters)
    assert narrowed.counts == unfiltered.counts
    assert [row.pk for row in narrowed.students] == [
        row.pk
        for row in baker_roster(demo, RosterFilters(sort="absences")).students
        if row.grade == "5" and row.program_category != "special_education" and row.absence_count == 0
    ]


def test_a_section_table_shows_each_students_grade_in_it_and_sorts_by_it(client_for, demo):
    section = demo.section("BIO-101-3")
    response = client_for("teacher.biology").get(reverse("students:section", args=[section.pk]) + "?sort=section_grade")
    rows = response.context["class_list"].students
    grades = dict(StudentSectionAssignment.objects.filter(section=section).values_list("student", "grade_numeric"))
    assert [row.section_grade for row in rows] == [grades[row.pk] for row in rows]
    assert all(isinstance(row.section_grade, decimal.Decimal) for row in rows if row.section_grade is not None)
    known = [row.section_grade for row in rows if row.section_grade is not None]
    assert known == sorted(known)
    assert [row.section_grade for row in rows[len(known) :]] == [None] * (len(rows) - len(known))  # then the rest


MARKUP = "<b>&'\"</b>"
ESCAPED = "&lt;b&gt;&amp;&#x27;&quot;&lt;/b&gt;"


def test_every_text_a_row_shows_is_escaped_on_the_roster_homeroom_and_section_tables(client_for, demo):
    noah, mateo = demo.student("noah"), demo.student("mateo")
    ProgramCode.objects.create(code=MARKUP, category="regular")  # a district's own code, shown as it is
    for student in (mateo, noah):
        Student.objects.filter(pk=student.pk).update(
            first_name=MARKUP, last_name=MARKUP, program_assigned=MARKUP, sped_level_of_need=MARKUP
        )
    Homeroom.objects.filter(pk=mateo.homeroom_id).update(name=MARKUP)
    pages = [
        client_for("principal.baker").get(reverse("students:school_roster", args=[mateo.school_id])),
        client_for("teacher.5").get(reverse("students:homeroom", args=[mateo.homeroom_id])),
        client_for("teacher.biology").get(reverse("students:section", args=[demo.section("BIO-101-3").pk])),
    ]
    for response in pages:
        page = response.content.decode()
        assert MARKUP not in page
        assert f"{ESCAPED}, {ESCAPED}</a>" in page
    roster_page = pages[0].content.decode()
    assert f"<td>{ESCAPED}</td>" in roster_page  # the homeroom's name
    assert f'<td>{ESCAPED} <span class="muted">({ESCAPED})</span></td>' in roster_page  # program, level of need


def csv_by_local_id(response) -> dict[str, dict]:
    assert response.status_code == 200
    return {row["Local id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_the_roster_csv_writes_every_label_as_the_student_model_displays_it(client_for, demo, varied):
    mateo = demo.student("mateo")
    Student.objects.filter(pk=mateo.pk).update(plan_504="504", sped_level_of_need="High", program_assigned="Sp Ed")
    url = reverse("students:school_roster_csv", args=[mateo.school_id]) + "?include_inactive=on"
    rows = csv_by_local_id(client_for("principal.baker").get(url))
    students = Student.objects.filter(school_id=mateo.school_id).select_related("homeroom")
    assert set(rows) == {student.local_id for student in students}
    for student in students:
        row = rows[student.local_id]
        assert row["Grade"] == student.get_grade_display()
        assert row["Homeroom"] == (student.homeroom.name if student.homeroom else "")
        assert row["Enrollment"] == student.get_enrollment_status_display()
        assert row["Program"] == student.program_label
        assert row["SPED level of need"] == student.get_sped_level_of_need_display()
        assert row["504"] == (student.get_plan_504_display() if student.plan_504 else "")
        assert row["English proficiency"] == student.get_limited_english_proficiency_display()
    assert rows[mateo.local_id]["504"] == "504 plan"


def test_the_section_csv_writes_each_grade_in_the_section_as_stored(client_for, demo):
    section = demo.section("BIO-101-3")
    rows = csv_by_local_id(client_for("teacher.biology").get(reverse("students:section_csv", args=[section.pk])))
    grades = StudentSectionAssignment.objects.filter(
        section=section, student__enrollment_status="Active", student__missing_from_last_export=False
    )
    stored = {assignment.student.local_id: assignment.grade_numeric for assignment in grades.select_related("student")}
    assert {local_id: row["Grade in section"] for local_id, row in rows.items()} == {
        local_id: "" if grade is None else str(grade) for local_id, grade in stored.items()
    }


def test_a_queryset_that_can_hold_no_one_gives_no_rows_and_zero_counts(demo):
    question = RosterQuestion(
        since=current_school_year_start(timezone.localdate()),
        window=current_window(),
        counted_grades=("5",),
        counted_homeroom_ids=(demo.homeroom("5-201").pk,),
    )
    rows, counts = roster_rows(Student.objects.none(), question)
    assert rows == []
    assert counts["grade"] == {"5": 0} and counts["absences"]["none"] == 0
