"""Passwords are stored and checked with production's hashers (the rest of the suite uses a fast one)."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.test import Client

from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.production_password_hashing]


def test_a_password_is_stored_with_the_default_production_hasher_at_full_strength(teacher):
    hasher = identify_hasher(teacher.password)
    assert hasher.algorithm == get_hasher("default").algorithm == "pbkdf2_sha256"
    assert hasher.decode(teacher.password)["iterations"] == hasher.iterations >= 1_000_000
    assert PASSWORD not in teacher.password
    assert "MD5PasswordHasher" not in " ".join(settings.PASSWORD_HASHERS)


def test_an_educator_signs_in_against_a_production_hash(client, teacher):
    assert sign_in(client, teacher.email).status_code == 302
    assert client.session["_auth_user_id"] == str(teacher.pk)
    stranger = Client()
    assert sign_in(stranger, teacher.email, "not the password").status_code == 200
    assert "_auth_user_id" not in stranger.session
