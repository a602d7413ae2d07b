from django.apps import AppConfig


class SisConfig(AppConfig):
    name = "students.sis"
    label = "sis"
    verbose_name = "SIS import"
