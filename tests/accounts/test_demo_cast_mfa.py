"""Against the demo cast: exactly the privileged people must use a second factor."""

from io import StringIO

import pytest
from django.core.management import call_command

from educators.models import Educator
from educators.roles import requires_mfa
from students.demo import cast

pytestmark = pytest.mark.django_db

# Districtwide, schoolwide (even when narrowed to SPED or EL students), restricted notes, staff and superusers.
PRIVILEGED = {
    "admin",
    "privacy",
    "district",
    "principal.baker",
    "counselor.baker",
    "counselor.riverside",
    "el.baker",
    "sped.ashford",
    "data.riverside",
    "inactive",
}


def test_requires_mfa_matches_the_roles_of_the_demo_cast():
    call_command("seed_demo", "--students", "40", "--today", "2026-11-28", stdout=StringIO())
    by_email = {educator.email: educator for educator in Educator.objects.all()}
    verdicts = {person.key: requires_mfa(by_email[person.email]) for person in cast.EDUCATORS}
    assert {key for key, required in verdicts.items() if required} == PRIVILEGED
