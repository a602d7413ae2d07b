"""The demo district, seeded once for the package, as the shared fixture for the access tests.

Built inside a transaction rolled back at the end; each test runs in its own savepoint inside
it, so tests may add or change grants freely. The cast (students/demo/cast.py) is the contract.
"""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from educators.models import Educator
from students.demo import cast
from students.demo.generate import DemoDistrictBuilder
from students.models import Homeroom, School, SchoolGrade, Section, Student

DEMO_STUDENTS = 60


@pytest.fixture(scope="package")
def demo_district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        DemoDistrictBuilder(
            student_count=DEMO_STUDENTS, seed=1, today=timezone.localdate(), password="", log=lambda *_: None
        ).build()
        # Privileged educators must have a second factor before any admin page loads.
        Authenticator.objects.bulk_create(
            Authenticator(user=educator, type=Authenticator.Type.TOTP, data={})
            for educator in Educator.objects.filter(email__in=[person.email for person in cast.EDUCATORS])
        )
        yield
        transaction.set_rollback(True)


class Cast:
    """Looks up the demo cast by the keys in students/demo/cast.py ("teacher.5", "mateo", "5-201")."""

    def educator(self, key: str) -> Educator:
        return Educator.objects.get(email=f"{key}@{cast.EMAIL_DOMAIN}")

    def student(self, key: str) -> Student:
        index = [person.key for person in cast.STUDENTS].index(key)
        return Student.objects.get(local_id=str(100000 + index))

    def school(self, local_id: str) -> School:
        return School.objects.get(local_id=local_id)

    def grade(self, school_local_id: str, grade: str) -> SchoolGrade:
        return SchoolGrade.objects.get(school__local_id=school_local_id, grade=grade)

    def homeroom(self, name: str) -> Homeroom:
        return Homeroom.objects.get(name=name)

    def section(self, code: str) -> Section:
        course_number, _description, number, _period, _room = cast.SECTIONS[code]
        return Section.objects.get(
            course__course_number=course_number, section_number=number, course__school__local_id=cast.RIVERSIDE
        )

    @property
    def single_student_expiry(self) -> str:
        """The date the cast's live single-student grant runs until (30 days after seeding)."""
        return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def demo(demo_district, db) -> Cast:
    return Cast()
