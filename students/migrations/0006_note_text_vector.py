# Notes keep their search vector in a stored column: ranking thousands of matches reads it instead of
# parsing each note's text again. The GIN index moves from the expression to the column.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0005_code_mappings'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='eventnote',
            name='note_text_search_idx',
        ),
        migrations.AddField(
            model_name='eventnote',
            name='text_vector',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.SearchVector('text', config='insights_search'), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='eventnote',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('is_restricted', False)), fields=['text_vector'], name='note_text_search_idx'),
        ),
    ]
