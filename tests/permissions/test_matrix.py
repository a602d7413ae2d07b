"""Every cast educator × every named cast student: exactly who sees whom, and why.

The expectations are written out by hand from the rules in the issue, not computed: a change to
the policy or to the cast that alters anyone's access must change this table too. "UNTIL" stands
for the date the cast's live single-student grant runs until (30 days after seeding).
"""

import pytest

from permissions.policy import visible_students
from permissions.reasons import access_reasons, educators_with_access
from students.demo import cast

STUDENT_KEYS = [person.key for person in cast.STUDENTS]

# educator -> {student: reasons}; a student left out means no access.
EXPECTED = {
    "admin": {},  # superuser and staff: admin powers only, no students
    "privacy": {},
    "district": {key: ["districtwide"] for key in STUDENT_KEYS},
    "principal.baker": {
        "mateo": ["schoolwide at Baker K-8"],
        "jordan": ["schoolwide at Baker K-8"],
        "lily": ["schoolwide at Baker K-8"],
        "samira": ["schoolwide at Baker K-8"],  # withdrawn and missing: still on the school's books
        "ruby": ["schoolwide at Baker K-8"],
    },
    "teacher.k": {"aisha": ["homeroom K-101 at Ashford Elementary"]},
    # Lily's single-student grant for the summer program has expired.
    "teacher.5": {"mateo": ["homeroom 5-201 at Baker K-8"], "jordan": ["homeroom 5-201 at Baker K-8"]},
    # English-learners only: Mateo (Limited) and Lily (FLEP) are not fluent.
    "el.baker": {"mateo": ["schoolwide at Baker K-8"], "lily": ["schoolwide at Baker K-8"]},
    # SPED only: Eli is in special education; Aisha is not, nor is Yusuf (SEIP is an English-learner
    # program in the district's program codes, not special education).
    "sped.ashford": {"eli": ["schoolwide at Ashford Elementary"]},
    "counselor.baker": {
        "mateo": ["schoolwide at Baker K-8"],
        "jordan": ["schoolwide at Baker K-8"],
        "lily": ["schoolwide at Baker K-8"],
        "samira": ["schoolwide at Baker K-8"],
        "ruby": ["schoolwide at Baker K-8"],
    },
    # Grade level sees active students only: Samira (withdrawn, grade 3) drops out.
    "gradelead.baker": {"lily": ["grade 3 at Baker K-8"]},
    "counselor.riverside": {
        "ruby": ["single student: Transition planning for 9th grade, until UNTIL"],
        "noah": ["schoolwide at Riverside High"],
        "grace": ["schoolwide at Riverside High"],
        "omar": ["schoolwide at Riverside High"],  # transferred: still on the school's books
    },
    "housemaster.riverside": {"noah": ["grade 10 at Riverside High"], "grace": ["grade 9 at Riverside High"]},
    "teacher.biology": {"noah": ["section BIO-101-3 period 3"], "grace": ["section BIO-101-1 period 1"]},
    # Omar has transferred: section access is for active students only.
    "teacher.algebra": {"grace": ["section ALG-201-2 period 2"]},
    "data.riverside": {
        "noah": ["schoolwide at Riverside High"],
        "grace": ["schoolwide at Riverside High"],
        "omar": ["schoolwide at Riverside High"],
    },
    "newhire": {},
    "inactive": {},  # holds a schoolwide grant, but the account is inactive
}


def expected(demo, educator_key: str, student_key: str) -> list[str]:
    reasons = EXPECTED[educator_key].get(student_key, [])
    return [reason.replace("UNTIL", demo.single_student_expiry) for reason in reasons]


def test_the_matrix_covers_the_whole_cast():
    assert sorted(EXPECTED) == sorted(person.key for person in cast.EDUCATORS)
    assert all(set(row) <= set(STUDENT_KEYS) for row in EXPECTED.values())


@pytest.mark.parametrize("educator_key", [person.key for person in cast.EDUCATORS])
def test_each_cast_educator_sees_exactly_the_expected_named_students_for_the_expected_reasons(demo, educator_key):
    educator = demo.educator(educator_key)
    named_ids = {demo.student(key).pk: key for key in STUDENT_KEYS}
    visible = set(visible_students(educator).filter(pk__in=named_ids).values_list("pk", flat=True))
    assert sorted(named_ids[pk] for pk in visible) == sorted(EXPECTED[educator_key])
    for student_key in STUDENT_KEYS:
        assert access_reasons(educator, demo.student(student_key)) == expected(demo, educator_key, student_key), (
            educator_key,
            student_key,
        )


@pytest.mark.parametrize("student_key", STUDENT_KEYS)
def test_each_named_student_lists_exactly_the_cast_educators_expected_to_see_them(demo, student_key):
    cast_emails = {person.email: person.key for person in cast.EDUCATORS}
    listed = {
        cast_emails[educator.email]: reasons
        for educator, reasons in educators_with_access(demo.student(student_key))
        if educator.email in cast_emails
    }
    wanted = {key: expected(demo, key, student_key) for key, row in EXPECTED.items() if student_key in row}
    assert listed == wanted
