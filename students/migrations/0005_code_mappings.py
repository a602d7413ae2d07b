"""The district's code mappings for attendance, discipline, grades, assessments and 504 status, seeded.

Defaults are the Insights format's own values (so existing packages import as before), Student
Insights' and Massachusetts' codes, and the CEDS option sets (Attendance Status, Grade Level,
Incident Location, Section 504 Status). Rows already imported get their raw codes and categories
filled from the same defaults.
"""

from django.db import migrations, models

ATTENDANCE = [  # code, label, category, the code itself means excused
    ("absent", "Absent", "absence", False),
    ("tardy", "Tardy", "tardy", False),
    ("dismissed", "Dismissed (left early)", "dismissed", False),
    ("ExcusedAbsence", "Excused absence (CEDS)", "absence", True),
    ("UnexcusedAbsence", "Unexcused absence (CEDS)", "absence", False),
    ("Tardy", "Tardy (CEDS)", "tardy", False),
    ("EarlyDeparture", "Early departure (CEDS)", "dismissed", False),
]
INCIDENT_CODES = [  # Student Insights' incident codes and the CEDS Incident Behavior values
    ("Disruption", "Disruption", "disruption"),
    ("Class Disruption", "Class disruption", "disruption"),
    ("Defiance", "Defiance", "disruption"),
    ("Disrespect", "Disrespect", "disruption"),
    ("Inappropriate language", "Inappropriate language", "disruption"),
    ("Inappropriate Language", "Inappropriate language", "disruption"),
    ("Fighting", "Fighting", "violence"),
    ("Physical Assault", "Physical assault", "violence"),
    ("Battery", "Battery (CEDS)", "violence"),
    ("Threat/Intimidation", "Threat or intimidation", "violence"),
    ("Bullying", "Bullying", "bullying"),
    ("Harassment", "Harassment", "bullying"),
    ("Sexual Harassment", "Sexual harassment", "bullying"),
    ("Weapons", "Weapons", "weapons"),
    ("Weapons possession", "Weapons possession (CEDS)", "weapons"),
    ("Alcohol", "Alcohol", "substances"),
    ("Drugs", "Drugs", "substances"),
    ("Tobacco", "Tobacco", "substances"),
    ("Theft", "Theft", "property"),
    ("Vandalism", "Vandalism", "property"),
    ("Skipping class", "Skipping class", "attendance"),
    ("Truancy", "Truancy", "attendance"),
    ("Other", "Other", "other"),
]
INCIDENT_LOCATIONS = [  # Student Insights' places and the CEDS Incident Location values
    ("Classroom", "Classroom", "classroom"),
    ("Hallway", "Hallway", "hallway"),
    ("Stairwell", "Stairwell", "hallway"),
    ("Cafeteria", "Cafeteria", "cafeteria"),
    ("Bathroom", "Bathroom", "restroom"),
    ("Restroom", "Restroom", "restroom"),
    ("Locker Room", "Locker room", "restroom"),
    ("Playground", "Playground", "outdoors"),
    ("School Grounds", "School grounds", "outdoors"),
    ("Gym", "Gym", "gym"),
    ("Bus", "School bus", "bus"),
    ("Bus Stop", "Bus stop", "bus"),
    ("Office", "Office", "on_school"),
    ("Library", "Library", "on_school"),
    ("Auditorium", "Auditorium", "on_school"),
    ("On School", "On school property (CEDS)", "on_school"),
    ("Off School", "Off school property (CEDS)", "off_school"),
    ("School Activity", "School-sponsored activity off school property (CEDS)", "school_activity"),
]
GRADES = [  # Insights' grades, the spellings other systems use, Massachusetts SIMS and CEDS Grade Level
    *[(code, f"Grade {code}", code) for code in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]],
    *[(f"0{n}", f"Grade {n} (zero-padded; CEDS)", str(n)) for n in range(1, 10)],
    ("PK", "Pre-kindergarten", "PK"),
    ("PK3", "Pre-kindergarten, age 3", "PK"),
    ("PK4", "Pre-kindergarten, age 4", "PK"),
    ("TK", "Transitional kindergarten (CEDS)", "PK"),
    ("PR", "Preschool (CEDS)", "PK"),
    ("KF", "Kindergarten, full day", "KF"),
    ("KP", "Kindergarten, part day (Massachusetts)", "KF"),
    ("KG", "Kindergarten (CEDS)", "KF"),
    ("K", "Kindergarten", "KF"),
]
ASSESSMENTS = [  # code, label, family, subject ("" = the file's assessment_subject)
    ("MCAS", "MCAS", "MCAS", ""),
    ("Next Gen MCAS", "Next-generation MCAS", "MCAS", ""),
    ("MCAS ELA", "MCAS English language arts", "MCAS", "ELA"),
    ("MCAS Math", "MCAS mathematics", "MCAS", "Math"),
    ("STAR", "STAR", "STAR", ""),
    ("STAR Reading", "STAR Reading", "STAR", "Reading"),
    ("STAR Math", "STAR Math", "STAR", "Math"),
    ("ACCESS", "ACCESS for ELLs", "ACCESS", ""),
    ("ACCESS for ELLs", "ACCESS for ELLs", "ACCESS", ""),
    ("WIDA ACCESS", "WIDA ACCESS for ELLs", "ACCESS", ""),
]
PLAN_504 = [  # Student Insights' values and CEDS Section 504 Status
    ("504", "504 plan", "504"),
    ("Exited", "Exited 504", "Exited"),
    ("Not 504", "No 504 plan", ""),
    ("NotIn504", "No 504 plan", ""),
    ("Yes", "504 plan (CEDS)", "504"),
    ("No", "No 504 plan (CEDS)", ""),
]


