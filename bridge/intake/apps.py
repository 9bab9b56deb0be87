from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "bridge.intake"
    label = "intake"
    verbose_name = "Intake and level of care"
