from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridge.accounts"
    label = "accounts"
    verbose_name = "Staff and sign-in"

    def ready(self) -> None:
        from bridge.accounts.tasks import PURGE_EVERY, ensure_purge
        from bridge.core import registry
        from bridge.core.contracts import PeriodicTask

        # Daily: delete unsaved form drafts older than BRIDGE_DRAFT_DAYS (they are typing, not records).
        registry.PERIODIC_TASKS.register(
            PeriodicTask("accounts.draft_purge", ensure_purge, PURGE_EVERY), app=self.label
        )
