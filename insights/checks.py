"""System checks run by `manage.py check`, `migrate` (Heroku's release phase) and `runserver`.

A bad FIELD_ENCRYPTION_KEYS entry must stop a deploy, not surface later as an unreadable note.
"""

from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured

from insights.encryption import cipher


def check_field_encryption_keys(app_configs, **kwargs) -> list[Error]:
    """Every FIELD_ENCRYPTION_KEYS entry is a valid Fernet key (the message names its position only)."""
    try:
        cipher()
    except ImproperlyConfigured as problem:
        return [
            Error(
                str(problem),
                hint="Generate a key with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="insights.E001",
            )
        ]
    return []
