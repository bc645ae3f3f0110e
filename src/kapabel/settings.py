"""Kapabel's one settings module. Every setting that differs between installations comes from an
environment variable; the README lists them all."""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# The source checkout (holds node_modules/ with the front-end packages installed by `make`).
REPO_DIR = PACKAGE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


KAPABEL_ENV = env("KAPABEL_ENV", "development")  # development | production
PRODUCTION = KAPABEL_ENV == "production"
VAR_DIR = Path(env("KAPABEL_VAR_DIR", str(Path.cwd() / "var"))).resolve()
NODE_MODULES_DIR = Path(env("KAPABEL_NODE_MODULES", str(REPO_DIR / "node_modules")))


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when KAPABEL_ENV=production.")
    # Development: generate once and keep it, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "kapabel.core",
    "kapabel.organisation",
    "kapabel.competences",
    "kapabel.assessments",
    "kapabel.gaps",
    "kapabel.learning",
    "kapabel.administration",
    "kapabel.sso",
    "kapabel.dialogues",
    "kapabel.programmes",
    "kapabel.privacy",
    "kapabel.api",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "kapabel.core.middleware.RequestLogMiddleware",
    "kapabel.core.middleware.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kapabel.sso.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kapabel.core.web.MethodNotAllowedMiddleware",
    # Innermost, so a view that finds the database unreachable answers 503 before anything else.
    "kapabel.core.outage.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "kapabel.urls"
WSGI_APPLICATION = "kapabel.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "kapabel.core.context_processors.shell",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kapabel.sqlite3'}"), conn_max_age=60
    )
}
# SQLite (the embedded default) serves one writer at a time. A write that finds the database locked
# waits up to KAPABEL_SQLITE_LOCK_WAIT seconds in all (SQLite's busy timeout, then retries with backoff:
# kapabel.core.db) instead of failing. docs/operations.md says when to move to PostgreSQL instead.
KAPABEL_SQLITE_LOCK_WAIT = float(env("KAPABEL_SQLITE_LOCK_WAIT", "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work at the same time; IMMEDIATE takes the write lock when
    # a transaction starts, which avoids the "database is locked" upgrade deadlock when two requests
    # write and makes the start of a transaction the one place a write can wait (and safely retry).
    DATABASES["default"]["ENGINE"] = "kapabel.core.db"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A kept connection is checked before a request reuses it, so after a database restart the next
    # request opens a new one instead of failing on the dead one (kapabel.core.outage).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords and login ----------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: after this many failures for one username (or 4x as many from one address)
# within the window, further attempts are refused until the window has passed.
KAPABEL_LOGIN_MAX_FAILURES = int(env("KAPABEL_LOGIN_MAX_FAILURES", "5"))
KAPABEL_LOGIN_WINDOW_MINUTES = int(env("KAPABEL_LOGIN_WINDOW_MINUTES", "15"))

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
TIME_ZONE = env("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["kapabel.core.formats"]

# --- Static files (front-end packages from npm, served by WhiteNoise; never a CDN) --------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [
    ("vendor/dkfds", NODE_MODULES_DIR / "dkfds" / "dist"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
]
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
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "kapabel@localhost")
# The address people reach Kapabel at, for links in e-mails sent by background jobs (a message sent
# from a web request links to the address that request came to).
KAPABEL_BASE_URL = env("KAPABEL_BASE_URL", "")

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env("KAPABEL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Kapabel ----------------------------------------------------------------------------------
# Personal access tokens for the API expire after this many days unless told otherwise.
KAPABEL_TOKEN_DEFAULT_DAYS = int(env("KAPABEL_TOKEN_DEFAULT_DAYS", "90"))
KAPABEL_PAGE_SIZE = int(env("KAPABEL_PAGE_SIZE", "50"))
# HR import limits: the uploaded files together (the request body, refused before it is read), what
# they may unpack to (zip members, all files together), and the rows one file may have.
KAPABEL_IMPORT_MAX_UPLOAD_MB = int(env("KAPABEL_IMPORT_MAX_UPLOAD_MB", "200"))
KAPABEL_IMPORT_MAX_UNPACKED_MB = int(env("KAPABEL_IMPORT_MAX_UNPACKED_MB", "200"))
KAPABEL_IMPORT_MAX_ROWS = int(env("KAPABEL_IMPORT_MAX_ROWS", "1000000"))
# No file of a request larger than the upload limit is stored (the page then says why); then Django's.
FILE_UPLOAD_HANDLERS = [
    "kapabel.organisation.hr_import.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# An HR import whose process has shown no sign of life for this long has died (a killed command, a
# dead worker) and is marked failed. Longer than the longest write of one import (50,000 people: <1 min).
KAPABEL_IMPORT_LEASE_MINUTES = float(env("KAPABEL_IMPORT_LEASE_MINUTES", "15"))

# --- Single sign-on (kapabel.sso; docs/sso.md) ------------------------------------------------
# The identity providers themselves (SAML metadata, OpenID Connect clients, attribute and role mapping,
# the local-login switch) are data per municipality, edited on the SSO pages. What is per installation:
# the public address the providers see (entity ID, endpoints in the SP metadata); when empty it is taken
# from each request, which is fine behind one host name but not stable across names.
KAPABEL_SSO_BASE_URL = env("KAPABEL_SSO_BASE_URL").rstrip("/")
# The SAML service provider's entity ID (default: the metadata URL under the base URL).
KAPABEL_SAML_ENTITY_ID = env("KAPABEL_SAML_ENTITY_ID")
# The SP's key pair (PEM) for signing AuthnRequests and logout messages and for decrypting assertions.
# Development generates a self-signed pair into var/saml/ once; production requires them when SAML is used.
KAPABEL_SAML_KEY_FILE = env("KAPABEL_SAML_KEY_FILE")
KAPABEL_SAML_CERT_FILE = env("KAPABEL_SAML_CERT_FILE")
# A separate pair for encryption (OIOSAML allows one certificate for both); default: the signing pair.
KAPABEL_SAML_ENCRYPTION_KEY_FILE = env("KAPABEL_SAML_ENCRYPTION_KEY_FILE")
KAPABEL_SAML_ENCRYPTION_CERT_FILE = env("KAPABEL_SAML_ENCRYPTION_CERT_FILE")
KAPABEL_XMLSEC_BINARY = env("KAPABEL_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# Clock skew accepted between Kapabel and an identity provider (assertion and token times).
KAPABEL_SSO_CLOCK_SKEW_SECONDS = int(env("KAPABEL_SSO_CLOCK_SKEW_SECONDS", "60"))
# Second factor (TOTP) for local accounts holding an administrator role: "true" requires it (they set it
# up at their next login); otherwise it is asked only of those who set it up themselves.
KAPABEL_ADMIN_TOTP_REQUIRED = env_bool("KAPABEL_ADMIN_TOTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = "Kapabel"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kapabel.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # pysaml2 logs whole messages (attributes: personal data) and tracebacks for every refused
        # response; kapabel.sso logs one line saying why instead.
        "saml2": {"level": "CRITICAL"},
        "xmlschema": {"level": "WARNING"},
    },
}
