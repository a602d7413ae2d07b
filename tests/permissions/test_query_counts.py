"""Query counts: the policy is one query, and explaining it does not grow with grants or educators."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from educators.models import Educator
from permissions.holdings import once_per_request
from permissions.models import HomeroomGrant, SchoolGradeGrant, SchoolGrant, SectionGrant, StudentGrant
from permissions.policy import (
    can_view_restricted_notes,
    get_visible_student_or_404,
    schools_with_open_roster,
    visible_students,
)
from permissions.reasons import access_reasons, access_summary, educators_with_access, visible_students_with_reasons
from students.models import Homeroom, School, SchoolGrade, Section, Student


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def grant(model, educator, obj, codename):
    permission = Permission.objects.get(content_type__app_label="students", codename=codename)
    return model.objects.get_or_create(
        user=educator, permission=permission, content_object=obj, defaults={"reason": "test"}
    )[0]


@pytest.mark.parametrize(
    "key", ["district", "principal.baker", "gradelead.baker", "teacher.5", "teacher.biology", "sped.ashford"]
)
def test_counting_or_paging_visible_students_is_a_lookup_of_held_grants_and_one_query(
    demo, key, django_assert_num_queries
):
    educator = demo.educator(key)
    with django_assert_num_queries(2):
        visible_students(educator).count()
    with django_assert_num_queries(2):
        list(visible_students(educator).order_by("last_name", "first_name", "pk")[:50])


def test_an_educator_holding_no_grant_costs_only_the_lookup(demo, django_assert_num_queries):
    newhire = demo.educator("newhire")
    with django_assert_num_queries(1):
        assert visible_students(newhire).count() == 0


def test_a_districtwide_educators_students_are_the_plain_table_and_others_start_from_their_grants(demo):
    district_sql = str(visible_students(demo.educator("district")).query)
    teacher = demo.educator("teacher.5")
    teacher_sql = str(visible_students(teacher).query)
    assert "WHERE" not in district_sql
    # One kind of grant on an object on the student row: that column, by the ids read with the holdings.
    assert '"students_student"."homeroom_id" IN' in teacher_sql and "permissions_" not in teacher_sql
    grant(SectionGrant, teacher, Section.objects.first(), "view_section_students")
    both_sql = str(visible_students(teacher).query)
    assert "permissions_homeroomgrant" in both_sql and "permissions_sectiongrant" in both_sql
    assert "EXISTS" not in both_sql and "permissions_schoolgrant" not in both_sql  # only the kinds held


def test_the_single_student_check_is_one_query_whether_it_finds_the_student_or_not(demo, django_assert_num_queries):
    teacher, mateo, aisha = demo.educator("teacher.5"), demo.student("mateo"), demo.student("aisha")
    with django_assert_num_queries(1):
        get_visible_student_or_404(teacher, mateo.pk)
    with django_assert_num_queries(1), pytest.raises(Http404):
        get_visible_student_or_404(teacher, aisha.pk)


def test_a_requests_single_student_check_starts_from_its_one_lookup_of_holdings(demo, django_assert_num_queries):
    teacher, mateo, aisha = demo.educator("teacher.5"), demo.student("mateo"), demo.student("aisha")
    once_per_request(teacher)
    with django_assert_num_queries(2):  # the holdings, then the student
        assert get_visible_student_or_404(teacher, mateo.pk) == mateo
    with django_assert_num_queries(1), pytest.raises(Http404):
        get_visible_student_or_404(teacher, aisha.pk)
    with django_assert_num_queries(0):
        assert not can_view_restricted_notes(teacher)


def test_an_inactive_educator_costs_no_query(demo, django_assert_num_queries):
    inactive, mateo = demo.educator("inactive"), demo.student("mateo")  # a Baker student, inside its old grant
    with django_assert_num_queries(0):
        assert visible_students(inactive).count() == 0
    with django_assert_num_queries(0), pytest.raises(Http404):
        get_visible_student_or_404(inactive, mateo.pk)


def test_the_roster_check_is_one_query(demo, django_assert_num_queries):
    lead, baker = demo.educator("gradelead.baker"), demo.school("BAK")
    with django_assert_num_queries(1):
        assert schools_with_open_roster(lead).filter(pk=baker.pk).exists()


def _give_many_grants(educator, student):
    """Several grants of every kind, some of each reaching the student."""
    for school in School.objects.all()[:3]:
        grant(SchoolGrant, educator, school, "view_school_students")
    for school_grade in SchoolGrade.objects.filter(school=student.school).exclude(grade=student.grade)[:3]:
        grant(SchoolGradeGrant, educator, school_grade, "view_grade_students")
    grant(
        SchoolGradeGrant,
        educator,
        SchoolGrade.objects.get(school=student.school, grade=student.grade),
        "view_grade_students",
    )
    for homeroom in Homeroom.objects.exclude(pk=student.homeroom_id)[:3]:
        grant(HomeroomGrant, educator, homeroom, "view_homeroom_students")
    grant(HomeroomGrant, educator, student.homeroom, "view_homeroom_students")
    for section in Section.objects.all()[:4]:
        grant(SectionGrant, educator, section, "view_section_students")
    for other in Student.objects.all()[:4]:
        grant(StudentGrant, educator, other, "view_student_record")
    grant(StudentGrant, educator, student, "view_student_record")


def test_explaining_access_costs_the_same_queries_however_many_grants_are_held(demo):
    newhire, ruby = demo.educator("newhire"), demo.student("ruby")
    grant(SectionGrant, newhire, demo.section("ALG-201-2"), "view_section_students")  # one grant to start from
    calls = [
        lambda: access_reasons(newhire, ruby),
        lambda: access_summary(newhire),
        lambda: visible_students_with_reasons(newhire),
    ]
    few = [queries(call) for call in calls]
    _give_many_grants(newhire, ruby)
    assert len(access_reasons(newhire, ruby)) >= 4
    assert [queries(call) for call in calls] == few
    assert few[0] <= 7


def test_listing_who_has_access_costs_the_same_queries_however_many_educators_have_it(demo):
    ruby = demo.student("ruby")
    few = queries(lambda: educators_with_access(ruby))
    for number in range(10):
        educator = Educator.objects.create_user(f"extra{number}@district.example", None, full_name=f"Extra {number}")
        grant(StudentGrant, educator, ruby, "view_student_record")
    assert len(educators_with_access(ruby)) >= 10
    # One query for the student's program category (the narrowing flags read it), one per kind of grant.
    assert queries(lambda: educators_with_access(ruby)) == few <= 7


def _plan_nodes(queryset: QuerySet) -> list[dict]:
    """Every node of the query's EXPLAIN plan, planned as for a district-sized student table: the test
    district's few rows are cheapest read whole, which would hide how the students are found."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction only
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        explained = cursor.fetchone()[0]
    nodes, pending = [], [(json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending += node.get("Plans", [])
    return nodes


def test_a_caseload_of_single_student_grants_is_reached_by_its_ids_whatever_the_statistics_say(demo):
    """Grants made in bulk are not analyzed until 50 rows change, so the planner may believe the
    educator holds one grant. The granted students must still be found through the student indexes
    by the held ids, never by walking the whole primary key to meet the grants in a merge join."""
    teacher = demo.educator("teacher.5")  # a homeroom, and now a caseload: two kinds, so the UNION ALL
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {StudentGrant._meta.db_table}")  # while the teacher holds no such grant
    for student in Student.objects.order_by("pk")[::7][:25]:
        grant(StudentGrant, teacher, student, "view_student_record")
    once_per_request(teacher)
    page = visible_students(teacher).order_by("last_name", "first_name", "pk")[:50]
    nodes = _plan_nodes(page)
    granted = [
        node
        for node in nodes
        if node.get("Relation Name") == Student._meta.db_table and node["Alias"] != Student._meta.db_table
    ]
    conditions = [node.get("Index Cond") or node.get("Recheck Cond") for node in granted]
    assert len(granted) == 2 and all(conditions)  # the homeroom's students and the caseload's
    assert any(condition.startswith("(id = ANY") for condition in conditions)
    assert not any(node["Node Type"] == "Merge Join" and "Semi" not in node.get("Join Type", "") for node in nodes)
