"""Bridge settings. Every value comes from the environment through bridge.core.env.

BRIDGE_PROFILE picks safe defaults: "development" (the default; what `make run` and the tests
use) or "production" (secure cookies, HSTS, TLS redirect, MFA required). Each default can still
be overridden by its own variable; nothing exists only in one profile.
"""

from __future__ import annotations

import json
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
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and participant data to anyone who triggers an error.
    raise ImproperlyConfigured("DEBUG=true is refused in the production profile")


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
    "django_otp_webauthn",  # its ceremony helper and browser script, for participants' passkeys
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "oauth2_provider",
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
    "bridge.billing",
    "bridge.api",
    "bridge.portal",
    "bridge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bridge.core.middleware.RequestContextMiddleware",
    "bridge.core.middleware.HostileInputMiddleware",
    # CORS for registered browser-based patient apps, on the SMART and FHIR paths only (i20b).
    "bridge.fhir.cors.SmartCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bridge.accounts.middleware.SessionLimitsMiddleware",
    # The participant's own app: its separate sign-in, 30-minute idle end and their language.
    "bridge.portal.middleware.PortalMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "bridge.accounts.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "bridge.core.middleware.ProgramTimezoneMiddleware",
    "bridge.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "bridge.core.middleware.MethodNotAllowedPageMiddleware",
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


def _database(url: str) -> dj_database_url.DBConfig:
    # Production keeps each worker's connection for a minute (a new PostgreSQL connection per request
    # is a process fork on the server) and checks it before each request, so a restarted or lost
    # database is noticed and reconnected on the next request rather than failing it.
    config = dj_database_url.parse(
        url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0), conn_health_checks=True
    )
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
# SMART Backend Services (bridge/fhir/smart.py): django-oauth-toolkit runs the token endpoint; clients
# authenticate with a signed JWT assertion only, and get a 5-minute access token stored (as a hash) as
# a short-lived system ApiToken, so the FHIR API checks it like any other token.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "OAUTH2_VALIDATOR_CLASS": "bridge.fhir.smart.BackendServicesValidator",
    "ACCESS_TOKEN_GENERATOR": "bridge.fhir.smart.new_access_token",
    "SCOPES_BACKEND_CLASS": "bridge.fhir.smart.SystemScopes",
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",  # client_credentials only
    "OAUTH2_BACKEND_CLASS": "bridge.fhir.smart.BridgeOAuthLibCore",
    # OAuth 2.0 Security BCP (RFC 9700). Only client_credentials is served, but say so everywhere:
    # no implicit or password grant, S256 PKCE only, tokens never in a URL, hashed at rest.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # http only outside production, and then only for loopback redirect URIs and origins (RFC 8252, an
    # app in development): bridge.fhir.patient_services.check_redirect_uri refuses any other http://
    # URI first. Production takes https only (RFC 9700 §2.1; `check --deploy` warns otherwise).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["https", "http"],
    "ALLOWED_SCHEMES": ["https"] if PRODUCTION else ["https", "http"],
}

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

