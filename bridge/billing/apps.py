from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bridge.billing"
    label = "billing"
    verbose_name = "Revenue cycle: coverage, authorizations, charges and claims"