def seed_defaults(apps, schema_editor):
    tables = [
        ("AttendanceCode", ATTENDANCE, ("category", "excused")),
        ("IncidentCode", INCIDENT_CODES, ("category",)),
        ("IncidentLocation", INCIDENT_LOCATIONS, ("category",)),
        ("GradeCode", GRADES, ("grade",)),
        ("AssessmentName", ASSESSMENTS, ("family", "subject")),
        ("Plan504Code", PLAN_504, ("status",)),
    ]
    for model_name, rows, fields in tables:
        model = apps.get_model("students", model_name)
        model.objects.bulk_create(
            [model(code=code, label=label, **dict(zip(fields, values, strict=True))) for code, label, *values in rows],
            ignore_conflicts=True,
        )


BACKFILL = [  # the raw codes rows imported before this migration were read with, and their categories
    "UPDATE students_absence SET attendance_code = CASE WHEN dismissed THEN 'dismissed' ELSE 'absent' END",
    "UPDATE students_tardy SET attendance_code = 'tardy'",
    "UPDATE students_student SET sis_grade = grade, sis_plan_504 = plan_504",
    "UPDATE students_disciplineincident d SET incident_category = m.category FROM students_incidentcode m "
    "WHERE m.code = d.incident_code",
    "UPDATE students_disciplineincident d SET location_category = m.category FROM students_incidentlocation m "
    "WHERE m.code = d.incident_location",
]


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0004_early_warning_thresholds'),
    ]

    operations = [
        migrations.CreateModel(
            name='AssessmentName',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=80, unique=True)),
                ('family', models.CharField(choices=[('MCAS', 'MCAS'), ('STAR', 'STAR'), ('ACCESS', 'ACCESS for ELLs')], max_length=10)),
                ('subject', models.CharField(blank=True, help_text="Blank: the file's assessment_subject says (MCAS ELA/Math, STAR Reading/Math).", max_length=20)),
            ],
            options={
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='AttendanceCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=40, unique=True)),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('category', models.CharField(choices=[('absence', 'Absence'), ('tardy', 'Tardy'), ('dismissed', 'Dismissed (left early)')], max_length=20)),
                ('excused', models.BooleanField(default=False, help_text="The code means excused; otherwise the file's excused column decides.")),
            ],
            options={
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='GradeCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=40, unique=True)),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('grade', models.CharField(choices=[('PK', 'Pre-K'), ('KF', 'K'), ('1', '1'), ('2', '2'), ('3', '3'), ('4', '4'), ('5', '5'), ('6', '6'), ('7', '7'), ('8', '8'), ('9', '9'), ('10', '10'), ('11', '11'), ('12', '12')], max_length=2)),
            ],
            options={
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='IncidentCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=80, unique=True)),
                ('category', models.CharField(choices=[('violence', 'Violence or physical aggression'), ('weapons', 'Weapons'), ('substances', 'Alcohol, tobacco or drugs'), ('bullying', 'Bullying or harassment'), ('disruption', 'Disruption or defiance'), ('property', 'Theft or property damage'), ('attendance', 'Truancy or skipping class'), ('other', 'Other')], max_length=20)),
            ],
            options={
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='IncidentLocation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=80, unique=True)),
                ('category', models.CharField(choices=[('classroom', 'Classroom'), ('hallway', 'Hallway or stairs'), ('cafeteria', 'Cafeteria'), ('restroom', 'Restroom or locker room'), ('outdoors', 'Playground or grounds'), ('gym', 'Gym'), ('bus', 'School bus or bus stop'), ('on_school', 'Elsewhere on school property'), ('school_activity', 'School-sponsored activity off school property'), ('off_school', 'Off school property')], max_length=20)),
            ],
            options={
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Plan504Code',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Exactly as the SIS export spells it.', max_length=40, unique=True)),
                ('label', models.CharField(blank=True, max_length=100)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('status', models.CharField(blank=True, choices=[('', 'No 504 plan'), ('504', '504 plan'), ('Exited', 'Exited 504')], max_length=10)),
            ],
            options={
                'verbose_name': '504 status code',
                'ordering': ['code'],
                'abstract': False,
            },
        ),
        migrations.RemoveConstraint(
            model_name='student',
            name='student_program_known',
        ),
        migrations.AddField(
            model_name='absence',
            name='attendance_code',
            field=models.CharField(blank=True, help_text='The attendance code as the SIS exported it (AttendanceCode maps it).', max_length=40),
        ),
        migrations.AddField(
            model_name='disciplineincident',
            name='incident_category',
            field=models.CharField(blank=True, choices=[('violence', 'Violence or physical aggression'), ('weapons', 'Weapons'), ('substances', 'Alcohol, tobacco or drugs'), ('bullying', 'Bullying or harassment'), ('disruption', 'Disruption or defiance'), ('property', 'Theft or property damage'), ('attendance', 'Truancy or skipping class'), ('other', 'Other')], help_text="What the district's IncidentCode mapping says the code is; blank: unmapped.", max_length=20),
        ),
        migrations.AddField(
            model_name='disciplineincident',
            name='location_category',
            field=models.CharField(blank=True, choices=[('classroom', 'Classroom'), ('hallway', 'Hallway or stairs'), ('cafeteria', 'Cafeteria'), ('restroom', 'Restroom or locker room'), ('outdoors', 'Playground or grounds'), ('gym', 'Gym'), ('bus', 'School bus or bus stop'), ('on_school', 'Elsewhere on school property'), ('school_activity', 'School-sponsored activity off school property'), ('off_school', 'Off school property')], help_text='What the IncidentLocation mapping says the place is; blank: unmapped.', max_length=20),
        ),
        migrations.AddField(
            model_name='student',
            name='sis_grade',
            field=models.CharField(blank=True, help_text='The grade code as the SIS exported it.', max_length=40, verbose_name='SIS grade code'),
        ),
        migrations.AddField(
            model_name='student',
            name='sis_plan_504',
            field=models.CharField(blank=True, help_text='The 504 status code as the SIS exported it.', max_length=40, verbose_name='SIS 504 status code'),
        ),
        migrations.AddField(
            model_name='tardy',
            name='attendance_code',
            field=models.CharField(blank=True, help_text='The attendance code as the SIS exported it (AttendanceCode maps it).', max_length=40),
        ),
        migrations.AlterField(
            model_name='student',
            name='program_assigned',
            field=models.CharField(default='Reg Ed', help_text="The program code as the SIS exports it; what it counts as is the district's ProgramCode mapping.", max_length=40),
        ),
        migrations.AddConstraint(
            model_name='assessmentname',
            constraint=models.CheckConstraint(condition=models.Q(('family__in', ['MCAS', 'STAR', 'ACCESS'])), name='assessment_name_family_known'),
        ),
        migrations.AddConstraint(
            model_name='attendancecode',
            constraint=models.CheckConstraint(condition=models.Q(('category__in', ['absence', 'tardy', 'dismissed'])), name='attendance_code_category_known'),
        ),
        migrations.AddConstraint(
            model_name='gradecode',
            constraint=models.CheckConstraint(condition=models.Q(('grade__in', ['PK', 'KF', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'])), name='grade_code_grade_known'),
        ),
        migrations.AddConstraint(
            model_name='incidentcode',
            constraint=models.CheckConstraint(condition=models.Q(('category__in', ['violence', 'weapons', 'substances', 'bullying', 'disruption', 'property', 'attendance', 'other'])), name='incident_code_category_known'),
        ),
        migrations.AddConstraint(
            model_name='incidentlocation',
            constraint=models.CheckConstraint(condition=models.Q(('category__in', ['classroom', 'hallway', 'cafeteria', 'restroom', 'outdoors', 'gym', 'bus', 'on_school', 'school_activity', 'off_school'])), name='incident_location_category_known'),
        ),
        migrations.AddConstraint(
            model_name='plan504code',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['', '504', 'Exited'])), name='plan_504_code_status_known'),
        ),
        migrations.RunPython(seed_defaults, migrations.RunPython.noop),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
