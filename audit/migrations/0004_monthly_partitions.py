"""Partition the audit tables by month (PostgreSQL's native range partitioning on occurred_at).

A district keeps seven years of access events, up to a few hundred million rows: partitions let
retention drop whole months instead of deleting rows one by one, and let a report over a time
window read only that window's months.

Each table is rebuilt in place: the old table is renamed, a partitioned table with the same columns
takes its name, with monthly partitions from the oldest row's month to MONTHS_AHEAD months ahead
and a DEFAULT partition (a safety net for rows outside every month, e.g. if the job creating months
ahead stopped), the rows are copied, the old table is dropped, and the indexes (from the model's
own Meta.indexes, so they stay exactly what Django's state says), the identity and the
append-only triggers of 0002/0003 are recreated. The primary key becomes (id, occurred_at), since
a partitioned table's unique keys must hold its partition key; id stays unique on its own because
ids are drawn from one sequence under the chain's lock, and Django keeps ``id`` as the models' pk.

Row-level triggers on a partitioned table are cloned to every partition, present and future;
TRUNCATE triggers are not, so audit_create_month_partition() gives each new partition its own.
Copying a large log takes its time under an exclusive lock (the job statement limit, not the web
one, applies to this migration): migrate a big existing log in a maintenance window. The reverse rebuilds plain tables the same way.
"""

from django.conf import settings
from django.db import migrations

TABLES = {"audit_accessevent": "AccessEvent", "audit_signinevent": "SignInEvent", "audit_grantchangeevent": "GrantChangeEvent"}
MONTHS_AHEAD = 3

# Creates one month's partition of an audit table (UTC bounds), with its own TRUNCATE trigger, and
# returns its name; NULL when it exists already, or when the DEFAULT partition holds rows of that
# month (PostgreSQL refuses the new partition then, and those rows could only leave the default
# partition by a DELETE the append-only trigger refuses: that month stays in the default partition).
CREATE_MONTH_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_create_month_partition(parent text, month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    partition text := format('%s_p%s', parent, to_char(month, 'YYYY_MM'));
    lower_bound timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
    upper_bound timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    held boolean;
BEGIN
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE occurred_at >= $1 AND occurred_at < $2)', parent || '_default')
        INTO held USING lower_bound, upper_bound;
    IF held THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   partition, parent, lower_bound, upper_bound);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()',
                   partition || '_no_truncate', partition);
    RETURN partition;
END;
$$;
"""

MONTHS = """
SELECT audit_create_month_partition(%(table)s, month::date)
FROM generate_series(
    date_trunc('month', coalesce((SELECT min(occurred_at) FROM {old}), now()) AT TIME ZONE 'UTC'),
    date_trunc('month', now() AT TIME ZONE 'UTC') + %(ahead)s * interval '1 month',
    interval '1 month') AS month
"""


def _triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    ]


def _rebuild(schema_editor, model, *, partitioned: bool) -> None:
    """Replace ``model``'s table by a partitioned (or plain) one holding the same rows, indexes and triggers."""
    table = model._meta.db_table
    old = f"{table}_unpartitioned" if partitioned else f"{table}_partitioned"
    run = schema_editor.execute
    run(f"ALTER TABLE {table} RENAME TO {old}")
    layout = " PARTITION BY RANGE (occurred_at)" if partitioned else ""
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){layout}")
    if partitioned:
        run(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        run(f"CREATE TRIGGER {table}_default_no_truncate BEFORE TRUNCATE ON {table}_default "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()")
        run(MONTHS.format(old=old), {"table": table, "ahead": MONTHS_AHEAD})
    run(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608 (names from the model)
    run(f"DROP TABLE {old} CASCADE")  # its triggers, indexes and identity sequence; for plain: its partitions
    run(f"ALTER TABLE {table} ADD PRIMARY KEY ({'id, occurred_at' if partitioned else 'id'})")
    run(f"ALTER TABLE {table} ALTER id ADD GENERATED BY DEFAULT AS IDENTITY")
    run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}")  # noqa: S608
    for index in model._meta.indexes:
        schema_editor.add_index(model, index)
    for statement in _triggers(table):
        run(statement)


def _job_limits(schema_editor) -> None:
    """Copying every row may take longer than a web request's statement limit (for this transaction only)."""
    schema_editor.execute(
        "SELECT set_config('statement_timeout', %s, true)", [f"{settings.JOB_STATEMENT_TIMEOUT_SECONDS}s"]
    )


def partition(apps, schema_editor):
    _job_limits(schema_editor)
    schema_editor.execute(CREATE_MONTH_FUNCTION, None)
    for name in TABLES.values():
        _rebuild(schema_editor, apps.get_model("audit", name), partitioned=True)


def unpartition(apps, schema_editor):
    _job_limits(schema_editor)
    for name in TABLES.values():
        _rebuild(schema_editor, apps.get_model("audit", name), partitioned=False)
    schema_editor.execute("DROP FUNCTION audit_create_month_partition(text, date)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoints_and_narrow_delete")]

    operations = [migrations.RunPython(partition, unpartition)]
