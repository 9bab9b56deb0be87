from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "bridge.measures"
    verbose_name = "Measurement-based care"
    default_auto_field = "django.db.models.BigAutoField"
