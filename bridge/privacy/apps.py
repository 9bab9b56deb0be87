from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "bridge.privacy"
    label = "privacy"
    verbose_name = "Privacy (42 CFR Part 2)"
