"""The demo district as the fixture for destruction: the `privacy` login asks, a second privacy officer approves."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.utils import timezone

from privacy.services import access_request_open
from tests import privacy_fixtures
from tests.factories import EducatorFactory

demo_district, demo, officer = privacy_fixtures.demo_district, privacy_fixtures.demo, privacy_fixtures.officer


@pytest.fixture
def second_officer(demo):
    """Another holder of privacy_operations: destruction needs two people."""
    educator = EducatorFactory(email="records.manager@district.example", full_name="Rhea Records", is_staff=True)
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={})  # past the two-factor gate
    educator.user_permissions.add(
        Permission.objects.get(content_type__app_label="privacy", codename="privacy_operations")
    )
    return educator


@pytest.fixture
def open_access_request(officer):
    def make(student):
        return access_request_open(
            actor=officer,
            student=student,
            requester_name="A parent",
            relationship="parent",
            received_on=timezone.localdate() - datetime.timedelta(days=2),
        )

    return make
