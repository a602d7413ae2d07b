from django.apps import AppConfig


class EducatorsConfig(AppConfig):
    name = "educators"
    verbose_name = "Educators"

    def ready(self):
        from educators import signals  # noqa: F401 (connects the sign-in receivers)
