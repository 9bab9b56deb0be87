from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "bridge.scheduling"
    label = "scheduling"
    verbose_name = "Program, groups and schedule"
