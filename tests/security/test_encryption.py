"""Restricted note text, 504/IEP text and MFA secrets are ciphertext in the database, and keys rotate."""

import io

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.utils import timezone

from insights import encryption
from insights.encryption import DecryptionError
from students.models import EventNote, EventNoteRevision, Iep, Plan504

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))
NOTE_TEXT = "Disclosed a family crisis; see counselor before contacting home."
ACCOMMODATIONS = "Extended time on tests\nPreferential seating"


def raw(model, column: str, pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    return settings


@pytest.fixture
def sensitive_rows(old_key, seeded_students, educator):
    """One row of each encrypted kind, written under OLD_KEY."""
    student = seeded_students[0]
    note = EventNote.objects.create(
        student=student,
        author=educator,
        note_type="counselor",
        restricted_text=NOTE_TEXT,
        is_restricted=True,
        recorded_at=timezone.now(),
    )
    revision = EventNoteRevision.objects.create(
        note=note,
        note_type="counselor",
        restricted_text="An earlier version.",
        is_restricted=True,
        recorded_at=note.recorded_at,
        revised_by=educator,
    )
    plan = Plan504.objects.create(student=student, start_date="2025-09-01", accommodations=ACCOMMODATIONS)
    iep = Iep.objects.create(student=student, start_date="2025-09-01", notes="Reading support, 3x weekly.")
    totp = Authenticator.objects.create(
        user=educator, type=Authenticator.Type.TOTP, data={"secret": encryption.encrypt("JBSWY3DPEHPK3PXP")}
    )
    codes = Authenticator.objects.create(
        user=educator,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": encryption.encrypt("0123abcd"), "used_mask": 0},
    )
    return {
        (EventNote, "restricted_text", note.pk): NOTE_TEXT,
        (EventNoteRevision, "restricted_text", revision.pk): "An earlier version.",
        (Plan504, "accommodations", plan.pk): ACCOMMODATIONS,
        (Iep, "notes", iep.pk): "Reading support, 3x weekly.",
        (Authenticator, "secret", totp.pk): "JBSWY3DPEHPK3PXP",
        (Authenticator, "seed", codes.pk): "0123abcd",
    }


def stored(model, column: str, pk: int) -> str:
    """The ciphertext as the database holds it (MFA secrets sit inside allauth's JSON column)."""
    if model is Authenticator:
        return Authenticator.objects.get(pk=pk).data[column]
    return raw(model, column, pk)


def test_restricted_note_text_and_504_accommodations_are_ciphertext_in_raw_sql(sensitive_rows):
    note_pk = next(pk for model, _, pk in sensitive_rows if model is EventNote)
    plan_pk = next(pk for model, _, pk in sensitive_rows if model is Plan504)

    for model, column, pk, plaintext in [
        (EventNote, "restricted_text", note_pk, NOTE_TEXT),
        (Plan504, "accommodations", plan_pk, ACCOMMODATIONS),
    ]:
        ciphertext = raw(model, column, pk)
        assert ciphertext.startswith("gAAAAA")
        assert "family" not in ciphertext and "Extended" not in ciphertext
        assert Fernet(OLD_KEY).decrypt(ciphertext.encode()).decode() == plaintext

    assert EventNote.objects.get(pk=note_pk).restricted_text == NOTE_TEXT
    assert Plan504.objects.get(pk=plan_pk).accommodation_list == ["Extended time on tests", "Preferential seating"]


def test_an_empty_value_stays_empty_so_the_right_column_constraint_holds(old_key, seeded_students, educator):
    note = EventNote.objects.create(
        student=seeded_students[0], author=educator, note_type="sst", text="Open note", recorded_at=timezone.now()
    )

    assert raw(EventNote, "restricted_text", note.pk) == ""
    assert list(EventNote.objects.filter(restricted_text="")) == [note]
    assert not EventNote.objects.filter(restricted_text__isnull=True).exists()


@pytest.mark.parametrize("lookup", [{"restricted_text": "Disclosed"}, {"restricted_text__icontains": "crisis"}])
def test_encrypted_text_cannot_be_searched_rather_than_silently_matching_nothing(lookup):
    with pytest.raises(FieldError):
        EventNote.objects.filter(**lookup)


def test_a_value_no_configured_key_opens_is_an_error_naming_the_column_not_the_value(sensitive_rows, settings):
    note_pk = next(pk for model, _, pk in sensitive_rows if model is EventNote)
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]

    with pytest.raises(DecryptionError) as error:
        EventNote.objects.get(pk=note_pk)

    assert "students_eventnote.restricted_text" in str(error.value)
    assert "family" not in str(error.value)
    assert raw(EventNote, "restricted_text", note_pk) not in str(error.value)


