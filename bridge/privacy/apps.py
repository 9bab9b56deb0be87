from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "bridge.privacy"
    label = "privacy"
    verbose_name = "Privacy (42 CFR Part 2)"

    def ready(self) -> None:
        from bridge.core import registry
        from bridge.core.contracts import PageBanner

        # While a break-glass grant is open, every page says so (and offers to end it).
        registry.PAGE_BANNERS.register(PageBanner("privacy/_banner.html"), app=self.label)
