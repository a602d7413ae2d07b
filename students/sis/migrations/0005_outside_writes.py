"""Notes writes to SIS-sourced tables made by anything other than an import, so a re-run knows when
a file identical to the last applied run's may be skipped (students/sis/skipping.py).

A row trigger on each table notes (table, writing transaction) once per transaction in
sis_outside_write: the setting insights.sis_noted_<table> says it is noted, and an import's
transaction sets them all, having nothing to note (skipping.as_import). An applied
run records its snapshot: a noted transaction that snapshot cannot see wrote after the run read the
live data. UPDATE notes only rows that really differ (for educators, only in the columns the SIS
sets: sign-ins and passwords are no SIS data). ``students_student_keys`` notes only changes to a
student's local id or school, which every file naming students by local id resolves through.

No trigger's definition names a column: PostgreSQL refuses to change the type of a column a
trigger's WHEN or UPDATE OF names, which would block later migrations altering those fields. The
triggers watching some columns compare them in sis_note_outside_update's body instead.
"""

from django.db import migrations, models

NOTE = """
CREATE TABLE sis_outside_write (table_name text NOT NULL, xact xid8 NOT NULL, PRIMARY KEY (table_name, xact));
CREATE FUNCTION sis_note_outside_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sis_outside_write VALUES (TG_ARGV[0], pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION sis_note_outside_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    watched text;
BEGIN
    FOREACH watched IN ARRAY TG_ARGV[1:] LOOP
        IF old_row -> watched IS DISTINCT FROM new_row -> watched THEN
            INSERT INTO sis_outside_write VALUES (TG_ARGV[0], pg_current_xact_id()) ON CONFLICT DO NOTHING;
            PERFORM set_config('insights.sis_noted_' || TG_ARGV[0], 'yes', true);
            EXIT;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
"""


def _first_in_transaction(noted_as: str) -> str:
    """True for a transaction's first write to the table (and never in an import, which marks all as noted).

    Evaluated as each row is queued, so the rest of a bulk write costs one setting's lookup a row.
    """
    setting = f"'insights.sis_noted_{noted_as}'"
    return f"current_setting({setting}, true) IS DISTINCT FROM 'yes' AND set_config({setting}, 'yes', true) = 'yes'"


# table -> the columns whose change counts (None: any column)
WATCHED = {
    "students_school": None,
    "students_student": None,
    "students_homeroom": None,
    "students_schoolgrade": None,
    "students_course": None,
    "students_section": None,
    "students_studentsectionassignment": None,
    "students_educatorsectionassignment": None,
    "students_absence": None,
    "students_tardy": None,
    "students_disciplineincident": None,
    "students_mcasresult": None,
    "students_starresult": None,
    "students_accessresult": None,
    "students_iep": None,
    "students_plan504": None,
    "educators_educator": ("email", "full_name", "local_id", "staff_type", "home_school_id"),
    "account_emailaddress": None,
    "sis_educatorsisstatus": None,
    "permissions_homeroomgrant": None,
    "permissions_sectiongrant": None,
}


def _triggers(table: str, noted_as: str, columns) -> list[str]:
    function = f"EXECUTE FUNCTION sis_note_outside_write('{noted_as}')"
    name, first = f"sis_ow_{noted_as}", _first_in_transaction(noted_as)
    if columns is None:  # a whole-row comparison names no column
        update = f"WHEN (OLD.* IS DISTINCT FROM NEW.* AND {first}) {function}"
    else:  # noted by the function, once it has found a watched column changed
        setting = f"'insights.sis_noted_{noted_as}'"
        arguments = ", ".join(f"'{argument}'" for argument in (noted_as, *columns))
        update = (
            f"WHEN (current_setting({setting}, true) IS DISTINCT FROM 'yes') "
            f"EXECUTE FUNCTION sis_note_outside_update({arguments})"
        )
    return [
        f"CREATE TRIGGER {name}_ins_del AFTER INSERT OR DELETE ON {table} FOR EACH ROW WHEN ({first}) {function}",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} FOR EACH ROW {update}",
        f"CREATE TRIGGER {name}_trunc AFTER TRUNCATE ON {table} FOR EACH STATEMENT WHEN ({first}) {function}",
    ]


def _forward() -> str:
    statements = [NOTE]
    for table, columns in WATCHED.items():
        statements += _triggers(table, table, columns)
    statements += _triggers("students_student", "students_student_keys", ("local_id", "school_id"))
    return ";\n".join(statements) + ";"


def _backward() -> str:
    statements = []
    for table in WATCHED:
        for suffix in ("ins_del", "upd", "trunc"):
            statements.append(f"DROP TRIGGER sis_ow_{table}_{suffix} ON {table}")
    for suffix in ("ins_del", "upd", "trunc"):
        statements.append(f"DROP TRIGGER sis_ow_students_student_keys_{suffix} ON students_student")
    statements += [
        "DROP FUNCTION sis_note_outside_update()",
        "DROP FUNCTION sis_note_outside_write()",
        "DROP TABLE sis_outside_write",
    ]
    return ";\n".join(statements) + ";"


class Migration(migrations.Migration):
    dependencies = [
        ("sis", "0004_chunk_data_stored_uncompressed"),
        ("students", "0006_note_text_vector"),
        ("educators", "0004_enrolment_link"),
        ("permissions", "0005_view_as_permission"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="live_snapshot",
            field=models.TextField(
                blank=True, help_text="pg_current_snapshot() as the run began: what of the live data it could see."
            ),
        ),
        migrations.AddField(
            model_name="importfile",
            name="unchanged_since",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.SET_NULL,
                related_name="+",
                to="sis.importrun",
                help_text="The applied run whose same file this one is byte-identical to: not read again.",
            ),
        ),
        migrations.RunSQL(_forward(), reverse_sql=_backward()),
    ]
