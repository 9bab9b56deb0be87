from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "bridge.worklist"
    label = "worklist"
    verbose_name = "Work list"
