"""The profile, roster, homeroom, section and home pages issue a known number of queries, the same however
long a student's history or however large the class: everything is fetched with joins, subqueries and
aggregates. The numbers are absolute, so a query added to every page shows too; when a change adds one
on purpose, update the number here and say why in the commit."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permissions.models import HomeroomGrant
from privacy.models import DisagreementStatement
from students.models import (
    Absence,
    DisciplineIncident,
    EventNote,
    EventNoteRevision,
    Homeroom,
    Iep,
    McasResult,
    Plan504,
    School,
    Service,
    StarResult,
    Student,
    StudentSectionAssignment,
    Tardy,
)
from students.models.absence_summary import rebuild_absence_summary
from tests.factories import EducatorFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(900000)


def add_history(student, author, *, years: int) -> None:
    """Years of everything a profile shows: notes (some restricted, some edited), attendance, incidents,
    assessments, services and a 504 plan."""
    today = timezone.localdate()
    for offset in range(years * 12):
        day = today - datetime.timedelta(days=30 * offset + 1)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        note = EventNote.objects.create(
            student=student,
            author=author,
            note_type="sst",
            text="" if offset % 3 == 0 else "Checked in.",
            restricted_text="Private." if offset % 3 == 0 else "",
            is_restricted=offset % 3 == 0,
            recorded_at=moment,
        )
        EventNoteRevision.objects.create(
            note=note,
            note_type="sst",
            text=note.text,
            restricted_text=note.restricted_text,
            is_restricted=note.is_restricted,
            recorded_at=moment,
            revised_by=author,
        )
        Absence.objects.get_or_create(student=student, occurred_on=day)
        Tardy.objects.get_or_create(student=student, occurred_on=day - datetime.timedelta(days=2))
        DisciplineIncident.objects.create(student=student, incident_code="Disruption", occurred_at=moment)
        StarResult.objects.create(student=student, subject="Math", taken_at=moment, percentile_rank=50)
        Service.objects.create(student=student, service_type="after_school", date_started=day, recorded_by=author)
    for year in range(years):
        McasResult.objects.get_or_create(
            student=student,
            subject="ELA",
            taken_on=datetime.date(today.year - year, 5, 1),
            defaults={"scaled_score": 500},
        )
    Plan504.objects.create(student=student, start_date=today, accommodations="Extended time")


def add_students(*, school, homeroom, grade, count: int, author, section=None) -> None:
    today = timezone.localdate()
    for _ in range(count):
        number = next(_numbers)
        student = Student.objects.create(
            local_id=str(number),
            first_name="Extra",
            last_name=f"Pupil{number}",
            grade=grade,
            school=school,
            homeroom=homeroom,
            date_of_birth=today - datetime.timedelta(days=365 * 10),
        )
        if section is not None:
            StudentSectionAssignment.objects.create(student=student, section=section)
        add_history(student, author, years=1)


def count_queries(client, url) -> int:
    client.get(url)  # warm up: the first request of a session stamps its activity time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Queries per page, once the session's first request has stamped its activity time: the session and its
# educator (2); one lookup of what the educator holds (permissions/holdings.py), made by the two-factor gate
# and kept for the rest of the request, the page's policy checks and the audit event's roles snapshot
# included; for a privileged educator signed in without a second factor (as the test client is), the gate's
# check for one (1); the page's reads; and the audit event itself (5: savepoint, chain lock, the chain head
# with the next id, insert, release). Pages showing early-warning tiers read the district's thresholds (1),
# and compute the signals in the query that fetches their students. The profile: 2 + holdings + (one
# statement whose WHERE is the single-student check: the student's row, the small lists of the record,
# the thresholds with the student's early-warning signals, and whether the student has a 504 plan, an
# IEP or a family's statement: the demo student has none, so none of those encrypted reads is made) + 5 = 9.
# The homeroom page, say: 2 + holdings + (homeroom, thresholds, students) + 5 = 11. Who has access is a page of its own:
# 2 + holdings + second factor + the student + the list (the program code mapping, then one query per kind
# of grant: 7) + 5 = 17, so the principal's profile costs the teacher's and the gate's one check.
# The school roster: 2 + holdings + second factor + (the school if its roster is open to the educator, its
# grades and homerooms for the filters, the thresholds, and one statement reading the rows with how many
# students each filter choice keeps) + 5 = 13. The homeroom's and section's rows come from the same kind of statement.
# Home reads, in one statement, the homerooms and sections the educator teaches, the kinds of school their
# students are in, the notes feed, the birthdays, who is failing a class and who is absent often by the
# absence summary if it is current (1); while the summary is stale, absences are counted live (1). For the
# classes the educator teaches, if any, it asks the policy which they may open (1 for homerooms, 1 for
# sections): teacher.5 teaches a homeroom and no section, teacher.biology two sections and no homeroom, the
# districtwide educator and the principal (whose gate checks for a second factor) neither. So
# teacher.5: 2 + holdings + (the statement, the homeroom) + 5 = 10.
# A school dashboard: 2 + holdings + second factor + (the school if its roster is open to the educator, the
# filters' grades, houses, homerooms and counselors, one statement counting the total and every breakdown,
# and the students listed) + 5 = 16, whichever the measure.
PROFILE_QUERIES = {"teacher.5": 9, "principal.baker": 10}
ROSTER_QUERIES = 13
HOMEROOM_QUERIES = 11
SECTION_QUERIES = 11
HOME_QUERIES = 10
DASHBOARD_QUERIES = 16
HOME_QUERIES_BY_VIEWER = {"teacher.5": 10, "teacher.biology": 10, "district": 10, "principal.baker": 10}
WHO_HAS_ACCESS_QUERIES = 17


@pytest.mark.parametrize(("viewer", "query"), [("teacher.5", ""), ("principal.baker", "?history=all")])
def test_the_profile_costs_the_same_queries_for_a_long_history(
    client_for, demo, django_assert_num_queries, viewer, query
):
    mateo = demo.student("mateo")
    client = client_for(viewer)
    url = reverse("students:profile", args=[mateo.pk]) + query
    short = count_queries(client, url)
    assert short == PROFILE_QUERIES[viewer]
    add_history(mateo, demo.educator("counselor.baker"), years=1)  # a 504 plan among the rest
    with_a_plan = count_queries(client, url)
    assert with_a_plan == short + 1  # the 504 plans, read (and decrypted) for a student who has one
    add_history(mateo, demo.educator("counselor.baker"), years=6)
    with django_assert_num_queries(with_a_plan):
        client.get(url)


def test_the_profile_reads_each_kind_of_encrypted_record_only_for_a_student_who_has_one(
    client_for, demo, django_assert_num_queries
):
    mateo, author = demo.student("mateo"), demo.educator("counselor.baker")
    client = client_for("teacher.5")
    url = reverse("students:profile", args=[mateo.pk])
    count_queries(client, url)
    today = timezone.localdate()
    Iep.objects.create(student=mateo, start_date=today, case_manager="Ms. Reyes", notes="Reading support.")
    with django_assert_num_queries(PROFILE_QUERIES["teacher.5"] + 1):
        assert "Ms. Reyes" in client.get(url).content.decode()
    DisagreementStatement.objects.create(
        student=mateo, filed_by="A parent", filed_on=today, text="Those absences were excused.", recorded_by=author
    )
    Plan504.objects.create(student=mateo, start_date=today, accommodations="Extended time")
    with django_assert_num_queries(PROFILE_QUERIES["teacher.5"] + 3):
        page = client.get(url).content.decode()
    assert "Those absences were excused." in page and "Extended time" in page


def test_who_has_access_costs_the_same_queries_however_many_educators_have_it(
    client_for, demo, django_assert_num_queries
):
    mateo = demo.student("mateo")
    client = client_for("principal.baker")
    url = reverse("students:educators_with_access", args=[mateo.pk])
    few = count_queries(client, url)
    assert few == WHO_HAS_ACCESS_QUERIES
    for number in range(3):
        newcomer = EducatorFactory(full_name=f"Newcomer {number}", password=None)
        HomeroomGrant.objects.create(
            user=newcomer,
            content_object=mateo.homeroom,
            permission=Permission.objects.get(codename="view_homeroom_students"),
        )
    with django_assert_num_queries(few):
        page = client.get(url).content.decode()
    assert all(f"Newcomer {number}" in page for number in range(3))


def test_the_school_roster_costs_the_same_queries_for_a_larger_school(client_for, demo, django_assert_num_queries):
    baker = demo.school("BAK")
    client = client_for("principal.baker")
    url = reverse("students:school_roster", args=[baker.pk]) + "?sort=absences&include_inactive=on"
    small = count_queries(client, url)
    assert small == ROSTER_QUERIES
    add_students(school=baker, homeroom=demo.homeroom("3-105"), grade="3", count=25, author=demo.educator("teacher.5"))
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count(", Extra</a>") == 25


def test_the_homeroom_page_costs_the_same_queries_for_a_larger_class(client_for, demo, django_assert_num_queries):
    homeroom = demo.homeroom("5-201")
    client = client_for("teacher.5")
    url = reverse("students:homeroom", args=[homeroom.pk])
    small = count_queries(client, url)
    assert small == HOMEROOM_QUERIES
    add_students(school=homeroom.school, homeroom=homeroom, grade="5", count=20, author=demo.educator("teacher.5"))
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count(", Extra</a>") == 20


def test_the_section_page_costs_the_same_queries_for_a_larger_section(client_for, demo, django_assert_num_queries):
    section = demo.section("ALG-201-2")
    client = client_for("teacher.algebra")
    url = reverse("students:section", args=[section.pk])
    small = count_queries(client, url)
    assert small == SECTION_QUERIES
    add_students(
        school=section.course.school,
        homeroom=None,
        grade="11",
        count=15,
        author=demo.educator("teacher.algebra"),
        section=section,
    )
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count(", Extra</a>") == 15


def test_the_home_page_costs_the_same_queries_for_more_students(client_for, demo, django_assert_num_queries):
    homeroom = demo.homeroom("5-201")
    client = client_for("teacher.5")
    url = reverse("students:home")
    small = count_queries(client, url)
    assert small == HOME_QUERIES
    add_students(school=homeroom.school, homeroom=homeroom, grade="5", count=20, author=demo.educator("teacher.5"))
    rebuild_absence_summary(timezone.localdate())  # as the queue does after absences are written
    with django_assert_num_queries(small):
        client.get(url)


@pytest.mark.parametrize("viewer", sorted(HOME_QUERIES_BY_VIEWER))
def test_the_home_page_costs_a_known_number_of_queries_for_each_kind_of_educator(client_for, viewer):
    assert count_queries(client_for(viewer), reverse("students:home")) == HOME_QUERIES_BY_VIEWER[viewer]


@pytest.mark.parametrize("viewer", sorted(HOME_QUERIES_BY_VIEWER))
def test_the_home_counts_absences_live_in_one_more_query_while_the_summary_is_stale(client_for, demo, viewer):
    Absence.objects.create(student=demo.student("jordan"), occurred_on=timezone.localdate())
    assert count_queries(client_for(viewer), reverse("students:home")) == HOME_QUERIES_BY_VIEWER[viewer] + 1


def test_the_schools_page_costs_the_same_queries_for_more_schools(client_for, demo, django_assert_num_queries):
    client = client_for("district")
    url = reverse("students:schools")
    few = count_queries(client, url)
    new_schools = []
    for number in range(4):
        school = School.objects.create(local_id=f"NEW{number}", name=f"New School {number}", school_type="ES")
        homeroom = Homeroom.objects.create(school=school, name="K-1", grade="KF")
        add_students(school=school, homeroom=homeroom, grade="KF", count=1, author=demo.educator("teacher.5"))
        new_schools.append(school)
    with django_assert_num_queries(few):
        html = client.get(url).content.decode()
    for school in new_schools:  # each listed, with its roster open to a districtwide educator
        assert reverse("students:school_roster", args=[school.pk]) in html


def test_the_profiles_one_statement_reads_nothing_of_a_student_the_educator_may_not_see(client_for, demo):
    mateo = demo.student("mateo")
    add_history(mateo, demo.educator("counselor.baker"), years=1)
    with CaptureQueriesContext(connection) as queries:
        assert client_for("teacher.k").get(reverse("students:profile", args=[mateo.pk])).status_code == 404
    (statement,) = [query["sql"] for query in queries.captured_queries if "json_agg" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement)
        plan = [line for (line,) in cursor.fetchall()]
    scans = [line for line in plan if " Scan " in line and "students_student" not in line]
    assert scans and all("never executed" in line for line in scans), "\n".join(plan)
