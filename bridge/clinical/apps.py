from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "bridge.clinical"
    verbose_name = "Clinical record"
    default_auto_field = "django.db.models.BigAutoField"
