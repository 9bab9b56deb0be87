from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bridge.portal"
    label = "portal"
    verbose_name = "The participant's own Bridge"
