from django.apps import AppConfig
from django.core.checks import register


class SisConfig(AppConfig):
    name = "students.sis"
    label = "sis"
    verbose_name = "SIS import"

    def ready(self):
        from students.sis.checks import check_oneroster_student_id

        register(check_oneroster_student_id)
