from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bridge.core"
    label = "core"
    verbose_name = "Bridge core"

    def ready(self) -> None:
        from bridge.core import checks  # noqa: F401  (registers system checks)
