"""What an educator holds: the one answer behind the policy, the two-factor gate, the audit log's
roles snapshot and the admin summary."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.utils import timezone

from educators.roles import requires_mfa
from permissions.holdings import NOTHING, held_grants, holdings, is_privileged, once_per_request
from permissions.holdings import role_words as actor_roles
from permissions.models import (
    DistrictGrant,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from permissions.policy import held_kinds, visible_students
from students.models import Course, District, Homeroom, SchoolGrade, Section
from tests.factories import EducatorFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


@pytest.fixture
def school():
    return SchoolFactory(name="Baker Elementary")


@pytest.fixture
def make_student(school):
    return lambda **fields: StudentFactory(school=school, **fields)


@pytest.fixture
def make_educator():
    return lambda email, **fields: EducatorFactory(email=email, password=None, **fields)


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


def test_grants_count_by_the_application_clock_not_the_database_one(educator, school, monkeypatch):
    SchoolGrant.objects.create(
        user=educator,
        content_object=school,
        permission=permission("view_school_students"),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert actor_roles(educator) == ["schoolwide"]
    two_hours_on = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: two_hours_on)
    assert actor_roles(educator) == []
    assert not is_privileged(educator)
    assert held_kinds(educator, timezone.now()) == frozenset()


def test_a_schoolwide_row_holding_another_permission_does_not_make_its_holder_privileged(educator, school):
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("change_school"))
    assert not requires_mfa(educator)
    assert holdings(educator) == NOTHING


def test_every_caller_reads_the_same_holdings(educator, school, make_student):
    student = make_student()
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("view_school_students"))
    StudentGrant.objects.create(user=educator, content_object=student, permission=permission("view_student_record"))
    educator.user_permissions.add(permission("view_restricted_notes"), permission("manage_grants"))
    held = holdings(educator)
    assert held.kinds == {"school", "student"} == held_kinds(educator, timezone.now())
    assert held.permissions == {"students.view_restricted_notes", "permissions.manage_grants"}
    assert actor_roles(educator) == ["schoolwide", "student", "restricted_notes"]
    assert [kind.key for kind, _grant in held_grants(educator)] == ["school", "student"]
    assert is_privileged(educator)
    assert list(visible_students(educator)) == [student]


def test_holdings_are_one_query_and_nothing_for_an_anonymous_user(educator, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert holdings(AnonymousUser()) == NOTHING
    with django_assert_num_queries(1):
        assert holdings(educator) == NOTHING


def test_a_requests_account_object_looks_its_holdings_up_once(educator, school, django_assert_num_queries):
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("view_school_students"))
    once_per_request(educator)
    with django_assert_num_queries(1):
        assert holdings(educator).kinds == {"school"}
        assert actor_roles(educator) == ["schoolwide"]
        assert held_kinds(educator, timezone.now()) == {"school"}
    once_per_request(educator)  # marking again keeps what was looked up
    with django_assert_num_queries(0):
        assert holdings(educator).kinds == {"school"}


def test_a_grant_changed_during_a_request_counts_from_the_next_request_on(educator, school):
    once_per_request(educator)
    assert holdings(educator) == NOTHING
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("view_school_students"))
    assert holdings(educator) == NOTHING  # this request's answer
    next_request = type(educator).objects.get(pk=educator.pk)  # each request loads its account afresh
    once_per_request(next_request)
    assert holdings(next_request).kinds == {"school"}


def test_an_unmarked_account_object_asks_every_time(educator, school, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert holdings(educator) == NOTHING
    SchoolGrant.objects.create(user=educator, content_object=school, permission=permission("view_school_students"))
    with django_assert_num_queries(1):
        assert holdings(educator).kinds == {"school"}


def test_marking_an_anonymous_user_does_nothing(django_assert_num_queries):
    anonymous = AnonymousUser()
    once_per_request(anonymous)
    with django_assert_num_queries(0):
        assert holdings(anonymous) == NOTHING
