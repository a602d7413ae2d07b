# The authors of plain notes, for the notes search's author filter: whether an educator wrote one is a
# probe of this index, not a walk through their notes' rows (a counselor's are mostly restricted).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0009_enrolled_grade_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="eventnote",
            index=models.Index(
                condition=models.Q(("is_restricted", False)), fields=["author"], name="note_plain_author_idx"
            ),
        ),
    ]
