# Indexes the pages read: a school's students in name order (a schoolwide first page in one pass), birthdays
# by (month, day), a window's absences by day with their students, and the notes by time with their students
# (the "absent often, no note since" check reads indexes alone).

import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0006_note_text_vector'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='eventnote',
            name='note_recorded_idx',
        ),
        migrations.AddIndex(
            model_name='absence',
            index=models.Index(fields=['occurred_on', 'student'], name='absence_day_student_idx'),
        ),
        migrations.AddIndex(
            model_name='eventnote',
            index=models.Index(fields=['-recorded_at'], include=('student',), name='note_recorded_idx'),
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(fields=['school', 'last_name', 'first_name', 'id'], name='student_school_name_idx'),
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(django.db.models.functions.datetime.ExtractMonth('date_of_birth'), django.db.models.functions.datetime.ExtractDay('date_of_birth'), name='student_birthday_idx'),
        ),
    ]
