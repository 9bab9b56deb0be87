"""Bridge settings. Every value comes from the environment through bridge.core.env.

BRIDGE_PROFILE picks safe defaults: "development" (the default; what `make run` and the tests
use) or "production" (secure cookies, HSTS, TLS redirect, MFA required). Each default can still
be overridden by its own variable; nothing exists only in one profile.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from bridge.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BRIDGE_VAR_DIR", str(BASE_DIR / "var")))

PROFILE = env_str("BRIDGE_PROFILE", "development")
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured(f"BRIDGE_PROFILE must be development or production, not {PROFILE!r}")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in the production profile")
    # Development: keep one random key under var/ so sessions survive a restart.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "bridge.core",
    "bridge.accounts",
    "bridge.programs",
    "bridge.participants",
    "bridge.audit",
    "bridge.scheduling",
    "bridge.worklist",
    "bridge.clinical",
    "bridge.privacy",
    "bridge.directory",
    "bridge.intake",
    "bridge.planner",
    "bridge.notify",
    "bridge.measures",
    "bridge.aftercare",
    "bridge.safety",
    "bridge.fhir",
    "bridge.api",
    "bridge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bridge.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bridge.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "bridge.accounts.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "bridge.core.middleware.ProgramTimezoneMiddleware",
    "bridge.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bridge.urls"
WSGI_APPLICATION = "bridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bridge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridge.core.context_processors.bridge",
            ],
        },
    },
]

# Forms render through the project templates (bridge/templates/forms/field.html for each field).
FORM_RENDERER = "bridge.core.forms.FormRenderer"

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bridge.sqlite3'}")


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] not in ("", ":memory:"):
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers run while one writer writes; IMMEDIATE makes every transaction take
            # the write lock up front, so the audit chain's read-then-append cannot interleave.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bridge"}}

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Two-factor sign-in: required in production; the demo may relax it and then shows a banner.
BRIDGE_REQUIRE_MFA = env_bool("BRIDGE_REQUIRE_MFA", PRODUCTION)
OTP_TOTP_ISSUER = env_str("BRIDGE_TOTP_ISSUER", "Bridge")

# Lockout: 5 failures for one username from one address, then 15 minutes' cool-off.
AXES_FAILURE_LIMIT = env_int("BRIDGE_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BRIDGE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bridge.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "bridge.core.middleware.axes_client_ip"
AXES_VERBOSE = False

# Sessions: 15 minutes idle, 12 hours absolute (enforced by SessionLimitsMiddleware).
BRIDGE_IDLE_MINUTES = env_int("BRIDGE_IDLE_MINUTES", 15)
BRIDGE_SESSION_MAX_HOURS = env_int("BRIDGE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = BRIDGE_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Transport security ---------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
# The __Host- prefix pins a cookie to this host and path; browsers only accept it over HTTPS.
SESSION_COOKIE_NAME = "__Host-bridge_session" if SESSION_COOKIE_SECURE else "bridge_session"
CSRF_COOKIE_NAME = "__Host-bridge_csrf" if CSRF_COOKIE_SECURE else "bridge_csrf"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of Bridge whose X-Forwarded-* headers we trust.
BRIDGE_PROXY_COUNT = env_int("BRIDGE_PROXY_COUNT", 1 if PRODUCTION else 0)
if BRIDGE_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Locale and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "bridge" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development whitenoise serves straight from the source folders, so no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Bridge <no-reply@bridge.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Bridge -----------------------------------------------------------------------------------
# Scheduling solver: seconds CP-SAT may spend on one week (the director's preview and `bridge schedule`).
BRIDGE_SCHEDULE_TIME_LIMIT = env_int("BRIDGE_SCHEDULE_TIME_LIMIT", 10)
# Reminders: how many hours before a session, and the class that sends text messages.
BRIDGE_REMINDER_HOURS = env_int("BRIDGE_REMINDER_HOURS", 24)
BRIDGE_SMS_SENDER = env_str("BRIDGE_SMS_SENDER", "bridge.notify.sms.ConsoleSmsSender")
BRIDGE_DEMO = env_bool("BRIDGE_DEMO", not PRODUCTION)
BRIDGE_DEMO_PASSWORD = env_str("BRIDGE_DEMO_PASSWORD", "recovery-demo-2026")
# FHIR Bulk Data export: where the worker writes NDJSON files (served only to the token that asked).
BRIDGE_EXPORT_DIR = env_str("BRIDGE_EXPORT_DIR", str(VAR_DIR / "exports"))
# ... and deletes them this many hours after the export finished (Part 2 data does not linger on disk).
BRIDGE_EXPORT_KEEP_HOURS = env_int("BRIDGE_EXPORT_KEEP_HOURS", 24)
# Public, no-login endpoints: the instruments/placement JSON API and self-check call-back requests,
# per client address ("count/period", period s, min, hour or day), on the Django cache.
BRIDGE_PUBLIC_API_RATE = env_str("BRIDGE_PUBLIC_API_RATE", "60/min")
BRIDGE_CALLBACK_RATE = env_str("BRIDGE_CALLBACK_RATE", "5/hour")

# Break-the-glass: how long an emergency grant to a chart outside one's care team lasts.
BRIDGE_BREAK_GLASS_MINUTES = env_int("BRIDGE_BREAK_GLASS_MINUTES", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "bridge.core.logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
