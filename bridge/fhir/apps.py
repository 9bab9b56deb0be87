from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "bridge.fhir"
    label = "fhir"
    verbose_name = "FHIR API, Bulk Data export and API tokens"

    def ready(self) -> None:
        from bridge.core import registry
        from bridge.core.contracts import PeriodicTask
        from bridge.fhir.tasks import EXPIRE_EVERY, recover_and_ensure_expiry

        # At the worker's start: exports a killed worker left running are failed and their partial
        # files removed; then hourly, delete export files past BRIDGE_EXPORT_KEEP_HOURS.
        registry.PERIODIC_TASKS.register(
            PeriodicTask("fhir.export_expiry", recover_and_ensure_expiry, EXPIRE_EVERY), app=self.label
        )
