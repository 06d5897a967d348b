"""Django settings for motcua, read from environment variables.

Production is the default: DEBUG is off unless asked for, and a missing SECRET_KEY is an
error rather than a silently insecure key. The embedded default (SQLite under ``var/``) needs
no configuration; provinces set ``DATABASE_URL`` to PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# src/motcua -> checkout root when installed in editable mode (the README's commands).
CHECKOUT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", CHECKOUT_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    # The set-up script writes a random key here so the embedded install works out of the box.
    key_file = VAR_DIR / "secret_key"
    if key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    if DEBUG:
        return "insecure-development-key-do-not-use-in-production"
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (a long random string), "
        f"or create {key_file} (scripts/setup does this), or set DEBUG=1 for development only."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI from local static files, so API docs work offline
    "motcua.core",
    "motcua.search",
    "motcua.catalog",
    "motcua.centers",
    "motcua.identity",
    "motcua.workcalendar",
    "motcua.eforms",
    "motcua.dossiers",
    "motcua.signing",
    "motcua.kiosk",
    "motcua.backoffice",
    "motcua.notices",
    "motcua.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    # A Vietnamese 400 for NUL in the path or headers, never a database 500 (issue 9).
    "motcua.core.middleware.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets kiosks read while an officer writes; IMMEDIATE takes the write lock at the
        # start of a transaction so concurrent writers wait (busy_timeout) instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Day-first dates and "3.366" / "99,63" numbers (Django's "vi" locale lacks input formats).
FORMAT_MODULE_PATH = ["motcua.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Provinces may keep documents in S3-compatible object storage (pip install ".[s3]"); local
# files under var/media are the embedded default.
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# How long card values read at a kiosk stay valid for a submission (signed when read).
IDENTITY_CARD_TOKEN_MAX_AGE = int(os.environ.get("IDENTITY_CARD_TOKEN_MAX_AGE", str(30 * 60)))
# Each document a citizen attaches (photo, scan or PDF).
MOTCUA_UPLOAD_MAX_BYTES = int(os.environ.get("MOTCUA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/can-bo/dang-nhap/"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "motcua.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Addresses of the reverse proxies in front of motcua (docs/deploy.md). Only their
# X-Forwarded-For is believed when rate limits and login protection look up the client address.
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES", "")
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

# The procedure finder: where to cache passage embeddings so start-up does not recompute them.
MOTCUA_SEARCH_CACHE_DIR = Path(os.environ.get("MOTCUA_SEARCH_CACHE_DIR", VAR_DIR / "cache"))
# The address citizens' phones can reach (QR codes on slips point here); defaults to the address
# of the request, which on a kiosk may be a local network name.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "").rstrip("/")
# Name of the center shown in page headers; a province sets it per deployment.
MOTCUA_CENTER_NAME = os.environ.get("MOTCUA_CENTER_NAME", "Trung tâm Phục vụ hành chính công xã")

# Notices to citizens (outbox, sent by `motcua notices send` every minute). One sender per
# channel; SMS and Zalo stay off until their gateway URL is set.
NOTICE_SENDERS = {
    "email": "motcua.notices.senders.EmailSender",
    "sms": "motcua.notices.senders.SmsSender",
    "zalo": "motcua.notices.senders.ZaloSender",
}
NOTICE_SMS_URL = os.environ.get("NOTICE_SMS_URL", "")
NOTICE_SMS_TOKEN = os.environ.get("NOTICE_SMS_TOKEN", "")
NOTICE_ZALO_URL = os.environ.get("NOTICE_ZALO_URL", "")
NOTICE_ZALO_TOKEN = os.environ.get("NOTICE_ZALO_TOKEN", "")
NOTICE_SEND_TIMEOUT = int(os.environ.get("NOTICE_SEND_TIMEOUT", "10"))

# Outgoing e-mail for notices to citizens (Django's mail backends). The embedded demo writes
# messages to files under var/mail (scripts/run sets EMAIL_BACKEND); provinces set SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua <khong-tra-loi@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry query strings; search text may hold personal data (ND 13/2023),
        # so the per-request log is kept at WARNING.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
