"""The production profile passes Django's deployment checks with zero warnings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _check(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**base, "DJANGO_SETTINGS_MODULE": "bridge.settings", **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "BRIDGE_PROFILE": "production",
    "SECRET_KEY": "k8Jw2pQe7vX1sLm9ZrT4yHc6Nb3GfUaD0oEiRxWqVnYtKjPl5M",
    "ALLOWED_HOSTS": "bridge.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def test_production_profile_has_zero_deploy_warnings():
    result = _check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [({"BRIDGE_REQUIRE_MFA": "false"}, "bridge.W001"), ({"SESSION_COOKIE_SECURE": "false"}, "security.W012")],
)
def test_weakening_production_is_reported(override, warning):
    result = _check({**PRODUCTION, **override})
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _check({**env, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_host_prefixed_and_secure(monkeypatch):
    env = {**os.environ, **PRODUCTION}
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.BRIDGE_REQUIRE_MFA)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "bridge.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["__Host-bridge_session", "True", "True", "True", "31536000", "True"], (
        out.stderr
    )