def test_rotation_re_encrypts_every_value_under_the_new_key_and_keeps_it(sensitive_rows, settings):
    before = {place: stored(*place) for place in sensitive_rows}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()

    call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can now be removed
    for place, plaintext in sensitive_rows.items():
        after = stored(*place)
        assert after != before[place]
        assert Fernet(NEW_KEY).decrypt(after.encode()).decode() == plaintext
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY).decrypt(after.encode())
    assert EventNote.objects.get().restricted_text == NOTE_TEXT
    assert Plan504.objects.get().accommodations == ACCOMMODATIONS
    printed = out.getvalue()
    for line in [
        "students_eventnote.restricted_text: 1 values re-encrypted",
        "students_eventnoterevision.restricted_text: 1 values re-encrypted",
        "students_plan504.accommodations: 1 values re-encrypted",
        "students_iep.notes: 1 values re-encrypted",
        "mfa_authenticator.data: 2 values re-encrypted",
        "6 values re-encrypted in all.",
    ]:
        assert line in printed
    assert "family" not in printed


def test_a_dry_run_checks_every_value_and_changes_none(sensitive_rows, settings):
    before = {place: stored(*place) for place in sensitive_rows}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()

    call_command("rotate_encryption_keys", "--dry-run", stdout=out)

    assert {place: stored(*place) for place in sensitive_rows} == before
    assert "6 values would be re-encrypted in all." in out.getvalue()


@pytest.mark.parametrize("model", [EventNote, Authenticator])
def test_rotation_stops_with_a_clear_error_when_a_key_is_missing(sensitive_rows, settings, model):
    if model is EventNote:
        settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    else:  # columns rotate fine; only the MFA secrets were written under a key that is gone
        Authenticator.objects.filter(type="totp").update(data={"secret": Fernet(OTHER_KEY).encrypt(b"x").decode()})
        settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    before = {place: stored(*place) for place in sensitive_rows if place[0] is model}

    with pytest.raises(CommandError) as error:
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    label = "students_eventnote.restricted_text" if model is EventNote else "mfa_authenticator.data secret"
    assert f"Cannot re-encrypt {label} (row " in str(error.value)
    assert {place: stored(*place) for place in before} == before


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("rotate_encryption_keys", "--batch-size", "0")


def test_values_round_trip_and_a_foreign_token_is_refused_by_name(old_key):
    token = encryption.encrypt("504 plan text")

    assert encryption.decrypt(token) == "504 plan text"
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Fernet(NEW_KEY).decrypt(encryption.reencrypt(token).encode()) == b"504 plan text"
    old_key.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(DecryptionError, match="Cannot decrypt an MFA secret"):
        encryption.decrypt(token, label="an MFA secret")
    with pytest.raises(DecryptionError, match="Cannot re-encrypt an encrypted value"):
        encryption.reencrypt(token)


@pytest.mark.parametrize(
    ("keys", "problem"),
    [([], "FIELD_ENCRYPTION_KEYS is empty"), ([NEW_KEY, "not-a-fernet-key"], "entry 2 is not a valid Fernet key")],
)
def test_a_missing_or_malformed_key_is_a_configuration_error_and_fails_the_system_check(settings, keys, problem):
    settings.FIELD_ENCRYPTION_KEYS = keys

    with pytest.raises(ImproperlyConfigured, match=problem):
        encryption.encrypt("x")
    with pytest.raises(SystemCheckError, match=rf"insights\.E001.*{problem}"):
        call_command("check", "--tag", "security")


def test_valid_keys_pass_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    call_command("check", "--tag", "security", stdout=io.StringIO())
