from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "bridge.notify"
    label = "notify"
    verbose_name = "Calendar feeds and reminders"
