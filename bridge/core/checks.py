"""System checks that keep a production deployment honest (run by `bridge check --deploy`)."""

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_required_in_production(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    if settings.PRODUCTION and not settings.BRIDGE_REQUIRE_MFA:
        return [
            Warning(
                "Two-factor sign-in is off in the production profile.",
                hint="Unset BRIDGE_REQUIRE_MFA or set it to true.",
                id="bridge.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def demo_off_in_production(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    if settings.PRODUCTION and settings.BRIDGE_DEMO:
        return [
            Warning(
                "The demo banner and demo logins are on in the production profile.",
                hint="Unset BRIDGE_DEMO.",
                id="bridge.W002",
            )
        ]
    return []
