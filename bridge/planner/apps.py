from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "bridge.planner"
    label = "planner"
    verbose_name = "Scheduling solver"
