"""System checks run by `manage.py check`, `migrate` (Heroku's release phase), `runserver` and the web process.

A bad FIELD_ENCRYPTION_KEYS entry must stop a deploy, not surface later as an unreadable note;
production mail that goes nowhere must stop it too, not print sign-in links into the log drain;
a stack without the PDF libraries must stop it rather than fail the first educator who prints.
"""

import importlib

from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured

from insights.encryption import cipher

# Backends that deliver nothing to the recipient: fine for development, tests and the demo only.
UNDELIVERED_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "dummy", "filebased")
)


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


def check_production_email(app_configs, **kwargs) -> list[Error]:
    """With DEBUG off outside demo mode, email is really sent.

    The console backend would write password-reset, invitation and enrolment links into the
    log stream, where anyone who reads the logs could use them.
    """
    if settings.DEBUG or settings.DEMO_MODE or settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"Email would not be delivered (EMAIL_BACKEND is {settings.EMAIL_BACKEND}), so invitation and "
            "password-reset links would be written to the log instead of reaching the educator.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to the district's SMTP server.",
            id="insights.E002",
        )
    ]


def check_pdf_libraries(app_configs, **kwargs) -> list[Error]:
    """WeasyPrint (insights.pdf) can load Pango, HarfBuzz and fontconfig from the operating system."""
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError) as problem:
        return [
            Error(
                f"PDFs cannot be generated: WeasyPrint does not load ({type(problem).__name__}).",
                hint='Install the system libraries docs/deployment.md lists under "PDF documents".',
                id="insights.E003",
            )
        ]
    return []
