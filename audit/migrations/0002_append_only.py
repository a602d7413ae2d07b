"""Make the audit tables append-only in the database itself.

A trigger rejects every UPDATE, DELETE and TRUNCATE, whoever sends it (the ORM, a shell, psql),
except two narrow paths:

- audit_purge sets ``audit.purge_before`` for its own transaction (SET LOCAL semantics) and may
  then delete rows whose occurred_at is older than that cutoff, and only those;
- a database whose ``audit.allow_truncate`` setting is 'on' may be TRUNCATEd: the test suite sets
  it on its throwaway test database (tests/conftest.py) so Django can empty tables between
  transactional tests. Never set it on a real database.

Only the table owner can disable or drop these triggers; that is what the hash chain
(audit_verify) is for.
"""

from django.db import migrations

TABLES = ("audit_accessevent", "audit_signinevent", "audit_grantchangeevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before timestamptz := NULLIF(current_setting('audit.purge_before', true), '')::timestamptz;
BEGIN
    IF TG_OP = 'DELETE' AND purge_before IS NOT NULL THEN
        IF OLD.occurred_at < purge_before THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('audit.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Rows older than AUDIT_RETENTION_DAYS are removed only by manage.py audit_purge.';
END;
$$;
"""

TRIGGERS = "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""
    for table in TABLES
)

DROP = "".join(
    f"DROP TRIGGER {table}_append_only ON {table}; DROP TRIGGER {table}_no_truncate ON {table};" for table in TABLES
) + "DROP FUNCTION audit_append_only();"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, reverse_sql=DROP)]
