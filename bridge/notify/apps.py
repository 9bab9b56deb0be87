from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "bridge.notify"
    label = "notify"
    verbose_name = "Calendar feeds and reminders"

    def ready(self) -> None:
        from bridge.core import registry
        from bridge.core.contracts import PeriodicTask
        from bridge.notify.tasks import SWEEP_EVERY, ensure_sweep, send_reminder

        # queue the reminders that are due
        registry.PERIODIC_TASKS.register(
            PeriodicTask("notify.reminder_sweep", ensure_sweep, SWEEP_EVERY), app=self.label
        )
        # sending one reminder checks it is still queued (and marks it sent before sending): safe to
        # run again when its worker died mid-run
        registry.RETRYABLE_TASKS.register(send_reminder.module_path, app=self.label)
