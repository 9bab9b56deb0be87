from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "bridge.fhir"
    label = "fhir"
    verbose_name = "FHIR API, Bulk Data export and API tokens"
