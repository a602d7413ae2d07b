# The absence summary (students/models/absence_summary.py) and what keeps it honest: a statement-level
# trigger noting, once per transaction, every write to the absences table however it is made (TRUNCATE
# included). Statement-level and naming no column, so it costs an import one row per transaction and
# never blocks a later migration changing a column's type (see sis migration 0005_outside_writes).

import django.db.models.deletion
from django.db import migrations, models


NOTE_WRITES = """
CREATE TABLE students_absence_write (xact xid8 PRIMARY KEY);
CREATE FUNCTION students_note_absence_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO students_absence_write VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER students_absence_summary_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON students_absence
    FOR EACH STATEMENT EXECUTE FUNCTION students_note_absence_write();
"""

FORGET_WRITES = """
DROP TRIGGER students_absence_summary_stale ON students_absence;
DROP FUNCTION students_note_absence_write();
DROP TABLE students_absence_write;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0007_page_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AbsenceSummaryBuild',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('built_for', models.DateField(help_text='Empty until the first build.', null=True)),
                ('snapshot', models.TextField(blank=True, help_text='pg_current_snapshot() of the count, as text.')),
                ('built_by', models.BigIntegerField(help_text="The building transaction's id (xid8).", null=True)),
                ('built_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='AbsenceSummary',
            fields=[
                ('student', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='absence_summary', serialize=False, to='students.student')),
                ('absences', models.PositiveIntegerField()),
                ('first_absence_on', models.DateField()),
            ],
            options={
                'indexes': [models.Index(fields=['absences'], name='absence_summary_count_idx')],
            },
        ),
        migrations.RunSQL(NOTE_WRITES, reverse_sql=FORGET_WRITES),
    ]
