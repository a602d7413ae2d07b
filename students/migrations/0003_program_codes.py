"""The district's program codes and what they count as, seeded with Student Insights' codes.

Special education is ``Sp Ed`` only; ``SEIP`` (sheltered English immersion) is an English-learner
program, which a SPED-only educator no longer sees (it used to count as special education).
"""

from django.db import migrations, models

DEFAULTS = [
    ("Reg Ed", "Regular education", "regular"),
    ("Sp Ed", "Special education", "special_education"),
    ("SEIP", "Sheltered English immersion", "english_learner"),
    ("2Way English", "Two-way (English)", "regular"),
    ("2Way Spanish", "Two-way (Spanish)", "regular"),
]


def seed_defaults(apps, schema_editor):
    ProgramCode = apps.get_model("students", "ProgramCode")
    for code, label, category in DEFAULTS:
        ProgramCode.objects.get_or_create(code=code, defaults={"label": label, "category": category})


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0002_text_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProgramCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=40, unique=True)),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('category', models.CharField(choices=[('special_education', 'Special education'), ('english_learner', 'English learner program'), ('regular', 'Regular education (neither)')], default='regular', max_length=20)),
            ],
            options={
                'verbose_name': 'program code',
                'ordering': ['code'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('category__in', ['special_education', 'english_learner', 'regular'])), name='program_code_category_known')],
            },
        ),
        migrations.RunPython(seed_defaults, migrations.RunPython.noop),
    ]
