"""The checkpoint table, and append-only rules that no session setting can relax.

Migration 0002 let a connection that set ``audit.purge_before`` (or a database with
``audit.allow_truncate``) delete or truncate audit rows; any connection with the app's own
credentials could set those. Now the trigger consults nothing a session controls: UPDATE and
TRUNCATE are always refused, and DELETE is allowed only for rows older than a year by the
database's own clock (the retention purge's floor, audit.retention.MINIMUM_RETENTION_DAYS), which
is all the purge ever needs. The checkpoint table gets the same rules.

The table owner can still drop or replace these triggers; checkpoints kept outside the database
(docs/audit.md) are what reveal that.
"""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '365 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only rows older than a year can be deleted, by manage.py audit_purge.';
END;
$$;
"""

PREVIOUS_FUNCTION = """
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

CHECKPOINT_TRIGGERS = """
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""

DROP_CHECKPOINT_TRIGGERS = """
DROP TRIGGER audit_checkpoint_append_only ON audit_checkpoint;
DROP TRIGGER audit_checkpoint_no_truncate ON audit_checkpoint;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField()),
                ("table", models.CharField(max_length=63)),
                ("row_count", models.BigIntegerField()),
                (
                    "first_id",
                    models.BigIntegerField(blank=True, help_text="The chain's first row; none if empty.", null=True),
                ),
                (
                    "last_id",
                    models.BigIntegerField(blank=True, help_text="The chain's head row; none if empty.", null=True),
                ),
                ("head_hash", models.CharField(max_length=64)),
                (
                    "head_occurred_at",
                    models.DateTimeField(blank=True, help_text="When the head row was written.", null=True),
                ),
            ],
            options={"ordering": ["-id"], "default_permissions": ()},
        ),
        migrations.RunSQL(FUNCTION + CHECKPOINT_TRIGGERS, reverse_sql=DROP_CHECKPOINT_TRIGGERS + PREVIOUS_FUNCTION),
    ]
