"""System checks for the import's settings, so a mistyped one stops a deploy instead of every nightly run."""

from django.core.checks import Error

from students.sis.oneroster.index import STUDENT_ID_CHOICES, student_id_setting
from students.sis.reader import PackageError


def check_oneroster_student_id(app_configs, **kwargs) -> list[Error]:
    """SIS_ONEROSTER_STUDENT_ID names a OneRoster user field Insights can read."""
    try:
        student_id_setting()
    except PackageError:
        return [
            Error(
                "SIS_ONEROSTER_STUDENT_ID is not a OneRoster user identifier Insights can read.",
                hint=f"Use one of {', '.join(STUDENT_ID_CHOICES)}.",
                id="sis.E001",
            )
        ]
    return []
