"""Set-based statements the pipeline is built from: upsert a resolved set, delete what a snapshot lacks.

Each statement works on a whole file at once and touches only rows that differ (``IS DISTINCT
FROM``), so an unchanged package rewrites nothing. Row counts come from the statements themselves,
and every student a statement changes is collected in the ``sis_changed`` temporary table for the
run's audit event. Identifiers here come from code, never from a package: values always travel as
query parameters.

In a district's first import (no students yet), a table still empty when its file is applied is
filled by one INSERT from the staging query instead: its secondary indexes, unique constraints,
foreign keys and (where no foreign key refers to it) primary key are dropped for the load and made
again after it, within the run's transaction (which
holds the table locked until it ends: a live district's pages never wait on that). Building an index
once and checking a foreign key with one join is far cheaper than maintaining both row by row
(and queueing a deferred check per row for the commit), and the guarantee is the same: the
constraints are checked over every row before the transaction can commit, and a failure rolls the
definitions back with the data.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from insights.bulkload import rebuilt_after_load

CHANGED_TABLE = "sis_changed"
STUDENTS_TABLE = "students_student"


def staging_table(name: str) -> str:
    return f"sis_stg_{name}"


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def scalar(sql: str, params=None):
    rows = fetch(sql, params)
    return rows[0][0] if rows else None


def changing(statement: str, student_column: str | None, params=None) -> int:
    """Run a data-changing statement on alias t; keep the students it changed; return how many rows changed."""
    if student_column is None:
        return execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS ({statement} RETURNING t.{student_column} AS student_id), "
            f"kept AS (INSERT INTO {CHANGED_TABLE} SELECT DISTINCT student_id FROM changed) "
            "SELECT count(*) FROM changed",
            params,
        )
        return cursor.fetchone()[0]


def is_empty(table: str) -> bool:
    return not scalar(f"SELECT EXISTS (SELECT 1 FROM {table})")


@contextmanager
def _outside_writes_unwatched(table: str):
    """The table's outside-write triggers (migration sis/0005) off while an import loads it, back on after.

    An import's own writes are never noted, but each row still pays for its trigger's WHEN test,
    about as much as writing the row. Disabled inside the run's transaction, which holds the table
    locked for its bulk load: no other transaction writes it meanwhile, and a failure turns them on again.
    """
    names = [
        name
        for (name,) in fetch(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "AND starts_with(tgname, 'sis_ow_') AND tgenabled = 'O' ORDER BY tgname",
            [table],
        )
    ]
    for name in names:
        execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
    yield
    for name in names:
        execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")


@dataclass
class Target:
    """A live table filled from a resolved staging query.

    ``source`` is a SELECT naming the key and value columns (and ``quarantined``): its rows are
    materialised once, then updated where they differ, inserted where the key is new. ``student``
    names the column holding the student id, when the table's rows belong to a student.
    """

    label: str
    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    source: str
    params: dict = field(default_factory=dict)
    insert_extra: dict[str, str] = field(default_factory=dict)
    update_extra: dict[str, str] = field(default_factory=dict)
    student: str | None = None

    first_load: bool = False  # the district has no students yet: an empty table may be loaded in bulk
    loaded_empty: bool = False

    @property
    def resolved(self) -> str:
        return f"sis_res_{self.label}"

    def materialise(self) -> None:
        execute(f"DROP TABLE IF EXISTS {self.resolved}")
        execute(f"CREATE TEMP TABLE {self.resolved} ON COMMIT DROP AS {self.source}", self.params)
        execute(f"CREATE INDEX ON {self.resolved} ({', '.join(self.key)})")
        execute(f"ANALYZE {self.resolved}")

    def _collect(self, statement: str, params=None) -> int:
        return changing(statement, self.student, params)

    def _insert_columns(self) -> tuple[str, str]:
        """The INSERT's column list and the matching SELECT list over the resolved rows r."""
        columns = [*self.key, *self.values]
        names = ", ".join([*columns, *self.insert_extra])
        return names, ", ".join(["r." + c for c in columns] + list(self.insert_extra.values()))

    def _load_empty(self) -> dict[str, int]:
        """Fill an empty table straight from the staging query: every applied row is new.

        In a first load every student is new, and the students' own load noted each one changed:
        the rows of a student's history need not be collected again (millions of ids to de-duplicate).
        """
        self.loaded_empty = True
        names, selected = self._insert_columns()
        statement = (
            f"INSERT INTO {self.table} AS t ({names}) SELECT {selected} FROM ({self.source}) r WHERE NOT r.quarantined"
        )
        with rebuilt_after_load(self.table, primary_key=True), _outside_writes_unwatched(self.table):
            if self.table == STUDENTS_TABLE:
                inserted = self._collect(statement, self.params)
            else:
                inserted = execute(statement, self.params)
        if inserted:
            self._analyze_joined_columns()
        return {"inserted": inserted, "updated": 0, "unchanged": 0}

    def _analyze_joined_columns(self) -> None:
        """Statistics for the columns the run's later statements join the loaded table on: its key and student.

        The rest are autovacuum's: ANALYZE of named columns leaves the table's count of changed rows
        as it was, so the whole freshly loaded table is analyzed soon after the run commits. Skipped
        here are the sampling of every column and the statistics of expression indexes (a name search's
        folded names: most of the students table's ANALYZE).
        """
        columns = dict.fromkeys([*self.key, *([self.student] if self.student else [])])
        execute(f"ANALYZE {self.table} ({', '.join(columns)})")

    def upsert(self) -> dict[str, int]:
        """Update rows that differ, insert new keys; returns inserted/updated/unchanged counts."""
        if self.first_load and is_empty(self.table):
            return self._load_empty()
        self.materialise()
        matches = " AND ".join(f"t.{column} = r.{column}" for column in self.key)
        updated = 0
        if self.values:
            assignments = [f"{column} = r.{column}" for column in self.values]
            assignments += [f"{column} = {expression}" for column, expression in self.update_extra.items()]
            differs = (
                f"({', '.join('t.' + c for c in self.values)}) IS DISTINCT FROM "
                f"({', '.join('r.' + c for c in self.values)})"
            )
            updated = self._collect(
                f"UPDATE {self.table} t SET {', '.join(assignments)} FROM {self.resolved} r "
                f"WHERE NOT r.quarantined AND {matches} AND {differs}"
            )
        # New keys are picked before inserting: a scan of the table being inserted into would
        # otherwise walk the rows this very statement adds, once per staged row.
        execute(f"DROP TABLE IF EXISTS {self.resolved}_new")
        execute(
            f"CREATE TEMP TABLE {self.resolved}_new ON COMMIT DROP AS SELECT r.* FROM {self.resolved} r "
            f"WHERE NOT r.quarantined AND NOT EXISTS (SELECT 1 FROM {self.table} t WHERE {matches})"
        )
        names, selected = self._insert_columns()
        new = f"{self.resolved}_new"
        inserted = self._collect(f"INSERT INTO {self.table} AS t ({names}) SELECT {selected} FROM {new} r")
        if inserted or updated:
            execute(f"ANALYZE {self.table}")  # later statements join it: let the planner see its new size
        applied = scalar(f"SELECT count(*) FROM {self.resolved} WHERE NOT quarantined")
        return {"inserted": inserted, "updated": updated, "unchanged": applied - inserted - updated}

    def delete_missing(self, scope_condition: str, params=None) -> int:
        """Delete live rows matching ``scope_condition`` (on alias t) whose key no staged row has."""
        if self.loaded_empty:
            return 0  # every live row was just inserted from the staged rows
        matches = " AND ".join(f"r.{column} = t.{column}" for column in self.key)
        return self._collect(
            f"DELETE FROM {self.table} t WHERE {scope_condition} "
            f"AND NOT EXISTS (SELECT 1 FROM {self.resolved} r WHERE {matches})",
            params,
        )
