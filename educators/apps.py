from django.apps import AppConfig


class EducatorsConfig(AppConfig):
    name = "educators"
    verbose_name = "Educators"
