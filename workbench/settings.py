"""Copydesk settings: every knob is an environment variable, parsed strictly.

The embedded default (no variables set) runs on SQLite and a file-system
Celery broker under ./var. Production sets DATABASE_URL, CELERY_BROKER_URL,
COPYDESK_SECRET_KEY and COPYDESK_PRODUCTION=true.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

import django
from celery.schedules import crontab

from workbench.env import (
    ConfigError,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_price_table,
)
from workbench.mailer import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("COPYDESK_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env_bool("COPYDESK_PRODUCTION", False)
DEBUG = env_bool("COPYDESK_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigError("COPYDESK_DEBUG=true is refused when COPYDESK_PRODUCTION=true")


def _secret_key() -> str:
    configured = env_str("COPYDESK_SECRET_KEY", "")
    if configured:
        if PRODUCTION and len(configured) < 50:
            raise ConfigError("COPYDESK_SECRET_KEY: use at least 50 random characters in production")
        return configured
    if PRODUCTION:
        raise ConfigError("COPYDESK_SECRET_KEY must be set when COPYDESK_PRODUCTION=true")
    # The embedded default keeps one random key per checkout so sessions survive restarts.
    return _key_file("secret_key", 64)


def _key_file(name: str, random_bytes: int) -> str:
    """A random key kept in the data directory, made on first use, readable by its owner only."""
    key_file = DATA_DIR / name
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(random_bytes))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


# --- Audit chain key (workbench/audit/keys.py) ----------------------------------------
def _audit_chain_key() -> str:
    """The key of the audit chain's HMACs, kept outside the database so that database access alone
    cannot rewrite the chain consistently. COPYDESK_AUDIT_KEY when set (keep it where database
    administrators cannot read it); in production otherwise derived from the secret key, which every
    web and worker process already shares; in the embedded default a random key file beside the secret key."""
    configured = env_str("COPYDESK_AUDIT_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ConfigError("COPYDESK_AUDIT_KEY: use at least 32 random characters")
        return configured
    if PRODUCTION:
        return hmac.new(SECRET_KEY.encode("utf-8"), b"copydesk audit chain key", hashlib.sha256).hexdigest()
    return _key_file("audit_key", 48)


AUDIT_CHAIN_KEY = _audit_chain_key()
# --- end of the audit chain key ------------------------------------------------------
ALLOWED_HOSTS = env_list("COPYDESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("COPYDESK_CSRF_TRUSTED_ORIGINS", [])

DJANGO_BEFORE_6 = django.VERSION < (6, 0)
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from django-ninja's own static files (no CDN, so it works under our CSP)
    "workbench.accounts",
    "workbench.audit",
    "workbench.brand",
    "workbench.generation",
    "workbench.checks",
    "workbench.review",
    "workbench.journeys",
    "workbench.demo",  # the demo data and its seed_demo command: it uses every app, so it is an app of its own at the top
]
if DJANGO_BEFORE_6:
    # Django 6 ships template partials; 5.2 (Python 3.11) needs the package it came from.
    INSTALLED_APPS.append("template_partials")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "workbench.audit.middleware.RequestContextMiddleware",
    "workbench.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (only the login page and the token-authenticated API do).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workbench.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workbench.context_processors.copydesk",
            ],
            # On Django 6 {% partialdef %} is built in; on 5.2 the package's tags are made built in too.
            "builtins": ["template_partials.templatetags.partials"] if DJANGO_BEFORE_6 else [],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'copydesk.sqlite3'}"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account+IP pair out after five failed logins for 30 minutes.
AXES_FAILURE_LIMIT = env_int("COPYDESK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("COPYDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root before collectstatic runs
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "workbench" / "static"]
# Browser code is installed from npm at setup into var/npm (./copydesk); pages work without it.
NPM_MODULES_DIR = DATA_DIR / "npm" / "node_modules"
HTMX_DIST_DIR = NPM_MODULES_DIR / "htmx.org" / "dist"
CHARTJS_DIST_DIR = NPM_MODULES_DIR / "chart.js" / "dist"
for _prefix, _dist in (("htmx", HTMX_DIST_DIR), ("chartjs", CHARTJS_DIST_DIR)):
    if _dist.is_dir():
        STATICFILES_DIRS.append((_prefix, _dist))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("COPYDESK_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("COPYDESK_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Celery -----------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
# Several Copydesk instances (or parallel test workers) can share one Redis: each keeps its keys under its own prefix.
REDIS_PREFIX = env_str("COPYDESK_REDIS_PREFIX", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # kombu's default control folder is ./control, relative to whatever directory a process started in.
        "control_folder": str(BROKER_DIR / "control"),
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    # The visibility timeout must outlast the hard time limit of any task,
    # or Redis hands a slow task to a second worker while the first still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if REDIS_PREFIX and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{REDIS_PREFIX}:"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("COPYDESK_TASK_SOFT_TIME_LIMIT", 300, minimum=5)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds a worker (and ./copydesk run's web server) takes at most to stop on SIGTERM; running generations
# get the first part of it to finish, then are stopped and their jobs handed back (workbench/worker_shutdown.py).
WORKER_SHUTDOWN_GRACE_SECONDS = env_int("COPYDESK_SHUTDOWN_GRACE_SECONDS", 10, minimum=5)

# --- Reminders (Celery beat) and email ------------------------------------------
# Beat runs embedded in the worker that ./copydesk run starts (`celery worker -B`); at scale run one
# `celery -A workbench beat` process of its own (README). Its schedule state lives in the data directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
REMINDER_INTERVAL_SECONDS = env_int("COPYDESK_REMINDER_INTERVAL_SECONDS", 300, minimum=1)
DIGEST_HOUR_UTC = env_int("COPYDESK_DIGEST_HOUR_UTC", 7, minimum=0)
if DIGEST_HOUR_UTC > 23:
    raise ConfigError(f"COPYDESK_DIGEST_HOUR_UTC={DIGEST_HOUR_UTC}: must be an hour from 0 to 23")
# How often beat has a worker walk the audit chain; the result is shown on the audit log and the admins' home page.
AUDIT_VERIFY_INTERVAL_SECONDS = env_int("COPYDESK_AUDIT_VERIFY_INTERVAL_SECONDS", 3600, minimum=60)
CELERY_BEAT_SCHEDULE = {
    "review-reminders": {"task": "workbench.review.tasks.send_review_reminders", "schedule": float(REMINDER_INTERVAL_SECONDS)},
    "daily-digest": {"task": "workbench.review.tasks.send_daily_digests", "schedule": crontab(minute=0, hour=DIGEST_HOUR_UTC)},
    "audit-verification": {"task": "workbench.audit.tasks.verify_audit_chain", "schedule": float(AUDIT_VERIFY_INTERVAL_SECONDS)},
    # workbench/heartbeat.py: the admins' home page says whether a worker (and beat) is alive.
    "worker-heartbeat": {"task": "workbench.heartbeat.worker_heartbeat", "schedule": 60.0},
}
# Without COPYDESK_SMTP_HOST mail is written to files under the data directory (readable by admins at
# /notifications/outbox/); with it, mail goes out through that SMTP server.
SMTP_HOST = env_str("COPYDESK_SMTP_HOST", "")
DEFAULT_FROM_EMAIL = env_str("COPYDESK_EMAIL_FROM", "Copydesk <copydesk@localhost>")
EMAIL_SUBJECT_PREFIX = "[Copydesk] "
OUTBOX_DIR = DATA_DIR / "outbox"
MAILER: dict[str, Any]
if SMTP_HOST:
    _smtp_port = env_int("COPYDESK_SMTP_PORT", 587, minimum=1)
    if _smtp_port > 65535:
        raise ConfigError(f"COPYDESK_SMTP_PORT={_smtp_port}: must be a port number up to 65535")
    MAILER = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": SMTP_HOST,
        "port": _smtp_port,
        "username": env_str("COPYDESK_SMTP_USER", ""),
        "password": env_str("COPYDESK_SMTP_PASSWORD", ""),
        "use_tls": env_bool("COPYDESK_SMTP_STARTTLS", _smtp_port == 587),
        "use_ssl": env_bool("COPYDESK_SMTP_SSL", _smtp_port == 465),
        "timeout": env_int("COPYDESK_SMTP_TIMEOUT_SECONDS", 20, minimum=1),
    }}
    if MAILER["OPTIONS"]["use_tls"] and MAILER["OPTIONS"]["use_ssl"]:
        raise ConfigError("COPYDESK_SMTP_STARTTLS and COPYDESK_SMTP_SSL cannot both be true: pick one")
else:
    MAILER = {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": str(OUTBOX_DIR)}}
    OUTBOX_DIR.mkdir(parents=True, exist_ok=True)
    # Django 6.1's deploy check calls the file backend development-only; here it is the outbox
    # admins read in the app, the documented delivery of an install without an SMTP server.
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
if django.VERSION >= (6, 1):
    MAILERS = {"default": MAILER}
else:  # Django 5.2 LTS (Python 3.11) reads the EMAIL_* settings that MAILERS replaced in 6.1
    for _name, _value in email_settings(MAILER).items():
        globals()[_name] = _value
# Slack-compatible incoming webhooks (one per brand) get this long to answer.
WEBHOOK_TIMEOUT_SECONDS = env_float("COPYDESK_WEBHOOK_TIMEOUT_SECONDS", 10.0)
# Webhooks go to the public internet only (workbench/outbound.py); 1 allows private and loopback addresses too,
# for a chat server on the company network.
WEBHOOK_ALLOW_PRIVATE = env_bool("COPYDESK_WEBHOOK_ALLOW_PRIVATE", False)

# --- Cache: API rate-limit counters and the live-content stamp, shared by every web process ---
CACHE_URL = env_str("COPYDESK_CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ConfigError(f"COPYDESK_CACHE_URL={CACHE_URL!r}: expected redis://HOST:PORT/DB")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": f"copydesk-{REDIS_PREFIX}" if REDIS_PREFIX else "copydesk"}
    if CACHE_URL
    # Files under var/cache are shared by all processes on the host; add and incr hold an flock, so counters are atomic.
    else {"BACKEND": "workbench.journeys.filecache.LockingFileBasedCache", "LOCATION": str(DATA_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 10000}}
}

# --- Generation ---------------------------------------------------------------
# A name in workbench/generation/providers.py's registry (empty: its first, the offline stand-in); the
# generation app checks it, and the settings the chosen provider needs, when Django starts.
LLM_PROVIDER = env_str("COPYDESK_LLM_PROVIDER", "")
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "")
OPENAI_MODEL = env_str("COPYDESK_OPENAI_MODEL", "gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env_float("COPYDESK_OPENAI_TIMEOUT", 60.0)
GENERATION_MAX_ATTEMPTS = env_int("COPYDESK_GENERATION_MAX_ATTEMPTS", 4, minimum=1)
MAX_VARIANTS_PER_SEGMENT = env_int("COPYDESK_MAX_VARIANTS", 5, minimum=1)
MAX_DRAFTS_PER_BRIEF = env_int("COPYDESK_MAX_DRAFTS_PER_BRIEF", 200, minimum=1)
# Tokens (input + output) one user may spend per UTC day; 0 means no limit.
DAILY_TOKEN_BUDGET = env_int("COPYDESK_DAILY_TOKEN_BUDGET", 500_000, minimum=0)
# A job's lease outlasts the hard time limit, so only a dead worker's job is ever handed out again.
GENERATION_LEASE_SECONDS = env_int("COPYDESK_GENERATION_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 10, minimum=1)
GENERATION_SWEEP_SECONDS = env_int("COPYDESK_GENERATION_SWEEP_SECONDS", 30, minimum=1)
# US dollars per million input and output tokens, by model; JSON to override or extend the providers' own prices.
PRICE_TABLE = parse_price_table(env_str("COPYDESK_PRICE_TABLE", ""))

# --- Logging (workbench/logfilters.py) ---------------------------------------------------
# What an operator needs: one line for a routine 4xx (no traceback; none at all for a favicon 404),
# full tracebacks for real errors, and none of the start-up noise that is true of every start.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "client_errors": {"()": "workbench.logfilters.ClientErrorsWithoutTracebacks"},
        "known_noise": {"()": "workbench.logfilters.KnownNoise"},
    },
    # On the handler, not the loggers: a logger's filters do not apply to its children (django.security.csrf, ...).
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors", "known_noise"]}},
    "root": {"handlers": ["console"], "level": env_str("COPYDESK_LOG_LEVEL", "INFO")},
    # django-axes says INFO at every start and four times at every sign-in (successful, and 0 attempts cleaned, reset,
    # deleted); sign-ins are in the audit log. Its warnings (failed sign-ins, lockouts) still show.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
# --- end of logging ------------------------------------------------------------------------
COPYDESK_AUDIT_MAINTENANCE = False  # only the test suite raises it, to flush tables between tests
