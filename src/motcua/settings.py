"""Django settings for motcua, read from environment variables.

Production is the default: DEBUG is off unless asked for, and a missing SECRET_KEY is an
error rather than a silently insecure key. The embedded default (SQLite under ``var/``) needs
no configuration; provinces set ``DATABASE_URL`` to PostgreSQL.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
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
    "motcua.assistant",
    "motcua.catalog",
    "motcua.centers",
    "motcua.identity",
    "motcua.workcalendar",
    "motcua.eforms",
    "motcua.dossiers",
    "motcua.signing",
    "motcua.kiosk",
    "motcua.queue",
    "motcua.speech",
    "motcua.backoffice",
    "motcua.portal",
    "motcua.payments",
    # reports before notices: their ready() subscribe to the dossier event spine in this
    # order, so the KPI projection runs before the notice outbox, as it always has.
    "motcua.reports",
    "motcua.notices",
    "motcua.demodata",
    "motcua.feedback",
    "motcua.assist",
    "motcua.guides",
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
        # PgBouncer in transaction mode hands each transaction to any server connection: a
        # server-side cursor (.iterator()) opened in one would be missing in the next
        # (Django's documented rule for transaction pooling, docs/deploy.md).
        disable_server_side_cursors=env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False),
        # Request threads are kept and reuse their connection (core.asgi_handler): after a
        # PostgreSQL restart or a pooler's idle cut, the first request on each thread would
        # fail on a dead connection. Django pings a reused connection before its request.
        conn_health_checks=True,
    )
}
# The calling display's LISTEN connection (motcua.queue.live) needs a session of its own: behind
# PgBouncer in transaction mode, point it at PostgreSQL itself (docs/deploy.md).
MOTCUA_LISTEN_DATABASE_URL = os.environ.get("MOTCUA_LISTEN_DATABASE_URL", "").strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with writers queued on a file lock next to the database
    # (motcua.core.sqlite_backend: fair and bounded waits instead of the busy handler's lottery).
    DATABASES["default"]["ENGINE"] = "motcua.core.sqlite_backend"
    # Kept by the request threads for DB_CONN_MAX_AGE like a PostgreSQL connection: opening one
    # (the pragmas below, Django's SQL functions, the writers' lock file) cost about 1.7 ms of
    # CPU, a sixth of a public lookup (issue 10). Between requests a kept connection holds no
    # transaction, so it neither blocks a checkpoint nor reads an old snapshot; a restore
    # replaces the file only with `motcua serve` stopped (docs/deploy.md).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets kiosks read while an officer writes; IMMEDIATE takes the write lock at the
        # start of a transaction (after the writers' queue) so a writer never fails half-way;
        # busy_timeout bounds the wait on whatever does not queue (sqlite3 shell, backup copy).
        # synchronous=FULL syncs the WAL at every commit: a dossier whose code the citizen was
        # given survives a power cut, not only a killed process (NORMAL may lose the last ones).
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        # A writer that has not had its turn in the queue after this long fails as SQLite
        # would ("database is locked") instead of hanging behind a stuck transaction.
        "writer_queue_seconds": 10,
    }

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
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded and generated documents hold personal data (Nghị định 13/2023/NĐ-CP): readable by the
# service account only; motcua serves each file itself after checking who asks.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
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

# ---------------------------------------------------------------------------------------------
# Login and sessions (issue 9): lockout after failed logins, password rules, a second factor,
# Content-Security-Policy and the reverse proxy. Kept in one block so merges stay simple.
# ---------------------------------------------------------------------------------------------
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]
_AUTH_MIDDLEWARE = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_AUTH_MIDDLEWARE + 1 : _AUTH_MIDDLEWARE + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "motcua.backoffice.security.SecondFactorRequiredMiddleware",
]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the lockout flag that a failed login set on the request.
    "axes.middleware.AxesMiddleware",
]
# The lockout backend first: it refuses a locked account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "motcua.backoffice.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute force (django-axes). An account is locked after 5 failed logins (wrong password or wrong
# second-factor code) within 15 minutes, whatever address they come from: guessing one
# officer's password from many addresses is the attack that matters. An address is limited
# separately and more loosely (motcua.backoffice.security.ADDRESS_FAILURES, 30 per 15 minutes):
# a commune office shares one public address behind its router, so 5 typos by different
# officers must not lock the whole office out, while spraying many usernames from one address
# still stops. The center admin unlocks an account early (/can-bo/quan-tri/tai-khoan-bi-khoa/).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the address is not among its lockout parameters; the address has its own
# limit above, in the shared rate limiter, so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "motcua.backoffice.security.client_ip"  # core.ratelimit's logic
AXES_LOCKOUT_CALLABLE = "motcua.backoffice.security.lockout_response"
# Log lines name a keyed hash of the account and address, never the username (often a name).
AXES_CLIENT_STR_CALLABLE = "motcua.backoffice.security.client_log_string"
AXES_HTTP_RESPONSE_CODE = 429
# The lead rewrites the Django admin; the lockout records are handled on the back-office page.
AXES_ENABLE_ADMIN = False
# Attempts keep the user agent and the path, never the submitted password.
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Passwords. 10 characters at least: officers' accounts open citizens' personal data (Nghị định
# 13/2023/NĐ-CP), and with the lockout above an online guess is slow, but a stolen password
# database is attacked offline, where length is what counts (NIST SP 800-63B asks for 8 at least
# and recommends more for privileged accounts). Django's messages are translated into Vietnamese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "motcua.backoffice.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Second factor (django-otp, TOTP apps such as Google Authenticator). Optional, for leaders,
# center admins and superusers; once an officer has confirmed a device, the officer login asks
# for the code and the admin and back office refuse a session that was not verified with it.
OTP_TOTP_ISSUER = "motcua"
# The admin never shows a device's secret key or QR code after enrollment: whoever reads it can
# make the codes (and django-otp's key views would answer every staff account).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
MOTCUA_SECOND_FACTOR_ROLES = ["leader", "center_admin"]

# Content-Security-Policy (django-csp 4): only this site's own scripts, styles and images, no
# inline scripts, event handlers or style attributes, never inside another site's frame. Every
# page works under it, the admin and the API documentation (Swagger UI, from ninja's static
# files) included: tests/browser/test_csp_browser.py fails on any violation in Chromium.
# ``data:`` images: the Swagger UI's stylesheet draws its icons with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        # Frames from this site only: the leader's preview of the result when no rasterizer is
        # installed (backoffice.result_views.draft_pdf, the one response that may be framed,
        # by this site only: frame-ancestors 'self' and X-Frame-Options SAMEORIGIN there).
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Behind the documented reverse proxy (docs/deploy.md): the proxy terminates TLS and says so in
# X-Forwarded-Proto. motcua serve (uvicorn) has no TLS of its own, so HTTPS=1 always means such a proxy, as do
# listed proxy addresses; MOTCUA_BEHIND_PROXY=0 turns it off. Without it, HTTPS=1 would redirect
# every request that the proxy already received over HTTPS, forever. The proxy must set the
# header itself (overwriting the client's). It passes the Host header through, so
# USE_X_FORWARDED_HOST stays off.
MOTCUA_BEHIND_PROXY = env_bool(
    "MOTCUA_BEHIND_PROXY", env_bool("HTTPS", False) or bool(MOTCUA_TRUSTED_PROXIES)
)
if MOTCUA_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ---------------------------------------------------------------------------------------------

# The procedure finder: where to cache passage embeddings so start-up does not recompute them.
MOTCUA_SEARCH_CACHE_DIR = Path(os.environ.get("MOTCUA_SEARCH_CACHE_DIR", VAR_DIR / "cache"))
# The address citizens' phones can reach (QR codes on slips point here); defaults to the address
# of the request, which on a kiosk may be a local network name.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "").rstrip("/")

# Payment confirmations (docs/payments.md): adapters by name, the last part of the webhook's
# address /thanh-toan/xac-nhan/<name>/. The generic HMAC adapter is on when its secret is set;
# during a rotation list the new and the old secret, comma-separated.
MOTCUA_PAYMENT_ADAPTERS: dict[str, dict] = {}
if env_list("MOTCUA_PAYMENT_WEBHOOK_SECRETS", ""):
    MOTCUA_PAYMENT_ADAPTERS["hmac-json"] = {
        "class": "motcua.payments.adapters.HmacJsonAdapter",
        "secrets": env_list("MOTCUA_PAYMENT_WEBHOOK_SECRETS", ""),
        "tolerance_seconds": int(os.environ.get("MOTCUA_PAYMENT_WEBHOOK_TOLERANCE", "300")),
        "method": os.environ.get("MOTCUA_PAYMENT_WEBHOOK_METHOD", "online_provincial"),
    }
# Feedback answer deadlines in working days (docs/feedback.md): one number for every kind, or
# JSON per kind, e.g. {"complaint": 10, "suggestion": 15}. Unset: the defaults in
# feedback.services. A value that is neither is kept as typed so system check feedback.E001
# names it at start-up.
if os.environ.get("MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS", "").strip():
    _raw_feedback_days = os.environ["MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS"].strip()
    try:
        MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = json.loads(_raw_feedback_days)
    except ValueError:
        MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = _raw_feedback_days

# Name of the center shown in page headers; a province sets it per deployment.
MOTCUA_CENTER_NAME = os.environ.get("MOTCUA_CENTER_NAME", "Trung tâm Phục vụ hành chính công xã")

# Notices to citizens (outbox, sent by `motcua notices send` every minute). One sender per
# channel; SMS and Zalo stay off until their gateway URL is set.
# After the commit a notice goes to this process's courier thread (background), is sent inside
# the request (inline) or waits for `motcua notices send` (cron): docs/deploy.md.
MOTCUA_NOTICES_DELIVERY = os.environ.get("MOTCUA_NOTICES_DELIVERY", "background")
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
        # axes announces its version at every start (each CLI command); lockouts stay logged.
        "axes.apps": {"level": "WARNING"},
    },
}

# Demo installation (issue 9): the published demo password works only where MOTCUA_DEMO=1
# (scripts/run sets it); elsewhere the guard refuses it at every login form. The guard goes
# first, in front of whatever backends are configured above.
MOTCUA_DEMO = env_bool("MOTCUA_DEMO", False)
# A demo queue hands out numbers at any hour so the counter and the TV can be tried in the
# evening; only on a demo installation (scripts/run sets it).
MOTCUA_QUEUE_ALWAYS_OPEN = MOTCUA_DEMO and env_bool("MOTCUA_QUEUE_ALWAYS_OPEN", False)
AUTHENTICATION_BACKENDS = [
    "motcua.core.auth.DemoPasswordGuard",
    *globals().get("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]),
]

# The citizen portal's VNeID / OpenID Connect sign-in (docs/portal.md); off while no issuer.
MOTCUA_VNEID = {
    "ISSUER": os.environ.get("VNEID_ISSUER", ""),
    "CLIENT_ID": os.environ.get("VNEID_CLIENT_ID", ""),
    "CLIENT_SECRET": os.environ.get("VNEID_CLIENT_SECRET", ""),
    "SCOPE": os.environ.get("VNEID_SCOPE", "openid"),
    # The claim that carries the 12-digit personal identification number.
    "ID_CLAIM": os.environ.get("VNEID_ID_CLAIM", "personal_identification_number"),
    # Fixed when the provider registered an exact URL (behind a proxy, say).
    "REDIRECT_URI": os.environ.get("VNEID_REDIRECT_URI", ""),
}

# The assistant (hỏi đáp, docs/assistant.md): an optional OpenAI-compatible endpoint that may
# rephrase composed answers under the guardrail; empty = composed answers only (offline).
MOTCUA_ASSISTANT_LLM_URL = os.environ.get("MOTCUA_ASSISTANT_LLM_URL", "").strip()
MOTCUA_ASSISTANT_LLM_MODEL = os.environ.get("MOTCUA_ASSISTANT_LLM_MODEL", "local")
MOTCUA_ASSISTANT_LLM_TIMEOUT = float(os.environ.get("MOTCUA_ASSISTANT_LLM_TIMEOUT", "8"))
# A conversation's memory (last procedure and topic, never the text) is forgotten after this
# many idle seconds.
MOTCUA_ASSISTANT_IDLE_SECONDS = int(os.environ.get("MOTCUA_ASSISTANT_IDLE_SECONDS", "300"))
