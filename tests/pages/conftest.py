"""The demo district as the shared fixture for the page tests: the named cast plus a few generated students.

Built once for the whole package inside a transaction that is rolled back at the end; each test
runs in its own savepoint inside it, so tests may add or change rows freely.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from educators.models import Educator
from students.demo import cast
from students.demo.generate import DemoDistrictBuilder
from students.models import Homeroom, School, Section, Student

DEMO_STUDENTS = 40


@pytest.fixture(scope="package")
def demo_district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        DemoDistrictBuilder(
            student_count=DEMO_STUDENTS, seed=1, today=timezone.localdate(), password="", log=lambda *args: None
        ).build()
        # The sign-in gate sends privileged educators without a second factor to set one up first.
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

    def homeroom(self, name: str) -> Homeroom:
        return Homeroom.objects.get(name=name)

    def section(self, code: str) -> Section:
        course_number, _description, number, _period, _room = cast.SECTIONS[code]
        return Section.objects.get(
            course__course_number=course_number, section_number=number, course__school__local_id=cast.RIVERSIDE
        )


@pytest.fixture
def demo(demo_district, db) -> Cast:
    return Cast()


@pytest.fixture
def client_for(client, demo):
    """A test client signed in as a cast educator: ``client_for("teacher.5")``."""

    def sign_in(key: str):
        client.force_login(demo.educator(key))
        return client

    return sign_in
