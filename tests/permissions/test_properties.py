"""Property tests: on random small districts the SQL policy agrees with a plain Python reading of the rules,
and each rule's SQL form agrees with its ORM form.

Hypothesis draws a district (schools, grades, homerooms, sections, students with random statuses
and programs), educators (active or not, narrowing flags, superuser) and grants of every kind,
live, expired or holding the wrong permission. ``Reference`` below decides access the obvious
way, one student at a time; the policy's querysets, reasons, homerooms and sections must match it.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from educators.models import Educator
from permissions.holdings import holdings
from permissions.kinds import GRANT_KINDS, held
from permissions.models import (
    DistrictGrant,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from permissions.policy import (
    granted_student_ids,
    on_held_objects,
    visible_homerooms,
    visible_sections,
    visible_students,
)
from permissions.reasons import access_reasons, educators_with_access
from students.models import (
    Course,
    District,
    Homeroom,
    School,
    SchoolGrade,
    Section,
    Student,
    StudentSectionAssignment,
)

pytestmark = pytest.mark.django_db

SCHOOLS = 2
GRADES = ("3", "5")
STATUSES = ("Active", "Withdrawn", "Transferred")
PROGRAMS = ("Reg Ed", "Sp Ed", "SEIP", "2Way Spanish")
PROFICIENCIES = ("Fluent", "Limited", "FLEP")
# The default program codes (students/migrations/0003_program_codes.py).
SPED_PROGRAMS = ("Sp Ed",)
ENGLISH_LEARNER_PROGRAMS = ("SEIP",)
KINDS = ("district", "school", "grade", "homeroom", "section", "student")
EXPIRIES = ("never", "expired", "later")
GRADE_TARGETS = [(school, grade) for school in range(SCHOOLS) for grade in GRADES]


def later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=3)


def reason_for(grant) -> str:
    return f"caseload {grant.educator}-{grant.target}"


@dataclass(frozen=True)
class StudentSpec:
    school: int
    grade: str
    homeroom: int | None  # may belong to another school or grade: SIS data is not always tidy
    sections: frozenset[int]
    status: str
    missing: bool
    program: str
    proficiency: str

    @property
    def active(self) -> bool:
        return self.status == "Active" and not self.missing


@dataclass(frozen=True)
class EducatorSpec:
    active: bool
    sped_only: bool
    english_learners_only: bool
    superuser: bool


@dataclass(frozen=True)
class GrantSpec:
    educator: int
    kind: str
    target: int  # index into the kind's targets (taken modulo their number)
    expiry: str
    right_permission: bool


@st.composite
def districts(draw):
    homerooms = draw(st.lists(st.tuples(st.integers(0, SCHOOLS - 1), st.sampled_from(GRADES)), min_size=1, max_size=3))
    sections = draw(st.lists(st.integers(0, SCHOOLS - 1), min_size=1, max_size=3))
    students = draw(
        st.lists(
            st.builds(
                StudentSpec,
                school=st.integers(0, SCHOOLS - 1),
                grade=st.sampled_from(GRADES),
                homeroom=st.none() | st.integers(0, max(len(homerooms) - 1, 0)) if homerooms else st.none(),
                sections=st.frozensets(st.integers(0, len(sections) - 1), max_size=2)
                if sections
                else st.just(frozenset()),
                status=st.sampled_from(STATUSES),
                missing=st.booleans(),
                program=st.sampled_from(PROGRAMS),
                proficiency=st.sampled_from(PROFICIENCIES),
            ),
            min_size=3,
            max_size=8,
        )
    )
    educators = draw(
        st.lists(
            st.builds(
                EducatorSpec,
                active=st.sampled_from([True, True, True, False]),
                sped_only=st.sampled_from([False, False, True]),
                english_learners_only=st.sampled_from([False, False, True]),
                superuser=st.sampled_from([False, False, True]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    grants = draw(
        st.lists(
            st.builds(
                GrantSpec,
                educator=st.integers(0, len(educators) - 1),
                kind=st.sampled_from(KINDS),
                target=st.integers(0, 10),
                expiry=st.sampled_from(EXPIRIES),
                right_permission=st.sampled_from([True, True, True, False]),
            ),
            min_size=2,
            max_size=8,
        )
    )
    return homerooms, sections, students, educators, grants


class Reference:
    """The rules of the issue, read literally, for one educator and one student at a time."""

    def __init__(self, homerooms, sections, students, educators, grants):
        self.homerooms, self.sections, self.students, self.educators = homerooms, sections, students, educators
        self.live = [g for g in grants if g.right_permission and g.expiry != "expired"]

    def grants_of(self, educator: int, kind: str) -> list[int]:
        return [g.target for g in self.live if g.educator == educator and g.kind == kind]

    def grant(self, educator: int, kind: str, target: int) -> "GrantSpec":
        return next(g for g in self.live if (g.educator, g.kind, g.target) == (educator, kind, target))

    def reaching(self, educator: int, student: int) -> dict[str, list[int]]:
        """The live grants of each kind that let the educator see the student (empty: no access)."""
        person, spec = self.educators[educator], self.students[student]
        if not person.active:
            return {}
        found = {"district": self.grants_of(educator, "district")}
        narrowed_out = (person.sped_only and spec.program not in SPED_PROGRAMS) or (
            person.english_learners_only
            and spec.proficiency == "Fluent"
            and spec.program not in ENGLISH_LEARNER_PROGRAMS
        )
        if not narrowed_out:
            found["school"] = [t for t in self.grants_of(educator, "school") if t == spec.school]
            found["student"] = [t for t in self.grants_of(educator, "student") if t == student]
            if spec.active:
                grade = GRADE_TARGETS.index((spec.school, spec.grade))
                found["grade"] = [t for t in self.grants_of(educator, "grade") if t == grade]
                found["homeroom"] = [t for t in self.grants_of(educator, "homeroom") if t == spec.homeroom]
                found["section"] = [t for t in self.grants_of(educator, "section") if t in spec.sections]
        return {kind: sorted(set(targets)) for kind, targets in found.items() if targets}

    def sees(self, educator: int, student: int) -> bool:
        return bool(self.reaching(educator, student))

    def homeroom_open(self, educator: int, homeroom: int) -> bool:
        if not self.educators[educator].active:
            return False
        active_here = [i for i, s in enumerate(self.students) if s.homeroom == homeroom and s.active]
        return (
            homeroom in self.grants_of(educator, "homeroom")
            or bool(self.grants_of(educator, "district"))
            or (bool(active_here) and all(self.sees(educator, i) for i in active_here))
        )

    def section_open(self, educator: int, section: int) -> bool:
        if not self.educators[educator].active:
            return False
        return (
            section in self.grants_of(educator, "section")
            or self.sections[section] in self.grants_of(educator, "school")
            or bool(self.grants_of(educator, "district"))
        )

    def reasons(self, educator: int, student: int) -> list[str]:
        """What access_reasons should say: kind by kind, sorted within a kind."""
        labels = []
        for kind, targets in sorted(self.reaching(educator, student).items(), key=lambda item: KINDS.index(item[0])):
            labels += sorted(self.label(educator, kind, target) for target in targets)
        return labels

    def label(self, educator: int, kind: str, target: int) -> str:
        if kind == "district":
            return "districtwide"
        if kind == "school":
            return f"schoolwide at School {target}"
        if kind == "grade":
            school, grade = GRADE_TARGETS[target]
            return f"grade {grade} at School {school}"
        if kind == "homeroom":
            return f"homeroom H{target} at School {self.homerooms[target][0]}"
        if kind == "section":
            return f"section C{self.sections[target]}-{target} period {target}"
        grant = self.grant(educator, kind, target)
        until = f", until {timezone.localdate(later())}" if grant.expiry == "later" else ""
        return f"single student: {reason_for(grant)}{until}"


def build(homerooms, sections, students, educators, grants):
    """Write the drawn district to the database; returns the rows and each kind's grant targets."""
    schools = School.objects.bulk_create(
        School(local_id=f"P{n}", name=f"School {n}", school_type="K8") for n in range(SCHOOLS)
    )
    school_grades = SchoolGrade.objects.bulk_create(
        SchoolGrade(school=school, grade=grade) for school in schools for grade in GRADES
    )
    homeroom_rows = Homeroom.objects.bulk_create(
        Homeroom(school=schools[school], name=f"H{n}", grade=grade) for n, (school, grade) in enumerate(homerooms)
    )
    courses = Course.objects.bulk_create(
        Course(school=school, course_number=f"C{n}") for n, school in enumerate(schools)
    )
    section_rows = Section.objects.bulk_create(
        Section(course=courses[school], section_number=str(n), term_local_id="FY", school_year=2026, schedule=str(n))
        for n, school in enumerate(sections)
    )
    student_rows = Student.objects.bulk_create(
        Student(
            local_id=f"P{n}",
            first_name="Fictional",
            last_name=f"Pupil{n}",
            school=schools[spec.school],
            grade=spec.grade,
            homeroom=homeroom_rows[spec.homeroom] if spec.homeroom is not None else None,
            enrollment_status=spec.status,
            missing_from_last_export=spec.missing,
            program_assigned=spec.program,
            limited_english_proficiency=spec.proficiency,
        )
        for n, spec in enumerate(students)
    )
    StudentSectionAssignment.objects.bulk_create(
        StudentSectionAssignment(student=student_rows[n], section=section_rows[s])
        for n, spec in enumerate(students)
        for s in spec.sections
    )
    educator_rows = Educator.objects.bulk_create(
        Educator(
            email=f"p{n}@district.example",
            full_name=f"Educator {n}",
            is_active=spec.active,
            sped_only=spec.sped_only,
            english_learners_only=spec.english_learners_only,
            is_superuser=spec.superuser,
            is_staff=spec.superuser,
        )
        for n, spec in enumerate(educators)
    )
    rows = {
        "district": [District.objects.current()],
        "school": schools,
        "grade": school_grades,
        "homeroom": homeroom_rows,
        "section": section_rows,
        "student": student_rows,
    }
    models = {
        "district": (DistrictGrant, "view_district_students", "change_district"),
        "school": (SchoolGrant, "view_school_students", "change_school"),
        "grade": (SchoolGradeGrant, "view_grade_students", "change_schoolgrade"),
        "homeroom": (HomeroomGrant, "view_homeroom_students", "change_homeroom"),
        "section": (SectionGrant, "view_section_students", "change_section"),
        "student": (StudentGrant, "view_student_record", "change_student"),
    }
    expiry = {"never": None, "expired": timezone.now() - datetime.timedelta(hours=1), "later": later()}
    for grant in grants:
        model, right, wrong = models[grant.kind]
        model.objects.create(
            user=educator_rows[grant.educator],
            permission=Permission.objects.get(
                content_type__app_label="students", codename=right if grant.right_permission else wrong
            ),
            content_object=rows[grant.kind][grant.target],
            reason=reason_for(grant),
            expires_at=expiry[grant.expiry],
        )
    return educator_rows, student_rows, homeroom_rows, section_rows


