from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bridge.api"
    label = "api"
    verbose_name = "JSON API"
