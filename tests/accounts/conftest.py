"""Personas for the sign-in tests: a plain teacher and a principal who must use a second factor."""

import pytest
from django.contrib.auth.models import Permission

from educators.models import Educator
from permissions.models import SchoolGrant
from students.models import School
from tests.accounts.helpers import PASSWORD


@pytest.fixture
def school():
    return School.objects.create(local_id="BAK", name="Baker K-8", school_type="K8")


@pytest.fixture
def teacher():
    return Educator.objects.create_user("teacher@school.example", PASSWORD, full_name="Terry Teacher")


@pytest.fixture
def principal(school):
    educator = Educator.objects.create_user("principal@school.example", PASSWORD, full_name="Pat Principal")
    SchoolGrant.objects.create(
        user=educator,
        permission=Permission.objects.get(codename="view_school_students", content_type__app_label="students"),
        content_object=school,
    )
    return educator
