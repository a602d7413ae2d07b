"""Chunks received from now on are compressed before they are encrypted; those received before read as they are."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sis", "0005_outside_writes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importfilechunk",
            name="compressed",
            field=models.BooleanField(
                default=False,
                help_text="The token holds the chunk compressed with zlib (chunks received before: as it was).",
            ),
        ),
    ]
