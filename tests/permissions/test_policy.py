"""The policy's edge rules, homeroom and section pages, school rosters and summaries, on the demo cast.

Personas: in each test one educator who should get in and one who must not.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.http import Http404
from django.utils import timezone

from audit.recorder import recording
from educators.models import Educator
from permissions.holdings import once_per_request
from permissions.models import SchoolGrant, StudentGrant
from permissions.policy import (
    can_see_educators_with_access,
    can_view_restricted_notes,
    get_visible_homeroom_or_404,
    get_visible_section_or_404,
    get_visible_student_or_404,
    school_roster,
    schools_with_open_roster,
    student_access_condition,
    visible_homerooms,
    visible_sections,
    visible_student_sql,
    visible_students,
)
from permissions.reasons import access_reasons, access_summary, visible_students_with_reasons
from students.models import Homeroom, Student


def roster_is_open(educator, school) -> bool:
    """Whether the school is among the rosters the policy opens to the educator."""
    return schools_with_open_roster(educator).filter(pk=school.pk).exists()


def permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="students", codename=codename)


def test_a_grant_expiring_at_this_very_moment_grants_nothing(demo):
    ruby, helen = demo.student("ruby"), demo.educator("counselor.riverside")
    grant = StudentGrant.objects.get(user=helen, content_object=ruby)
    moment = grant.expires_at
    assert Student.objects.filter(
        student_access_condition(helen, moment - datetime.timedelta(microseconds=1)), pk=ruby.pk
    ).exists()
    assert not Student.objects.filter(student_access_condition(helen, moment), pk=ruby.pk).exists()


def test_a_grant_row_holding_another_permission_gives_no_visibility(demo):
    newhire, ashford = demo.educator("newhire"), demo.school("ASH")
    SchoolGrant.objects.create(user=newhire, permission=permission("change_school"), content_object=ashford)
    assert not visible_students(newhire).exists()
    SchoolGrant.objects.create(user=newhire, permission=permission("view_school_students"), content_object=ashford)
    assert set(visible_students(newhire)) == set(Student.objects.filter(school=ashford))


def test_superusers_and_staff_see_no_students_and_no_restricted_notes(demo):
    admin = demo.educator("admin")
    assert admin.is_superuser and admin.has_perm("students.view_restricted_notes")
    assert not visible_students(admin).exists()
    assert not can_view_restricted_notes(admin)
    assert not can_see_educators_with_access(admin)
    assert can_view_restricted_notes(demo.educator("counselor.baker"))


def test_restricted_notes_may_come_from_a_group_but_never_to_an_inactive_account(demo):
    newhire = demo.educator("newhire")
    group = Group.objects.create(name="Counselors")
    group.permissions.add(permission("view_restricted_notes"), permission("view_educators_with_access"))
    assert not can_view_restricted_notes(newhire)
    newhire.groups.add(group)
    assert can_view_restricted_notes(newhire) and can_see_educators_with_access(newhire)
    Educator.objects.filter(pk=newhire.pk).update(is_active=False)
    newhire.refresh_from_db()
    assert not can_view_restricted_notes(newhire) and not can_see_educators_with_access(newhire)


def test_nobody_signed_in_sees_nothing(demo):
    anonymous = AnonymousUser()
    assert not visible_students(anonymous).exists()
    assert not visible_homerooms(anonymous).exists() and not visible_sections(anonymous).exists()
    assert access_reasons(anonymous, demo.student("mateo")) == []
    assert visible_students_with_reasons(anonymous) == []
    assert not can_view_restricted_notes(anonymous)
    assert not roster_is_open(anonymous, demo.school("BAK"))
    assert not school_roster(anonymous, demo.school("BAK")).exists()


def test_both_narrowing_flags_together_leave_special_education_english_learners(demo):
    principal = demo.educator("principal.baker")
    principal.sped_only = principal.english_learners_only = True
    principal.save()
    visible = visible_students(principal)
    assert demo.student("lily") in visible  # Sp Ed and FLEP
    assert demo.student("mateo") not in visible  # English learner, regular education
    assert all(s.has_sped_program and s.is_english_learner for s in visible)
    assert access_reasons(principal, demo.student("mateo")) == []


def test_districtwide_access_is_not_narrowed_by_flags(demo):
    dana = demo.educator("district")
    dana.sped_only = True
    dana.save()
    assert visible_students(dana).count() == Student.objects.count()


# --- single records ----------------------------------------------------------------------------------
def test_a_visible_student_comes_back_and_a_forbidden_one_is_a_recorded_404(demo):
    mateo = demo.student("mateo")
    assert get_visible_student_or_404(demo.educator("teacher.5"), mateo.pk) == mateo
    with recording("profile") as opened, pytest.raises(Http404) as raised:
        get_visible_student_or_404(demo.educator("teacher.k"), mateo.pk)
    assert opened.denied
    assert str(mateo.pk) not in str(raised.value) and mateo.last_name not in str(raised.value)


def found_by(check: tuple[str, tuple]) -> list:
    sql, params = check
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.parametrize("marked_for_a_request", [True, False])
def test_the_single_student_check_as_sql_finds_a_visible_student_and_nothing_for_a_forbidden_one(
    demo, marked_for_a_request
):
    mateo, teacher = demo.student("mateo"), demo.educator("teacher.5")
    if marked_for_a_request:
        once_per_request(teacher)
    assert found_by(visible_student_sql(teacher, mateo.pk)) == [(mateo.pk,)]
    assert found_by(visible_student_sql(demo.educator("teacher.k"), mateo.pk)) == []
    assert found_by(visible_student_sql(teacher, 999_999_999)) == []


@pytest.mark.parametrize(
    ("key", "student_id"), [("inactive", None), ("newhire", None), ("teacher.5", "not-a-number"), ("teacher.5", "")]
)
def test_the_single_student_check_as_sql_is_a_recorded_404_for_who_sees_no_one_or_an_id_that_is_none(
    demo, key, student_id
):
    educator = demo.educator(key)
    once_per_request(educator)
    with recording("profile") as opened, pytest.raises(Http404):
        visible_student_sql(educator, demo.student("mateo").pk if student_id is None else student_id)
    assert opened.denied


@pytest.mark.parametrize("student_id", [999_999_999, "not-a-number", None])
def test_a_missing_or_malformed_student_id_is_the_same_recorded_404(demo, student_id):
    with recording("profile") as opened, pytest.raises(Http404):
        get_visible_student_or_404(demo.educator("district"), student_id)
    assert opened.denied


# --- homerooms ---------------------------------------------------------------------------------------
def test_a_homeroom_opens_to_its_teacher_and_to_whoever_sees_all_its_active_students(demo):
    homeroom = demo.homeroom("5-201")
    for key in ("teacher.5", "principal.baker", "counselor.baker", "district"):
        assert homeroom in visible_homerooms(demo.educator(key)), key
    # The EL teacher sees Mateo but not Jordan; the grade-3 lead sees neither; the K teacher is elsewhere.
    for key in ("el.baker", "gradelead.baker", "teacher.k", "newhire", "admin", "inactive"):
        assert homeroom not in visible_homerooms(demo.educator(key)), key


def test_a_grade_lead_opens_a_homeroom_of_their_grade_though_a_withdrawn_student_is_listed_in_it(demo):
    homeroom = demo.homeroom("3-105")  # Lily (active) and Samira (withdrawn)
    assert homeroom in visible_homerooms(demo.educator("gradelead.baker"))
    assert homeroom not in visible_homerooms(demo.educator("teacher.5"))


def test_an_empty_homeroom_opens_only_to_its_teacher_and_districtwide_educators(demo):
    empty = Homeroom.objects.create(school=demo.school("BAK"), name="5-299", grade="5")
    assert empty not in visible_homerooms(demo.educator("principal.baker"))
    assert empty in visible_homerooms(demo.educator("district"))


def test_opening_a_homeroom_is_one_query_and_a_forbidden_one_is_a_recorded_404(demo, django_assert_num_queries):
    homeroom, teacher = demo.homeroom("5-201"), demo.educator("teacher.5")
    with django_assert_num_queries(1):
        assert get_visible_homeroom_or_404(teacher, homeroom.pk).school.name == "Baker K-8"
    with recording("homeroom") as opened, pytest.raises(Http404):
        get_visible_homeroom_or_404(demo.educator("teacher.k"), homeroom.pk)
    assert opened.denied
    with pytest.raises(Http404):
        get_visible_homeroom_or_404(teacher, "x")


# --- sections ----------------------------------------------------------------------------------------
def test_a_section_opens_to_its_teachers_and_to_schoolwide_or_districtwide_educators(demo):
    biology_3, algebra = demo.section("BIO-101-3"), demo.section("ALG-201-2")
    assert set(visible_sections(demo.educator("teacher.biology"))) == {demo.section("BIO-101-1"), biology_3}
    for key in ("counselor.riverside", "data.riverside", "district"):
        assert {biology_3, algebra} <= set(visible_sections(demo.educator(key))), key
    # Grade access at the school is not enough, nor is schoolwide access elsewhere.
    for key in ("housemaster.riverside", "principal.baker", "teacher.algebra"):
        assert biology_3 not in visible_sections(demo.educator(key)), key


def test_opening_a_section_is_one_query_and_a_forbidden_one_is_a_recorded_404(demo, django_assert_num_queries):
    section, teacher = demo.section("ALG-201-2"), demo.educator("teacher.algebra")
    with django_assert_num_queries(1):
        assert get_visible_section_or_404(teacher, section.pk).course.school.local_id == "RHS"
    with recording("section") as opened, pytest.raises(Http404):
        get_visible_section_or_404(demo.educator("teacher.biology"), section.pk)
    assert opened.denied
    with pytest.raises(Http404):
        get_visible_section_or_404(teacher, [])


# --- school rosters ----------------------------------------------------------------------------------
def test_a_grade_lead_sees_the_school_roster_limited_to_their_grade(demo):
    lead, baker = demo.educator("gradelead.baker"), demo.school("BAK")
    assert roster_is_open(lead, baker)
    assert not roster_is_open(lead, demo.school("ASH"))
    roster = set(school_roster(lead, baker))
    assert roster and all(s.grade == "3" and s.is_enrolled and s.school == baker for s in roster)
    assert demo.student("samira") not in roster


def test_a_schoolwide_roster_includes_students_no_longer_enrolled(demo):
    principal, baker = demo.educator("principal.baker"), demo.school("BAK")
    assert roster_is_open(principal, baker)
    assert set(school_roster(principal, baker)) == set(Student.objects.filter(school=baker))


def test_homeroom_section_and_single_student_access_give_no_roster(demo):
    baker = demo.school("BAK")
    for key in ("teacher.5", "counselor.riverside", "newhire"):
        assert not roster_is_open(demo.educator(key), baker), key
        assert not school_roster(demo.educator(key), baker).exists(), key
    assert roster_is_open(demo.educator("district"), baker)
    assert school_roster(demo.educator("district"), baker).count() == Student.objects.filter(school=baker).count()


# --- summaries ---------------------------------------------------------------------------------------
def test_the_access_summary_says_how_many_students_and_through_what(demo):
    principal = demo.educator("principal.baker")
    count = Student.objects.filter(school__local_id="BAK").count()
    assert access_summary(principal) == (
        f"can see {count} students: schoolwide at Baker K-8; restricted notes; sees who has access"
    )
    helen = demo.educator("counselor.riverside")
    assert access_summary(helen).endswith(
        ": schoolwide at Riverside High; single-student access to 1 student; restricted notes"
    )
    assert access_summary(demo.educator("el.baker")).endswith(": schoolwide at Baker K-8; English learners only")
    assert access_summary(demo.educator("sped.ashford")).endswith(
        ": schoolwide at Ashford Elementary; special-education students only"
    )


def test_the_access_summary_of_an_account_without_access(demo):
    assert access_summary(demo.educator("newhire")) == "can see 0 students: no grants"
    assert access_summary(demo.educator("inactive")) == (
        "can see 0 students: inactive account, so none; schoolwide at Baker K-8"
    )
    StudentGrant.objects.create(
        user=demo.educator("newhire"),
        permission=permission("view_student_record"),
        content_object=demo.student("eli"),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    StudentGrant.objects.create(
        user=demo.educator("newhire"),
        permission=permission("view_student_record"),
        content_object=demo.student("aisha"),
    )
    assert access_summary(demo.educator("newhire")) == "can see 2 students: single-student access to 2 students"


def test_every_visible_student_is_listed_with_reasons_by_local_id(demo):
    teacher = demo.educator("teacher.5")
    listed = visible_students_with_reasons(teacher)
    assert [student.pk for student, _ in listed] == list(
        visible_students(teacher).order_by("local_id").values_list("pk", flat=True)
    )
    assert {tuple(reasons) for _, reasons in listed} == {("homeroom 5-201 at Baker K-8",)}
