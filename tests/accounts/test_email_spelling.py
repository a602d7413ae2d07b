"""One spelling per email: stored normalized (NFKC, case-folded), compared exactly, look-alikes refused."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import SignInEvent
from educators.emails import normalize_email, validate_new_account_email
from educators.invitations import educator_invite
from educators.models import Educator
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

LOOK_ALIKE = "teacher.bıology@school.example"  # a dotless ı (U+0131), not an i
normalization = importlib.import_module("educators.migrations.0003_normalize_emails")


@pytest.fixture
def biology_teacher():
    return Educator.objects.create_user("teacher.biology@school.example", PASSWORD, full_name="Bea Biology")


@pytest.fixture
def folding_collation():
    """The email column under an ICU en-US collation, whose UPPER() folds ı to I as Heroku's en_US.UTF-8 does."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks may block the ALTER
        cursor.execute('ALTER TABLE educators_educator ALTER COLUMN email TYPE varchar(254) COLLATE "en-US-x-icu"')
        cursor.execute(
            "SELECT upper(%s::varchar COLLATE \"en-US-x-icu\") = upper('teacher.biology')", ["teacher.bıology"]
        )
        assert cursor.fetchone()[0], "the collation should fold the look-alike"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Teacher.Biology@School.EXAMPLE", "teacher.biology@school.example"),
        ("  ｔｅａｃｈｅｒ@school.example ", "teacher@school.example"),  # full-width letters
        ("STRAßE@school.example", "strasse@school.example"),
        ("\u212aelvin@school.example", "kelvin@school.example"),  # the Kelvin sign
    ],
)
def test_addresses_are_stored_in_their_one_normalized_spelling(typed, stored):
    assert normalize_email(typed) == stored
    assert Educator.objects.create_user(typed, PASSWORD, full_name="Someone").email == stored
    educator = Educator.objects.get(email=stored)
    educator.email = typed
    educator.save()
    educator.refresh_from_db()
    assert educator.email == stored


def test_a_different_spelling_of_the_address_signs_in_and_is_recorded_under_the_stored_one(client, biology_teacher):
    response = sign_in(client, " TEACHER.Biology@School.example")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(biology_teacher.pk)
    assert SignInEvent.objects.get(succeeded=True).identity == "teacher.biology@school.example"


def test_a_look_alike_does_not_reach_the_account_even_where_the_collation_folds_it(
    client, biology_teacher, folding_collation
):
    response = sign_in(client, LOOK_ALIKE)  # the right password, the wrong (look-alike) address
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    row = SignInEvent.objects.get()
    assert (row.identity, row.educator_id, row.reason) == (LOOK_ALIKE, None, "unknown_account")


def test_spellings_of_one_address_share_one_failure_counter(client, biology_teacher, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "30/m/ip,3/5m/key"}
    for spelling in (
        "TEACHER.BIOLOGY@school.example",
        " teacher.biology@school.example",
        "Teacher.Biology@SCHOOL.example",
    ):
        sign_in(client, spelling, "wrong password")
    refused = sign_in(client, "teacher.biology@school.example")
    assert "Too many failed login attempts" in refused.content.decode()


def test_new_accounts_with_look_alike_letters_are_refused_with_a_clear_message(biology_teacher):
    with pytest.raises(ValidationError, match=r"'ı' \(U\+0131\)"):
        validate_new_account_email(LOOK_ALIKE)
    with pytest.raises(ValidationError, match="plain \\(ASCII\\) spelling"):
        educator_invite(email=LOOK_ALIKE, full_name="Mallory", base_url="https://insights.district.example")
    assert not Educator.objects.exclude(pk=biology_teacher.pk).exists()


def test_an_invitation_to_another_spelling_of_an_existing_address_is_refused(biology_teacher):
    with pytest.raises(ValidationError, match="already exists"):
        educator_invite(email="ＴＥＡＣＨＥＲ.biology@school.example", full_name="Again", base_url="https://x.example")


def test_the_admin_form_normalizes_and_refuses_look_alikes(biology_teacher):
    from educators.admin import EducatorCreationForm

    form = EducatorCreationForm({"email": "Nora@School.example", "full_name": "Nora", "staff_type": "teacher"})
    assert form.is_valid(), form.errors
    assert form.save().email == "nora@school.example"
    look_alike = EducatorCreationForm({"email": LOOK_ALIKE, "full_name": "M", "staff_type": "teacher"})
    assert not look_alike.is_valid()
    assert "ASCII" in str(look_alike.errors["email"])


def test_the_migration_normalizes_existing_rows():
    educator = Educator.objects.create_user("nora@school.example", PASSWORD, full_name="Nora")
    Educator.objects.filter(pk=educator.pk).update(email="Nora@ＳＣＨＯＯＬ.example")  # as stored before
    normalization.normalize_emails(apps, None)
    educator.refresh_from_db()
    assert educator.email == "nora@school.example"


def test_the_migration_names_collisions_and_changes_nothing():
    first = Educator.objects.create_user("nora@school.example", PASSWORD, full_name="Nora")
    second = Educator.objects.create_user("other@school.example", PASSWORD, full_name="Other")
    Educator.objects.filter(pk=second.pk).update(email="ｎｏｒａ@school.example")  # full-width, as stored before
    with pytest.raises(normalization.EmailCollision) as raised:
        normalization.normalize_emails(apps, None)
    message = str(raised.value)
    assert f"row {first.pk} ('nora@school.example')" in message
    assert f"row {second.pk} ('ｎｏｒａ@school.example')" in message
    assert "Nothing was changed" in message
    assert sorted(Educator.objects.values_list("email", flat=True)) == [
        "nora@school.example",
        "ｎｏｒａ@school.example",
    ]