# Lockout: 5 failures for one username from one address, or for one username from any addresses
# together (so rotating X-Forwarded-For, or a botnet, gains nothing), then 15 minutes' cool-off.
AXES_FAILURE_LIMIT = env_int("BRIDGE_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BRIDGE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
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
# Participant-facing pages come in these languages (staff pages are English only, so Django's
# LocaleMiddleware is not installed globally: bridge.portal.middleware picks the language there).
LANGUAGES = [("en", "English"), ("es", "Español")]
# One catalogue for every participant-facing page, whichever app it is in (bridge/locale/es).
LOCALE_PATHS = [BASE_DIR / "bridge" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
# Dates and times are shown in the named formats of bridge/formats (one format for a date, one for a moment).
FORMAT_MODULE_PATH = ["bridge.formats"]
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "bridge" / "static"]
# Uploaded documents (signed forms, court orders) go through Django's storage API: a local folder by
# default; point BRIDGE_STORAGE_BACKEND at an S3-compatible backend (django-storages) in production.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: documents are handed out by views that check access
STORAGES = {
    "default": {"BACKEND": env_str("BRIDGE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
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
# Unsaved form drafts (accounts.Draft: typing kept across an idle sign-out, not a record) that nobody
# came back to are deleted by the worker once this many days old.
BRIDGE_DRAFT_DAYS = env_int("BRIDGE_DRAFT_DAYS", 30)
# A background job's lease: a running job not heard from for this long lost its worker.
BRIDGE_JOB_LEASE_SECONDS = env_int("BRIDGE_JOB_LEASE_SECONDS", 120)
# Public, no-login endpoints: the instruments/placement JSON API and self-check call-back requests,
# per client address ("count/period", period s, min, hour or day), on the Django cache.
BRIDGE_PUBLIC_API_RATE = env_str("BRIDGE_PUBLIC_API_RATE", "60/min")
BRIDGE_CALLBACK_RATE = env_str("BRIDGE_CALLBACK_RATE", "5/hour")

# Revenue cycle: the class that sends claims (837) and eligibility requests (270) to a clearinghouse,
# and the folder the default one writes them to (like the console SMS sender: nothing leaves the machine).
BRIDGE_CLEARINGHOUSE = env_str("BRIDGE_CLEARINGHOUSE", "bridge.billing.clearinghouse.FolderClearinghouse")
BRIDGE_CLEARINGHOUSE_DIR = env_str("BRIDGE_CLEARINGHOUSE_DIR", str(VAR_DIR / "clearinghouse"))
# Claims sent by the console or the worker's nightly job (no one signed in) are entered in each
# participant's accounting of disclosures under this person: the username of the director or billing
# staff member responsible for claim sending. `bridge billing claims` refuses to send without one.
BRIDGE_BILLING_DISCLOSER = env_str("BRIDGE_BILLING_DISCLOSER", "")

# The participant's app (/me/): idle minutes before it signs them out, how long a sign-in code
# lives, and how many codes one account may be sent per hour.
BRIDGE_PORTAL_IDLE_MINUTES = env_int("BRIDGE_PORTAL_IDLE_MINUTES", 30)
BRIDGE_PORTAL_CODE_MINUTES = env_int("BRIDGE_PORTAL_CODE_MINUTES", 10)
BRIDGE_PORTAL_CODES_PER_HOUR = env_int("BRIDGE_PORTAL_CODES_PER_HOUR", 5)
BRIDGE_PORTAL_SIGNIN_RATE = env_str("BRIDGE_PORTAL_SIGNIN_RATE", "10/hour")
# i19m: messages a participant may send in an hour, and "let my peer know" alerts in a day (floods).
BRIDGE_PORTAL_MESSAGES_PER_HOUR = env_int("BRIDGE_PORTAL_MESSAGES_PER_HOUR", 10)
BRIDGE_PORTAL_PEER_ALERTS_PER_DAY = env_int("BRIDGE_PORTAL_PEER_ALERTS_PER_DAY", 3)

# Break-the-glass: how long an emergency grant to a chart outside one's care team lasts.
BRIDGE_BREAK_GLASS_MINUTES = env_int("BRIDGE_BREAK_GLASS_MINUTES", 60)
# The program requires the TPO consent at admission: its printed consent then says so, and not that
# treatment does not depend on signing (42 CFR 2.31: no statement may be untrue).
BRIDGE_TPO_REQUIRED_AT_ADMISSION = env_bool("BRIDGE_TPO_REQUIRED_AT_ADMISSION", True)
# Who signs a minor's consents, per state (bridge/privacy/signers.py has California built in), as JSON:
# {"CO": {"minor_consent_age": null, "citation": "…"}} (null: a parent signs too; 42 CFR 2.14(b)).
BRIDGE_MINOR_CONSENT_RULES = json.loads(env_str("BRIDGE_MINOR_CONSENT_RULES", "{}"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "bridge.core.logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# i19p: passkeys in the participant app (bridge/portal/passkeys.py uses django-otp-webauthn's helper).
# The relying party is the host the app is served from; list the app's origin(s) in production.
OTP_WEBAUTHN_RP_NAME = "Bridge"
OTP_WEBAUTHN_RP_ID_CALLABLE = "bridge.portal.passkeys.relying_party_id"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("BRIDGE_PASSKEY_ORIGINS", ["http://localhost:8000"])
OTP_WEBAUTHN_HELPER_CLASS = "bridge.portal.passkeys.ParticipantPasskeyHelper"
