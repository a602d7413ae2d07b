"""Import runs keep the codes no mapping knew, and which code mappings they ran with."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sis', '0002_importsource'),
    ]

    operations = [
        migrations.AddField(
            model_name='importrun',
            name='mappings_digest',
            field=models.CharField(blank=True, help_text='sha256 of the code mappings it ran with.', max_length=64),
        ),
        migrations.AddField(
            model_name='importrun',
            name='unmapped_codes',
            field=models.JSONField(blank=True, default=dict, help_text='Codes no mapping knows: rows per vocabulary and code, and per file.'),
        ),
    ]
