"""The district's starting roles: ten role templates, each with its group of global permissions.

Districts edit them afterwards (the role templates' and groups' admin pages); this only seeds a
database that has none of them by name, and leaves any it finds alone.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# name -> (description, grant kind, permissions "app_label.codename", sped_only, english_learners_only, admin site)
ROLES = {
    "Principal": (
        "Leads a school: every student there, restricted notes, who has access; reviews the school's grants.",
        "school",
        ["students.view_restricted_notes", "students.view_educators_with_access"],
        False,
        False,
        False,
    ),
    "Assistant principal": (
        "Every student at the school, with restricted notes.",
        "school",
        ["students.view_restricted_notes"],
        False,
        False,
        False,
    ),
    "Counselor": (
        "Every student at the school, with restricted notes.",
        "school",
        ["students.view_restricted_notes"],
        False,
        False,
        False,
    ),
    "Special-education teacher": (
        "The school's students in a special-education program (narrows every other grant the educator holds too).",
        "school",
        [],
        True,
        False,
        False,
    ),
    "English-learner teacher": (
        "The school's students who are not fluent in English (narrows every other grant the educator holds too).",
        "school",
        [],
        False,
        True,
        False,
    ),
    "Homeroom teacher": ("The active students of one homeroom.", "homeroom", [], False, False, False),
    "Section teacher": ("The active students of one section.", "section", [], False, False, False),
    "Data coordinator": ("Every student at the school, without restricted notes.", "school", [], False, False, False),
    "Privacy officer": (
        "Reads the audit log and runs its reports, runs privacy operations; sees no students.",
        "",
        ["audit.view_audit_reports", "privacy.privacy_operations"],
        False,
        False,
        True,
    ),
    "District admin": (
        "Manages accounts, roles and grants in the admin; sees no students by being admin.",
        "",
        [
            "permissions.manage_grants",
            "educators.add_educator",
            "educators.change_educator",
            "educators.view_educator",
            "permissions.view_roletemplate",
            "permissions.change_roletemplate",
            "permissions.add_roletemplate",
        ],
        False,
        False,
        True,
    ),
}


def seed(apps, schema_editor):
    # Permissions are made after migrating; these must exist now to go into the groups.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    RoleTemplate = apps.get_model("permissions", "RoleTemplate")
    for name, (description, grant_kind, permissions, sped_only, english_learners_only, admin_site) in ROLES.items():
        if RoleTemplate.objects.filter(name=name).exists() or Group.objects.filter(name=name).exists():
            continue
        group = Group.objects.create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        RoleTemplate.objects.create(
            name=name,
            description=description,
            grant_kind=grant_kind,
            group=group,
            sped_only=sped_only,
            english_learners_only=english_learners_only,
            admin_site=admin_site,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0002_role_templates"),
        ("students", "0004_early_warning_thresholds"),
        ("educators", "0004_enrolment_link"),
        ("audit", "0003_checkpoints_and_narrow_delete"),
        ("privacy", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
