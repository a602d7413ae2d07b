"""Re-encrypt everything encrypted under FIELD_ENCRYPTION_KEYS with the first key.

Rotation: put the new key first (keep the old ones after it), deploy, run this command, then
remove the old keys. Covers every EncryptedTextField column and the MFA secrets allauth keeps in
its JSON column (encrypted by educators.adapters.EncryptedMFAAdapter). Values are read and written
as ciphertext, batch by batch, each batch in its own transaction with its rows locked, so the
command can run while the site is up and be rerun after an interruption. Plaintext never leaves
memory and is never printed.
"""

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from insights.database import job_timeouts
from insights.encryption import DecryptionError, EncryptedTextField, reencrypt

# The keys of Authenticator.data that allauth passes through the MFA adapter's encrypt().
MFA_ENCRYPTED_KEYS = ("secret", "seed")


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, primary key column, encrypted column) for every EncryptedTextField of every installed model."""
    return [
        (model._meta.db_table, model._meta.pk.column, field.column)
        for model in apps.get_models()
        for field in model._meta.local_concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the first FIELD_ENCRYPTION_KEYS key, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check that every value can be re-encrypted; write nothing."
        )

    @job_timeouts()
    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        total = 0
        try:
            for table, pk_column, column in encrypted_columns():
                count = self._rotate_column(table, pk_column, column, batch_size=batch_size, dry_run=dry_run)
                self.stdout.write(f"{table}.{column}: {count} values {verb}")
                total += count
            count = self._rotate_mfa_secrets(batch_size=batch_size, dry_run=dry_run)
        except DecryptionError as error:
            raise CommandError(f"{error} Nothing in that batch was changed; earlier batches were.") from None
        self.stdout.write(f"{Authenticator._meta.db_table}.data: {count} values {verb}")
        self.stdout.write(f"{total + count} values {verb} in all.")

    def _rotate_column(self, table: str, pk_column: str, column: str, *, batch_size: int, dry_run: bool) -> int:
        label = f"{table}.{column}"
        table, pk_column, column = (connection.ops.quote_name(name) for name in (table, pk_column, column))
        count, last_pk = 0, None
        while True:
            # Identifiers come from model metadata and are quoted; values are parameters.
            after = "" if last_pk is None else f"AND {pk_column} > %s"
            select = (
                f"SELECT {pk_column}, {column} FROM {table} WHERE {column} <> '' {after} "  # noqa: S608
                f"ORDER BY {pk_column} LIMIT %s{'' if dry_run else ' FOR UPDATE'}"
            )
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [batch_size] if last_pk is None else [last_pk, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    return count
                rotated = [(reencrypt(token, label=f"{label} (row {pk})"), pk) for pk, token in rows]
                if not dry_run:
                    cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s", rotated)  # noqa: S608
            count += len(rows)
            last_pk = rows[-1][0]

    def _rotate_mfa_secrets(self, *, batch_size: int, dry_run: bool) -> int:
        label = f"{Authenticator._meta.db_table}.data"
        count, last_pk = 0, 0
        while True:
            with transaction.atomic():
                lock = Authenticator.objects if dry_run else Authenticator.objects.select_for_update()
                batch = list(lock.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
                if not batch:
                    return count
                for authenticator in batch:
                    for key in MFA_ENCRYPTED_KEYS:
                        if isinstance(authenticator.data.get(key), str):
                            token = authenticator.data[key]
                            authenticator.data[key] = reencrypt(token, label=f"{label} {key} (row {authenticator.pk})")
                            count += 1
                if not dry_run:
                    Authenticator.objects.bulk_update(batch, ["data"])
            last_pk = batch[-1].pk
