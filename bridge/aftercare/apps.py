from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "bridge.aftercare"
    label = "aftercare"
    verbose_name = "Aftercare"
    default_auto_field = "django.db.models.BigAutoField"
