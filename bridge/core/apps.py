from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bridge.core"
    label = "core"
    verbose_name = "Bridge core"

    def ready(self) -> None:
        from django.conf import settings

        from bridge.core import checks  # noqa: F401  (registers system checks)

        if any("sqlite3" in db["ENGINE"] for db in settings.DATABASES.values()):
            from bridge.core import sqlite_dates

            sqlite_dates.install()
