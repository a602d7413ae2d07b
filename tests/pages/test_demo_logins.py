"""The README's demo-login table is a contract: each row's claims are checked against what that login can do.

Every row is read from README.md itself, and every clause of its "sees" column must be one this
test knows how to check: a README edit that promises something new fails here until it is checked,
and a change in the policy or the cast that breaks a promise fails too.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from audit.readers import may_read_audit
from educators.roles import requires_mfa
from permissions.models import StudentGrant
from permissions.policy import visible_students
from permissions.reviews import reviewers_of
from permissions.services import can_manage_grants
from privacy.operators import may_operate
from students.demo import cast
from students.models import Homeroom, School, Student, StudentSectionAssignment

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def demo_login_rows() -> list[dict[str, str]]:
    text = README.read_text()
    table = text[text.index("| login | who | sees | two-factor |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        login, who, sees, two_factor = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append({"login": login.strip("`"), "who": who, "sees": sees, "two_factor": two_factor})
    return rows


ROWS = demo_login_rows()


def school_named(word: str) -> School:
    return School.objects.get(name__startswith=word)


def active(students):
    return {student.pk for student in students if student.is_enrolled}


def section_students(course_number: str, periods: list[str]) -> set[int]:
    assigned = StudentSectionAssignment.objects.filter(
        section__course__course_number=course_number, section__schedule__in=periods
    ).select_related("student")
    return active(assignment.student for assignment in assigned)


def clauses(sees: str) -> list[str]:
    """The "sees" cell cut into its claims: "every Baker student, restricted notes, who has access" is three."""
    parts = re.split(r"[;,] (?:and )?|(?<=\)) and ", sees.replace(" (an expired grant", ", (an expired grant"))
    return [part.strip() for part in parts if part.strip()]


class Expectation:
    """What one row promises: the students visible (None when it promises none), permissions, account state."""

    def __init__(self):
        self.students: set[int] | None = None
        self.checks: list = []

    def add_students(self, ids: set[int]) -> None:
        self.students = (self.students or set()) | ids


def read_clause(clause: str, expectation: Expectation, demo, educator) -> None:  # noqa: C901 (one branch per claim)
    if match := re.fullmatch(r"every student", clause):
        expectation.add_students(set(Student.objects.values_list("pk", flat=True)))
    elif match := re.fullmatch(r"every (\w+)(?: K-8| High)? student", clause):
        expectation.add_students(set(school_named(match[1]).students.values_list("pk", flat=True)))
    elif match := re.fullmatch(r"homeroom (\S+) at (.+)", clause):
        homeroom = Homeroom.objects.get(name=match[1], school__name=match[2])
        expectation.add_students(active(homeroom.students.all()))
    elif match := re.fullmatch(r"\(an expired grant to one more student\)", clause):
        expired = StudentGrant.objects.filter(user=educator, expires_at__lt=timezone.now())
        assert expired.count() == 1
        expectation.checks.append(lambda visible: expired.get().content_object_id not in visible)
    elif match := re.fullmatch(r"(\w+) students who are not fluent in English", clause):
        expectation.add_students({s.pk for s in school_named(match[1]).students.all() if s.is_english_learner})
    elif match := re.fullmatch(r"(\w+) students in a special-education program", clause):
        expectation.add_students({s.pk for s in school_named(match[1]).students.all() if s.has_sped_program})
    elif match := re.fullmatch(r"active (\d+)(?:st|nd|rd|th) (?:and (\d+)th )?graders at (\w+)", clause):
        grades = [grade for grade in match.groups()[:2] if grade]
        expectation.add_students(active(school_named(match[3]).students.filter(grade__in=grades)))
    elif match := re.fullmatch(r"([A-Z]+-\d+) periods? (\d+)(?: and (\d+))?", clause):
        expectation.add_students(section_students(match[1], [period for period in match.groups()[1:] if period]))
    elif match := re.fullmatch(r"one (\w+) (\d+)th grader \(temporary\)", clause):
        live = StudentGrant.objects.filter(user=educator, expires_at__gt=timezone.now())
        expectation.add_students(
            set(
                live.filter(content_object__school=school_named(match[1]), content_object__grade=match[2]).values_list(
                    "content_object_id", flat=True
                )
            )
        )
    elif clause in ("no students", "nobody yet", "sees no students by being admin", "cannot sign in"):
        expectation.add_students(set())
        if clause == "cannot sign in":
            expectation.checks.append(lambda _visible: not educator.is_active)
    elif clause == "restricted notes":
        expectation.checks.append(lambda _visible: educator.has_perm("students.view_restricted_notes"))
    elif clause == "who has access":
        expectation.checks.append(lambda _visible: educator.has_perm("students.view_educators_with_access"))
    elif clause == "manages accounts and grants":
        expectation.checks.append(lambda _visible: can_manage_grants(educator))
    elif clause == "audit reports":
        expectation.checks.append(lambda _visible: may_read_audit(educator))
    elif match := re.fullmatch(r"reviews (\w+)'s grants in the quarterly access review", clause):
        reviewers = reviewers_of(school_named(match[1]))
        expectation.checks.append(lambda _visible: reviewers.filter(pk=educator.pk).exists())
    elif clause.startswith("audit reports and privacy operations"):
        expectation.checks.append(lambda _visible: may_read_audit(educator) and may_operate(educator))
    else:
        pytest.fail(f"The README promises something this test does not check: {clause!r}")


def test_the_table_lists_exactly_the_cast():
    assert [row["login"] for row in ROWS] == [person.key for person in cast.EDUCATORS]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["login"])
def test_each_login_sees_exactly_what_the_readme_says(demo, row):
    educator = demo.educator(row["login"])
    expectation = Expectation()
    for clause in clauses(row["sees"]):
        read_clause(clause, expectation, demo, educator)
    visible = set(visible_students(educator).values_list("pk", flat=True))
    assert expectation.students is not None, "the row must say which students the login sees"
    assert visible == expectation.students
    for check in expectation.checks:
        assert check(visible)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["login"])
def test_each_login_uses_two_factor_exactly_when_the_readme_says(demo, row):
    educator = demo.educator(row["login"])
    if row["two_factor"] == "—":
        assert not educator.is_active
        return
    assert row["two_factor"].split()[0] in ("yes", "no")
    assert requires_mfa(educator) == row["two_factor"].startswith("yes")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["login"])
def test_only_the_logins_the_readme_gives_admin_or_privacy_powers_reach_those_pages(client_for, row):
    client = client_for(row["login"])
    may_audit = "audit reports" in row["sees"]
    may_run_privacy = "privacy operations" in row["sees"]
    audit_page = client.get("/admin/audit/accessevent/")
    privacy_page = client.get("/admin/privacy/accessrequest/")
    assert (audit_page.status_code == 200) == may_audit
    assert (privacy_page.status_code == 200) == may_run_privacy
