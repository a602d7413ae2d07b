"""Encryption at rest for the most sensitive columns (restricted notes, MFA secrets, 504/IEP text).

Values are encrypted with Fernet under FIELD_ENCRYPTION_KEYS (newest first), kept apart from
SECRET_KEY. Decryption tries every configured key, so keys can be rotated: add a new key first,
run ``manage.py rotate_encryption_keys``, then drop the old key. A value no configured key can
open raises an error naming the column, never returning garbage.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: encrypted fields cannot be used.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    """The cipher for the keys configured now (settings may change in tests)."""
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def sealed_under_newest_key(token: bytes) -> bool:
    """Whether ``token`` was made with the first (newest) key: only its signature is checked, nothing decrypted.

    Ciphertext copied as it is (a stored import file received again) must not carry a key that
    rotation is about to retire into a new row.
    """
    cipher()  # the configured keys are valid
    try:
        _fernet(settings.FIELD_ENCRYPTION_KEYS[0]).extract_timestamp(token)
    except InvalidToken:
        return False
    return True


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, label: str = "an encrypted value") -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            f"Cannot decrypt {label}: none of FIELD_ENCRYPTION_KEYS opens it (a key is missing or wrong)."
        ) from None


def reencrypt(token: str, *, label: str = "an encrypted value") -> str:
    """The same plaintext encrypted under the first (newest) key."""
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            f"Cannot re-encrypt {label}: none of FIELD_ENCRYPTION_KEYS opens it (a key is missing or wrong)."
        ) from None


class _ExactEmpty(Exact):
    """Equality with the empty value only: ciphertext differs on every write, so any other
    comparison would silently match nothing."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError("An encrypted field can only be compared with the empty string.")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; Python code only ever sees plaintext."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, label=f"{self.model._meta.db_table}.{self.column}")

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertext cannot be searched: only emptiness checks make sense.
        if lookup_name == "exact":
            return _ExactEmpty
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
