from django.apps import AppConfig


class DestructionConfig(AppConfig):
    name = "destruction"
    label = "destruction"
    verbose_name = "Destruction, retention and exit export"