def kept_grants(grants: list[GrantSpec], counts: dict[str, int]) -> list[GrantSpec]:
    """The grants as stored: targets resolved, and only the first of a repeated (educator, permission, object)."""
    kept, seen = [], set()
    for grant in grants:
        if not counts[grant.kind]:
            continue
        resolved = GrantSpec(
            educator=grant.educator,
            kind=grant.kind,
            target=grant.target % counts[grant.kind],
            expiry=grant.expiry,
            right_permission=grant.right_permission,
        )
        key = (resolved.educator, resolved.kind, resolved.target, resolved.right_permission)
        if key not in seen:
            seen.add(key)
            kept.append(resolved)
    return kept


def counts(homerooms, sections, students) -> dict[str, int]:
    """How many objects a grant of each kind can be attached to."""
    return {
        "district": 1,
        "school": SCHOOLS,
        "grade": len(GRADE_TARGETS),
        "homeroom": len(homerooms),
        "section": len(sections),
        "student": len(students),
    }


def assert_each_rules_sql_and_orm_forms_agree(educator_rows, student_rows) -> None:
    """permissions/kinds.py keeps every rule twice: ``reach``, ``LIVE_GRANT`` and the student-side SQL (for
    the lists and the holdings) beside ``covers``, ``live_grants`` and ``admits`` (for the reasons). They
    must select the same grants and reach the same students."""
    here = Student.objects.filter(pk__in=[row.pk for row in student_rows])
    now = timezone.now()
    for educator in educator_rows:
        held_now = holdings(educator, now).kinds
        for kind in GRANT_KINDS:
            assert (kind.key in held_now) == held(kind.key, educator, now).exists()
            if kind.reach is None:
                continue
            granted = granted_student_ids(educator, now, frozenset({kind.key}))
            by_sql = set(here.filter(pk__in=granted).values_list("pk", flat=True))
            reached = here.filter(Exists(held(kind.key, educator, now).filter(kind.covers(OuterRef))))
            assert by_sql == {student.pk for student in reached if kind.admits(educator, student)}
            if kind.target_column is not None:  # the lists' form for one kind: its column, by the held objects
                on_row = on_held_objects(kind, educator, holdings(educator, now).targets.get(kind.key, ()))
                assert set(here.filter(on_row).values_list("pk", flat=True)) == by_sql


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(district=districts())
def test_the_sql_policy_matches_the_plain_reading_of_the_rules_and_each_rules_two_forms_agree(db, district):
    homerooms, sections, students, educators, drawn_grants = district
    grants = kept_grants(drawn_grants, counts(homerooms, sections, students))
    reference = Reference(homerooms, sections, students, educators, grants)
    with transaction.atomic():
        educator_rows, student_rows, homeroom_rows, section_rows = build(
            homerooms, sections, students, educators, grants
        )
        # Other tests' rows may share the database (the demo district): compare on this example's rows only.
        students_here, homerooms_here, sections_here = (
            {row.pk for row in rows} for rows in (student_rows, homeroom_rows, section_rows)
        )
        educators_here = {row.pk for row in educator_rows}
        for e, educator in enumerate(educator_rows):
            assert set(visible_students(educator).filter(pk__in=students_here).values_list("pk", flat=True)) == {
                student_rows[s].pk for s in range(len(students)) if reference.sees(e, s)
            }
            assert set(visible_homerooms(educator).filter(pk__in=homerooms_here).values_list("pk", flat=True)) == {
                homeroom_rows[h].pk for h in range(len(homerooms)) if reference.homeroom_open(e, h)
            }
            assert set(visible_sections(educator).filter(pk__in=sections_here).values_list("pk", flat=True)) == {
                section_rows[n].pk for n in range(len(sections)) if reference.section_open(e, n)
            }
            for s, student in enumerate(student_rows):
                assert access_reasons(educator, student) == reference.reasons(e, s)
        for s, student in enumerate(student_rows):
            listed = [(educator.pk, reasons) for educator, reasons in educators_with_access(student)]
            assert [(pk, reasons) for pk, reasons in listed if pk in educators_here] == [
                (educator_rows[e].pk, reference.reasons(e, s)) for e in range(len(educators)) if reference.sees(e, s)
            ]
        # The same district (one build per example: every build leaves dead rows that skew later plans).
        assert_each_rules_sql_and_orm_forms_agree(educator_rows, student_rows)
        transaction.set_rollback(True)
