"""The demo district as a test fixture: the named cast plus a few generated students.

Test packages seed it once (``seeded_demo_district``) inside a transaction rolled back at the
end; each test runs in its own savepoint inside it, so tests may add or change rows freely.
The cast (students/demo/cast.py) is the contract the tests are written against.
"""

import contextlib
import datetime

from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.utils import timezone

from educators.models import Educator
from students.demo import cast
from students.demo.generate import DemoDistrictBuilder
from students.models import Homeroom, School, Section, Student


@contextlib.contextmanager
def seeded_demo_district(django_db_blocker, *, students: int):
    with django_db_blocker.unblock(), transaction.atomic():
        DemoDistrictBuilder(student_count=students, seed=1, today=timezone.localdate(), password="").build()
        # The sign-in gate sends privileged educators without a second factor to set one up first.
        Authenticator.objects.bulk_create(
            Authenticator(user=educator, type=Authenticator.Type.TOTP, data={})
            for educator in Educator.objects.filter(email__in=[person.email for person in cast.EDUCATORS])
        )
        # As autovacuum would for a live district: without it the planner keeps whatever row counts an
        # earlier test left (often none) and picks nested loops that take minutes on the seeded tables.
        # Only the database's own tables: a bare ANALYZE also locks the catalogs every database of the
        # server shares, so parallel test processes seeding at once waited on each other past the
        # lock timeout.
        tables = connection.introspection.table_names(include_views=False)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
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

    @property
    def single_student_expiry(self) -> str:
        """The date the cast's live single-student grant runs until (30 days after seeding)."""
        return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
