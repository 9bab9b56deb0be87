from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bridge.demo"
    label = "demo"
    verbose_name = "Demo program"
