"""The roles snapshot stored with each event, read from the grant tables."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from audit.roles import actor_roles
from permissions.models import (
    DistrictGrant,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from students.models import Course, District, Homeroom, SchoolGrade, Section

pytestmark = pytest.mark.django_db


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


@pytest.fixture
def educator(make_educator):
    return make_educator("someone@district.example")


def test_an_educator_without_grants_has_no_roles(educator):
    assert actor_roles(educator) == []


def test_each_kind_of_grant_gives_its_role_in_a_fixed_order(educator, school, make_student):
    course = Course.objects.create(school=school, course_number="MATH5")
    section = Section.objects.create(course=course, section_number="1", term_local_id="FY", school_year=2025)
    grants = [
        (StudentGrant, make_student(), "view_student_record"),
        (SectionGrant, section, "view_section_students"),
        (HomeroomGrant, Homeroom.objects.create(school=school, name="5A"), "view_homeroom_students"),
        (SchoolGradeGrant, SchoolGrade.objects.create(school=school, grade="5"), "view_grade_students"),
        (SchoolGrant, school, "view_school_students"),
        (DistrictGrant, District.objects.current(), "view_district_students"),
    ]
    for model, container, codename in grants:
        model.objects.create(user=educator, content_object=container, permission=permission(codename))
    assert actor_roles(educator) == ["districtwide", "schoolwide", "grade", "homeroom", "section", "student"]


def test_an_expired_grant_gives_no_role_and_a_future_expiry_does(educator, school, make_educator):
    other = make_educator("other@district.example")
    SchoolGrant.objects.create(
        user=educator,
        content_object=school,
        permission=permission("view_school_students"),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    SchoolGrant.objects.create(
        user=other,
        content_object=school,
        permission=permission("view_school_students"),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert actor_roles(educator) == []
    assert actor_roles(other) == ["schoolwide"]


def test_restricted_notes_comes_from_a_direct_permission(educator):
    educator.user_permissions.add(permission("view_restricted_notes"))
    assert actor_roles(educator) == ["restricted_notes"]


def test_restricted_notes_comes_from_a_group_permission(educator):
    group = Group.objects.create(name="Counselors")
    group.permissions.add(permission("view_restricted_notes"))
    educator.groups.add(group)
    assert actor_roles(educator) == ["restricted_notes"]


def test_a_grant_row_holding_another_permission_gives_no_role(educator, school, make_student):
    # As in the policy (permissions.kinds.live_grants): only the kind's visibility permission grants access,
    # and restricted notes come from a direct or group permission, not from a grant on one student.
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("change_school"))
    StudentGrant.objects.create(
        user=educator, content_object=make_student(), permission=permission("view_restricted_notes")
    )
    assert actor_roles(educator) == []
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("view_school_students"))
    assert actor_roles(educator) == ["schoolwide"]


def test_narrowing_flags_and_admin_powers_are_listed_last(make_educator):
    educator = make_educator(
        "admin@district.example", sped_only=True, english_learners_only=True, is_staff=True, is_superuser=True
    )
    assert actor_roles(educator) == ["sped_only", "english_learners_only", "staff", "superuser"]
