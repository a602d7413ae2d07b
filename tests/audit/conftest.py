"""Personas and a controllable clock for the audit tests."""

import datetime
import itertools

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.utils import timezone

from educators.models import Educator
from students.models import School, Student

_numbers = itertools.count(1)


@pytest.fixture
def school():
    return School.objects.create(local_id="ES1", name="Baker Elementary", school_type="ES")


@pytest.fixture
def make_student(school):
    def make(**fields) -> Student:
        number = next(_numbers)
        values = {"local_id": f"S{number}", "first_name": "Fictional", "last_name": f"Pupil{number}", "grade": "5"}
        return Student.objects.create(school=school, **{**values, **fields})

    return make


@pytest.fixture
def make_educator():
    def make(email: str, **fields) -> Educator:
        # No password: hashing one takes a noticeable fraction of a second, and tests sign in with force_login.
        return Educator.objects.create_user(email, None, full_name=fields.pop("full_name", email), **fields)

    return make


def give_second_factor(educator: Educator) -> None:
    """Privileged educators must have two-factor set up before any page loads (educators.middleware)."""
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={})


@pytest.fixture
def auditor(make_educator):
    """A staff privacy officer holding the audit report permission, with a second factor."""
    educator = make_educator("auditor@district.example", full_name="Avery Auditor", is_staff=True)
    educator.user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_audit_reports")
    )
    give_second_factor(educator)
    return educator


@pytest.fixture
def clock(monkeypatch):
    """Set the time audit rows are stamped with: ``clock(datetime)``."""

    def set_time(moment: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_time
