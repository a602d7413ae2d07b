"""The students hanging on a container: whom an admin change or delete of it affects.

A school, a school grade, a homeroom, a course or a section holds students, and a grant gives
some educator the students it covers. Changing or deleting one in the admin moves those students
(deleting a homeroom clears their homeroom) or changes who sees them, so the admin page's audit
event names them. The audit core asks through ``settings.AUDIT_ADMIN_CONTAINERS`` (it imports no
domain app); the grants' reach is the policy's own ``covers`` rule, so the two cannot disagree.
"""

from collections.abc import Callable, Iterable

from django.db.models import Exists, Model, OuterRef, QuerySet

from permissions.kinds import GRANT_KINDS, GrantKind
from students.models import Course, District, Homeroom, School, SchoolGrade, Section, Student


def _in_grades(pks) -> QuerySet[Student]:
    grades = SchoolGrade.objects.filter(pk__in=pks, school_id=OuterRef("school_id"), grade=OuterRef("grade"))
    return Student.objects.filter(Exists(grades))


def _covered_by(kind: GrantKind) -> Callable[[Iterable], QuerySet[Student]]:
    def covered(pks) -> QuerySet[Student]:
        return Student.objects.filter(Exists(kind.model.objects.filter(pk__in=pks).filter(kind.covers(OuterRef))))

    return covered


_STUDENTS_IN: dict[type[Model], Callable[[Iterable], QuerySet[Student]]] = {
    District: lambda pks: Student.objects.filter(Exists(District.objects.filter(pk__in=pks))),
    School: lambda pks: Student.objects.filter(school__in=pks),
    SchoolGrade: _in_grades,
    Homeroom: lambda pks: Student.objects.filter(homeroom__in=pks),
    Course: lambda pks: Student.objects.filter(section_assignments__section__course__in=pks),
    Section: lambda pks: Student.objects.filter(section_assignments__section__in=pks),
    Student: lambda pks: Student.objects.filter(pk__in=pks),  # single-student grants hang on the student
    **{kind.model: _covered_by(kind) for kind in GRANT_KINDS},
}


def students_in(model: type[Model], pks: Iterable) -> list[int]:
    """The ids of the students in (or covered by) these rows of a container model, in id order."""
    return list(_STUDENTS_IN[model](list(pks)).order_by("pk").values_list("pk", flat=True).distinct())


def admin_containers() -> frozenset[type[Model]]:
    """The models whose admin changes and deletes are recorded with the students they hold."""
    return frozenset(_STUDENTS_IN)
