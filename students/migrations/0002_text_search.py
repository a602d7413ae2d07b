"""Accent-insensitive search: the unaccent extension, an immutable wrapper and a text-search configuration
(see students/models/text_search.py), and the indexes that use them.

The extension's schema is looked up rather than assumed: Heroku Postgres installs extensions in
``heroku_ext``, a local database in ``public``.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import students.models.text_search


def _extension_schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    return schema_editor.quote_name(schema)


def create_search_objects(apps, schema_editor):
    schema = _extension_schema(schema_editor)
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION insights_unaccent(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
        f" AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )
    schema_editor.execute("CREATE TEXT SEARCH CONFIGURATION insights_search (COPY = pg_catalog.english)")
    schema_editor.execute(
        "ALTER TEXT SEARCH CONFIGURATION insights_search"
        " ALTER MAPPING FOR hword, hword_part, word"
        f" WITH {schema}.unaccent, pg_catalog.english_stem"
    )


def drop_search_objects(apps, schema_editor):
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS insights_search")
    schema_editor.execute("DROP FUNCTION IF EXISTS insights_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0001_initial"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(create_search_objects, drop_search_objects),
        migrations.AddIndex(
            model_name="eventnote",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("text", config="insights_search"),
                condition=models.Q(("is_restricted", False)),
                name="note_text_search_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    students.models.text_search.Unaccent(django.db.models.functions.text.Lower("first_name")),
                    name="text_pattern_ops",
                ),
                name="student_first_name_folded_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    students.models.text_search.Unaccent(django.db.models.functions.text.Lower("last_name")),
                    name="text_pattern_ops",
                ),
                name="student_last_name_folded_idx",
            ),
        ),
    ]
