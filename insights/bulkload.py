"""Loading many rows at once: COPY from Python tuples, ids drawn ahead, indexes and keys made after the load.

``bulk_create`` builds a model instance per row and an INSERT per batch; a district of hundreds of
thousands of students has tens of millions of history rows, so the demo generator and the SIS
first import write them with PostgreSQL's COPY instead. A model's rows go through ``CopyTable``,
which fills every column the caller leaves out as ``bulk_create`` would (its default, or the
moment of the load for ``auto_now`` columns) and passes encrypted columns through the field's own
encryption, so what lands in the table is what the application itself would have written.

An empty table loaded in bulk can have its secondary indexes, unique constraints and foreign keys
(and, when asked, its primary key) dropped for the load and made again after it
(``rebuilt_after_load``), within the same
transaction: building an index once and checking a foreign key with one join is far cheaper than
maintaining both row by row (and queueing a deferred check per row for the commit), and the
guarantee is the same, since the constraints are checked over every row before the transaction can
commit and a failure rolls the definitions back with the data.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from insights.encryption import EncryptedTextField

COPY_BATCH_ROWS = 20_000

# A table's secondary indexes (those no constraint owns), its unique constraints (and, with
# %(primary_key)s, its primary key) no foreign key depends on, and its own foreign keys: (what drops
# it, what makes it again), made again in reverse.
_REBUILT = """
SELECT 'DROP INDEX ' || x.indexrelid::regclass, pg_get_indexdef(x.indexrelid), 1
FROM pg_index x WHERE x.indrelid = %(table)s::regclass AND NOT x.indisprimary
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
UNION ALL
SELECT 'ALTER TABLE ' || c.conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(c.conname),
'ALTER TABLE ' || c.conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' '
|| pg_get_constraintdef(c.oid), CASE c.contype WHEN 'f' THEN 3 ELSE 2 END
FROM pg_constraint c WHERE c.conrelid = %(table)s::regclass AND (c.contype = 'f'
OR ((c.contype = 'u' OR (c.contype = 'p' AND %(primary_key)s))
AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
ORDER BY 3 DESC, 1
"""


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def rebuilt_after_load(table: str, *, primary_key: bool = False):
    """Load ``table`` without its secondary indexes, unique constraints and foreign keys, then make them again.

    With ``primary_key``, its primary key too, unless a foreign key refers to it: a key maintained
    row by row costs a logged index entry per row, a third of a narrow table's load. Only for rows
    that need no key meanwhile (an INSERT … SELECT, a COPY); the rebuild checks every id is unique.
    Pending deferred checks run first (a table with queued checks cannot be altered); the sort
    memory for the rebuild is raised for this transaction only.
    """
    with connection.cursor() as cursor:
        cursor.execute(_REBUILT, {"table": table, "primary_key": primary_key})
        definitions = cursor.fetchall()
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    _execute("SET CONSTRAINTS ALL DEFERRED")
    _execute("SET LOCAL maintenance_work_mem = '256MB'")
    for drop, _, _ in definitions:
        _execute(drop)
    yield
    for _, create, _ in reversed(definitions):
        _execute(create)


def is_stamped(field) -> bool:
    """A column Django fills with the moment of the write (``auto_now`` / ``auto_now_add``)."""
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def reserve_ids(model, count: int) -> int:
    """Draw ``count`` consecutive ids from the model's id sequence; returns the first.

    The ids ``bulk_create`` would have been given, so rows loaded by COPY can be referred to by
    other rows before they are written. The caller owns the table while it loads it.
    """
    if count < 1:
        raise ValueError("reserve_ids needs a positive count")
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, %s) s", [count, table, column]
        )
        last = cursor.fetchone()[0]
    return last - count + 1


class CopyTable:
    """Writes rows of a model's table by COPY: each row a tuple of ``columns`` (field names) in order."""

    def __init__(self, model, columns: Sequence[str], *, now=None):
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]
        named = {field.attname for field in fields}
        left_out = [
            field
            for field in meta.concrete_fields
            if field.attname not in named and not field.generated and not field.primary_key
        ]
        moment = now or timezone.now()
        self.constants = tuple(
            field.get_db_prep_save(moment if is_stamped(field) else field.get_default(), connection)
            for field in left_out
        )
        self.encrypted = [(index, field) for index, field in enumerate(fields) if isinstance(field, EncryptedTextField)]
        names = ", ".join(connection.ops.quote_name(field.column) for field in [*fields, *left_out])
        self.statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
        self.width = len(fields)
        self.written = 0

    def _prepared(self, row: tuple) -> tuple:
        if len(row) != self.width:
            raise ValueError(f"a row of {len(row)} values for {self.width} columns")
        if self.encrypted:
            row = list(row)
            for index, field in self.encrypted:
                row[index] = field.get_db_prep_save(row[index], connection)
        return (*row, *self.constants)

    def write(self, rows: Iterable[tuple]) -> int:
        """COPY the rows (the caller's batch) in one statement; returns how many were written."""
        count = 0
        with connection.cursor() as cursor, cursor.copy(self.statement) as copy:
            for row in rows:
                copy.write_row(self._prepared(row))
                count += 1
        self.written += count
        return count
