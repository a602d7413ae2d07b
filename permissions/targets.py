"""Granting by name: what a grant can be attached to, found by what people call it, and how far it reaches.

The grant forms pick the educator and the school, grade, homeroom, section or student from a
searchable list instead of asking for a bare id. Only district admins (``can_manage_grants``) grant,
and they may grant on any container; a student, though, is found by name only among the students
the admin may see under the policy, and by SIS local id otherwise, so granting never becomes a way
to look students up. The reach ("this grant will show 31 students") is one SQL count, built from the
same containers and the same active-only and narrowing rules as the policy.
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from educators.models import Educator
from permissions.kinds import ACTIVE_STUDENT, GrantKind, object_label
from permissions.policy import visible_students
from students.models import (
    District,
    Homeroom,
    School,
    SchoolGrade,
    Section,
    Student,
    StudentSectionAssignment,
    english_learner_students,
    special_education_students,
)
from students.models.grades import GRADE_CHOICES

# What a search word is matched against, per kind of target.
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "district": ("name",),
    "school": ("name", "local_id"),
    "grade": ("school__name", "school__local_id"),
    "homeroom": ("name", "school__name", "educator__full_name"),
    "section": ("course__course_number", "course__description", "section_number", "course__school__name"),
}
RELATED: dict[str, tuple[str, ...]] = {
    "district": (),
    "school": (),
    "grade": ("school",),
    "homeroom": ("school",),
    "section": ("course",),
}
TARGETS: dict[str, QuerySet] = {
    "district": District.objects.all(),
    "school": School.objects.all(),
    "grade": SchoolGrade.objects.all(),
    "homeroom": Homeroom.objects.all(),
    "section": Section.objects.order_by("course__course_number", "section_number"),
}
GRADE_BY_WORD = {label.lower(): code for code, label in GRADE_CHOICES} | {
    code.lower(): code for code, _ in GRADE_CHOICES
}


def _words(term: str) -> list[str]:
    return [word for word in term.split() if word][:5]


def _matching(queryset: QuerySet, fields: tuple[str, ...], term: str, grades: bool = False) -> QuerySet:
    """Rows matching every word of the term in one of the fields; with ``grades``, a word naming a grade
    ("3", "K") matches the grade alone."""
    for word in _words(term):
        code = GRADE_BY_WORD.get(word.lower()) if grades else None
        if code is not None:
            queryset = queryset.filter(grade=code)
            continue
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def search_educators(term: str) -> QuerySet[Educator]:
    """Active educators whose name or email has every word of the term."""
    return _matching(Educator.objects.filter(is_active=True), ("full_name", "email"), term).order_by("full_name")


def educator_label(educator: Educator) -> str:
    return f"{educator.full_name} <{educator.email}>" if educator.full_name else educator.email


def search_containers(kind: GrantKind, term: str) -> QuerySet:
    """Schools, grades, homerooms, sections (or the district) matching the term, with what their labels read."""
    queryset = TARGETS[kind.key].select_related(*RELATED[kind.key])
    return _matching(queryset, SEARCH_FIELDS[kind.key], term, grades=kind.key == "grade")


def container_label(kind: GrantKind, obj) -> str:
    """What a grant is on, as the lists name it: the grant's own words (a school with its SIS id too; a
    student only by opaque id)."""
    label = object_label(kind, obj)
    if kind.key == "school":
        return f"{label} ({obj.local_id})"
    return label


@dataclass(frozen=True)
class StudentChoice:
    """A student as the search offers them: named only when the admin may see them under the policy."""

    pk: int
    local_id: str
    name: str  # empty when the admin may not see the student

    @property
    def label(self) -> str:
        return f"{self.name} ({self.local_id})" if self.name else f"student {self.local_id}"


def search_students(admin, term: str, *, offset: int = 0, limit: int) -> list[StudentChoice]:
    """Students for a single-student grant: any student by the start of their SIS local id, and by name
    the students the admin may see. Names of the others never leave the database."""
    term = term.strip()
    if not term:
        return []
    by_local_id = Q(local_id__istartswith=term)
    by_name = Q(pk__in=visible_students(admin).values("pk")) & _name_match(term)
    rows = (
        Student.objects.filter(by_local_id | by_name)
        .annotate(name=name_if_visible(admin))
        .order_by("local_id")
        .values_list("pk", "local_id", "name")[offset : offset + limit]
    )
    return [StudentChoice(pk=pk, local_id=local_id, name=name) for pk, local_id, name in rows]


def name_if_visible(viewer, student: str = "") -> Case:
    """A student's "Last, First" where the viewer may see them under the policy, else "": decided in SQL,
    so other students' names never leave the database. ``student`` is the path to the student from the
    rows annotated ("" on students themselves, "content_object" on single-student grants)."""
    prefix = f"{student}__" if student else ""
    seen = Exists(visible_students(viewer).filter(pk=OuterRef(f"{prefix}pk")))
    name = Concat(f"{prefix}last_name", Value(", "), f"{prefix}first_name", output_field=CharField())
    return Case(When(seen, then=name), default=Value(""))


def _name_match(term: str) -> Q:
    match = Q()
    for word in _words(term):
        match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return match


# --- the reach of a grant before it is made ---------------------------------------------------------
def _students_on(kind: GrantKind, obj) -> QuerySet[Student]:
    if kind.key == "district":
        return Student.objects.all()
    if kind.key == "school":
        return Student.objects.filter(school_id=obj.pk)
    if kind.key == "grade":
        return Student.objects.filter(school_id=obj.school_id, grade=obj.grade)
    if kind.key == "homeroom":
        return Student.objects.filter(homeroom_id=obj.pk)
    if kind.key == "section":
        assigned = StudentSectionAssignment.objects.filter(section_id=obj.pk, student_id=OuterRef("pk"))
        return Student.objects.filter(Exists(assigned))
    return Student.objects.filter(pk=obj.pk)


def students_reached(kind: GrantKind, obj, educator: Educator) -> QuerySet[Student]:
    """The students a grant of this kind on obj would let the educator see: the kind's container, its
    active-only rule and the educator's narrowing flags, as the policy applies them."""
    students = _students_on(kind, obj)
    if kind.active_students_only:
        students = students.filter(ACTIVE_STUDENT)
    if kind.narrowed_by_flags and educator.sped_only:
        students = students.filter(special_education_students())
    if kind.narrowed_by_flags and educator.english_learners_only:
        students = students.filter(english_learner_students())
    return students


@dataclass(frozen=True)
class Reach:
    """How many students a grant reaches, and how many of them the educator cannot see yet."""

    students: int
    new: int

    def words(self) -> str:
        plural = "" if self.students == 1 else "s"
        return f"This grant will show {self.students:,} student{plural} ({self.new:,} not visible to them now)."


def reach(kind: GrantKind, obj, educator: Educator) -> Reach:
    """The reach of a grant not made yet, in one SQL count (after one lookup of what the educator holds)."""
    already = visible_students(educator).values("pk")
    counts = students_reached(kind, obj, educator).aggregate(
        students=Count("pk"), new=Count("pk", filter=~Q(pk__in=already))
    )
    return Reach(students=counts["students"], new=counts["new"])
