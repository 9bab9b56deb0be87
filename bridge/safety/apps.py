from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "bridge.safety"
    label = "safety"
    verbose_name = "Clinical safety"
