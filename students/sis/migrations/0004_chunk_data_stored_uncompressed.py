"""Stored chunks are Fernet tokens, which do not compress: PostgreSQL stores them as they are.

Trying to compress every 4 MiB token (the default EXTENDED storage) cost most of the time taken
to receive a package, for nothing saved.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sis", "0003_unmapped_codes")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE sis_importfilechunk ALTER COLUMN data SET STORAGE EXTERNAL",
            reverse_sql="ALTER TABLE sis_importfilechunk ALTER COLUMN data SET STORAGE EXTENDED",
        )
    ]
