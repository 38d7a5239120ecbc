"""Settings: everything a deployment changes comes from NEXO_* environment variables."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from nexo.modules import MODULES

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NEXO_VAR_DIR", PACKAGE_DIR.parent / "var")).resolve()


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def secret_key() -> str:
    """The key from the environment, else one generated once into var/ and kept."""
    if os.environ.get("NEXO_SECRET_KEY"):
        return os.environ["NEXO_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = secret_key()
DEBUG = env_flag("NEXO_DEBUG")
ALLOWED_HOSTS = env_list("NEXO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("NEXO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    *MODULES,
]

MIDDLEWARE = [
    "nexo.core.middleware.BusyDatabaseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nexo.core.middleware.SecurityHeadersMiddleware",
    "nexo.core.middleware.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nexo.core.middleware.UserLanguageMiddleware",
    "nexo.core.middleware.ActiveCompanyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nexo.urls"
WSGI_APPLICATION = "nexo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nexo.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite file by default; NEXO_DATABASE_URL=postgres://... for PostgreSQL.
SQLITE_PATH = VAR_DIR / "nexo.sqlite3"
DATABASE_URL = os.environ.get("NEXO_DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue for the lock instead of failing half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("NEXO_TEST_SQLITE_NAME", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins: per user name and address, for a quarter of an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("NEXO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Sessions and CSRF: HttpOnly, SameSite, short-lived; Secure when served over HTTPS.
HTTPS = env_flag("NEXO_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files (no inline script, no eval); styles may be inline (style
# attributes, and the indicator styles htmx adds). nexo.core.middleware.SecurityHeadersMiddleware sends it.
NEXO_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
if HTTPS:
    SECURE_SSL_REDIRECT = env_flag("NEXO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A bank statement of up to 5 MB travels base64-encoded in the API's JSON (about 6.7 MB); larger bodies
# get a 413 (problem+json) before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English written day first (06/12/2026 is 6 December) with a 24-hour clock, not Django's American `en`.
FORMAT_MODULE_PATH = ["nexo.formats"]
TIME_ZONE = os.environ.get("NEXO_TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True
# Off: record ids printed in templates (element ids, query strings) must stay plain digits; amounts and
# quantities are formatted for the language by the `money` and `number` filters (babel) instead.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks here before the finders
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# E-mail: SMTP when NEXO_EMAIL_HOST is set, else messages are written to var/mail.
EMAIL_HOST = os.environ.get("NEXO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("NEXO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("NEXO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("NEXO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("NEXO_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("NEXO_DEFAULT_FROM_EMAIL", "nexo@localhost")

# VERI*FACTU records go to the AEAT's web service for each company's environment (test or production) unless
# this names another endpoint: https:// with the company's certificate, plain http:// only for a local fake.
NEXO_AEAT_ENDPOINT = os.environ.get("NEXO_AEAT_ENDPOINT", "")
# The address an invoice's QR code carries; empty: the AEAT's verification page for the company's environment.
NEXO_AEAT_QR_URL = os.environ.get("NEXO_AEAT_QR_URL", "")

NINJA_PAGINATION_PER_PAGE = 50

# Background work (Django Tasks API): tasks are stored in the database and run by `nexo db_worker`, or by
# the worker that `nexo run` starts in the same process. Tests choose their backend explicitly.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NEXO_LOG_LEVEL", "WARNING")},
}
