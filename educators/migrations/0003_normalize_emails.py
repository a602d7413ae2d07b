"""Store every educator's email (and allauth's copy of it) in its one normalized spelling.

Two rows whose addresses normalize to the same spelling cannot both be kept under the unique
rules: the migration stops before changing anything and names the rows, so an admin can merge or
rename one and migrate again.
"""

from collections import defaultdict

from django.db import migrations

from educators.emails import normalize_email


class EmailCollision(Exception):
    pass


def _collisions(rows) -> list[str]:
    by_spelling = defaultdict(list)
    for pk, email in rows:
        by_spelling[normalize_email(email)].append((pk, email))
    return [
        f"{spelling!r} is the normalized spelling of " + ", ".join(f"row {pk} ({email!r})" for pk, email in group)
        for spelling, group in sorted(by_spelling.items())
        if len(group) > 1
    ]


def normalize_emails(apps, schema_editor):
    Educator = apps.get_model("educators", "Educator")
    EmailAddress = apps.get_model("account", "EmailAddress")
    problems = [f"educators: {line}" for line in _collisions(Educator.objects.values_list("pk", "email"))]
    problems += [f"allauth email addresses: {line}" for line in _collisions(EmailAddress.objects.values_list("pk", "email"))]
    if problems:
        raise EmailCollision(
            "These email addresses differ only in spelling, so they cannot all be stored normalized. "
            "Nothing was changed; merge or rename the duplicates, then migrate again:\n  " + "\n  ".join(problems)
        )
    for model in (Educator, EmailAddress):
        for pk, email in model.objects.values_list("pk", "email"):
            if normalize_email(email) != email:
                model.objects.filter(pk=pk).update(email=normalize_email(email))


class Migration(migrations.Migration):
    dependencies = [
        ("educators", "0002_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(normalize_emails, migrations.RunPython.noop)]
