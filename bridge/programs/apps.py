from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "bridge.programs"
    label = "programs"
    verbose_name = "Organizations and programs"
