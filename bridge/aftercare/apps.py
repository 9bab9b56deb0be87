from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "bridge.aftercare"
    label = "aftercare"
    verbose_name = "Aftercare"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bridge.aftercare.tasks import SWEEP_EVERY, ensure_sweep
        from bridge.core import registry
        from bridge.core.contracts import PeriodicTask

        # the daily check-in sweep
        registry.PERIODIC_TASKS.register(
            PeriodicTask("aftercare.checkin_sweep", ensure_sweep, SWEEP_EVERY), app=self.label
        )
