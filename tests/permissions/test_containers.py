"""Which students hang on each kind of container, as recorded with admin changes of it."""

import pytest

from permissions.containers import admin_containers, students_in
from permissions.kinds import GRANT_KINDS
from permissions.models import SectionGrant, StudentGrant
from students.models import District, EventNote, SchoolGrade, Section, Student

pytestmark = pytest.mark.django_db


def ids(queryset) -> list[int]:
    return sorted(set(queryset.values_list("pk", flat=True)))


def test_a_school_grade_holds_that_grades_students_of_that_school(demo):
    grade = SchoolGrade.objects.get(school=demo.school("BAK"), grade="5")
    assert students_in(SchoolGrade, [grade.pk]) == ids(Student.objects.filter(school=grade.school, grade="5"))


def test_a_section_holds_its_enrolled_students(demo):
    section = demo.section("BIO-101-3")
    assert students_in(Section, [section.pk]) == ids(Student.objects.filter(section_assignments__section=section))
    assert students_in(Section, [section.pk])


def test_the_district_holds_every_student():
    assert students_in(District, District.objects.values_list("pk", flat=True)) == ids(Student.objects.all())


def test_a_grant_covers_what_the_policy_says_it_covers(demo):
    section_grant = SectionGrant.objects.filter(content_object=demo.section("BIO-101-3")).first()
    assert students_in(SectionGrant, [section_grant.pk]) == students_in(Section, [section_grant.content_object_id])
    student_grant = StudentGrant.objects.first()
    assert students_in(StudentGrant, [student_grant.pk]) == [student_grant.content_object_id]


def test_every_grant_model_and_every_grant_target_is_a_container():
    containers = admin_containers()
    assert {kind.model for kind in GRANT_KINDS} <= containers
    assert {kind.model._meta.get_field("content_object").related_model for kind in GRANT_KINDS} <= containers
    assert EventNote not in containers


def test_a_student_holds_itself(demo):
    mateo = demo.student("mateo")
    assert students_in(Student, [mateo.pk]) == [mateo.pk]
