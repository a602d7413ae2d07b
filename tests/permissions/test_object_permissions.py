"""Object-level has_perm cannot give an answer that disagrees with the policy: it is refused.

guardian's backend answered has_perm(perm, obj) from its grant rows, expired ones included; it is
no longer installed, and Educator.has_perm raises for any object, superusers included.
"""

import datetime
import io

import pytest
from django.contrib.auth import get_backends
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from educators.models import Educator, ObjectPermissionCheckError
from permissions.models import StudentGrant
from permissions.policy import visible_students
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="students", codename=codename)


@pytest.fixture
def expired_grant() -> StudentGrant:
    educator = Educator.objects.create_user("past.caseload@district.example", full_name="Past Caseload")
    return StudentGrant.objects.create(
        user=educator,
        permission=permission("view_student_record"),
        content_object=StudentFactory(),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )


def test_an_object_level_check_is_refused_even_for_the_holder_of_an_expired_grant(expired_grant):
    educator, student = expired_grant.user, expired_grant.content_object

    with pytest.raises(ObjectPermissionCheckError, match="permissions.policy"):
        educator.has_perm("students.view_student_record", student)
    with pytest.raises(ObjectPermissionCheckError):
        educator.has_perms(["students.view_student_record"], student)
    assert not visible_students(educator).filter(pk=student.pk).exists()  # the policy's answer


def test_a_superuser_gets_no_object_level_answer_either(expired_grant):
    superuser = Educator.objects.create_superuser("root@district.example", "correct horse battery staple")

    with pytest.raises(ObjectPermissionCheckError):
        superuser.has_perm("students.view_student_record", expired_grant.content_object)


def test_global_permissions_still_come_from_the_model_backend():
    educator = Educator.objects.create_user("counselor@district.example", full_name="Cora Counselor")
    educator.user_permissions.add(permission("view_restricted_notes"))
    educator = Educator.objects.get(pk=educator.pk)  # fresh permission cache

    assert educator.has_perm("students.view_restricted_notes")
    assert educator.has_perms(["students.view_restricted_notes"])
    assert not educator.has_perm("students.view_educators_with_access")


def test_guardians_backend_is_not_installed_and_the_system_checks_stay_quiet():
    assert [type(backend).__module__.split(".")[0] for backend in get_backends()] == ["django", "allauth"]
    output = io.StringIO()
    call_command("check", stdout=output, stderr=output)
    assert "guardian" not in output.getvalue()
