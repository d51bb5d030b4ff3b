"""Settings, all read from the environment (12-factor).

Embedded mode (the default): SQLite under ``var/``, local-memory cache, tasks in-process.
Production: set ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``GONGZHI_ENCRYPTION_KEYS`` and ``DEBUG=false``. See docs/operations/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default key is only good for a laptop demo; the "django-insecure-" prefix
# makes check --deploy flag it (security.W009).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-embedded-demo-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "gongzhi.web.views.errors.csrf_failure"  # says "reload and send again", in the user's language

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Gongzhi, lowest layer first.
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.access",
    "gongzhi.audit",
    "gongzhi.notifications",
    "gongzhi.ledger",
    "gongzhi.privacy",
    "gongzhi.territory",
    "gongzhi.organisations",
    "gongzhi.demo",
    "gongzhi.residents",
    "gongzhi.workcal",
    "gongzhi.work_orders",
    "gongzhi.open311",
    "gongzhi.text",
    "gongzhi.participation.accountability",
    "gongzhi.participation.budgeting",
    "gongzhi.participation.opinion",
    "gongzhi.participation.surveys",
    "gongzhi.participation.meetings",
    "gongzhi.participation.deliberation",
    "gongzhi.api",
    "gongzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gongzhi.accounts.middleware.StaffIdleTimeoutMiddleware",
    "gongzhi.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.web.context_processors.shell",
                "gongzhi.notifications.context_processors.bell",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the in-process scheduler and the web thread share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles queries whose estimated cost is high; for our dashboards the
    # compile took ~3 s for a 0.3 s query (bench/bench_work_orders_kpi.py). Off per connection.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache, tasks ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED_MODE = not REDIS_URL
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongzhi"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = EMBEDDED_MODE
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless
# this is set (then only every 2 x N tasks): without it each task paid a new PostgreSQL
# connection (~11 % of the worker's time on intake, docs/performance.md "Session 6, helper
# intake"). gongzhi.celery still applies CONN_MAX_AGE and drops broken connections around
# each task (close_old_connections, as Django does around a request).
CELERY_DB_REUSE_MAX = 1000
# After-commit runs (gongzhi.core.debounce): a run queued by a write starts this many seconds
# later, and writes meanwhile queue no other run, so a burst is taken in large batches (one
# ledger checkpoint, one intake transaction for many requests): about a third less worker CPU
# per order at intake (docs/performance.md, "Session 7"). The receipt and the text analysis of
# a new request wait 0.3 s more, its ledger leaf 1 s. Embedded mode runs tasks at once.
GONGZHI_LEDGER_SEALING_DELAY_S = env.float("GONGZHI_LEDGER_SEALING_DELAY_S", default=1.0)
GONGZHI_INTAKE_COMPLETION_DELAY_S = env.float("GONGZHI_INTAKE_COMPLETION_DELAY_S", default=0.3)
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic jobs: name -> (dotted task path, seconds). Celery beat reads CELERY_BEAT_SCHEDULE
# built from it; embedded mode drives the same table with gongzhi.core.scheduler.
# A deadline-job backlog of 20,000+ due orders is shared by this many runs (tasks.CATCHUP_BACKLOG).
GONGZHI_DEADLINE_CATCHUP_WORKERS = env.int("GONGZHI_DEADLINE_CATCHUP_WORKERS", default=2)
GONGZHI_SCHEDULE: dict[str, tuple[str, float]] = {
    "audit-integrity-heartbeat": ("gongzhi.core.tasks.heartbeat", 300.0),
    "ledger-sequencer": ("gongzhi.ledger.tasks.seal_ledger", 10.0),
    "ledger-integrity": ("gongzhi.ledger.tasks.check_ledger_integrity", 6 * 3600.0),
    "work-order-deadlines": ("gongzhi.work_orders.tasks.escalate_deadlines", 300.0),
    # a sweep: submissions queue a run themselves (work_orders.intake); this completes any left
    "work-order-intake": ("gongzhi.work_orders.tasks.complete_queued_intake", 60.0),
    "residents-retention": ("gongzhi.residents.tasks.apply_retention", 24 * 3600.0),
    "text-retrain-classifier": ("gongzhi.text.tasks.retrain_classifier", 24 * 3600.0),
    "text-refresh-hotspots": ("gongzhi.text.tasks.refresh_hotspots", 3600.0),
    "notification-digests": ("gongzhi.notifications.tasks.send_daily_digests", 3600.0),
    "notification-quiet-hours": ("gongzhi.notifications.tasks.release_held_notifications", 600.0),
    "opinion-maps": ("gongzhi.participation.opinion.tasks.recompute_maps", 120.0),
    "survey-closing": ("gongzhi.participation.surveys.tasks.close_due_surveys", 300.0),
    "meeting-reminders": ("gongzhi.participation.meetings.tasks.remind_invitees", 600.0),
    "budget-counting": ("gongzhi.participation.budgeting.tasks.count_closed_votes", 120.0),
}
# How long before a planned meeting its invitees are reminded (once).
GONGZHI_MEETING_REMINDER_HOURS = env.int("GONGZHI_MEETING_REMINDER_HOURS", default=24)
# Notifications (gongzhi.notifications.dispatch): backends per external channel, the default
# choice of users who set no preference, and the local hour the daily digest goes out.
GONGZHI_NOTIFICATION_CHANNELS: dict[str, list[str]] = {
    "sms": ["gongzhi.notifications.channels.SmsChannel"],
    "email": ["gongzhi.notifications.channels.EmailChannel"],
}
GONGZHI_NOTIFICATION_DEFAULTS = {"mode": "immediate", "in_app": True, "sms": False, "email": False}
GONGZHI_NOTIFICATION_DIGEST_HOUR = env.int("GONGZHI_NOTIFICATION_DIGEST_HOUR", default=8)
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": timedelta(seconds=seconds)} for name, (task, seconds) in GONGZHI_SCHEDULE.items()
}
# Text intelligence: dispatch a new order automatically to the unit the duty lists propose for
# the suggested category when the classifier is at least this confident (off when unset).
GONGZHI_TEXT_AUTO_ROUTE_CONFIDENCE = env.float("GONGZHI_TEXT_AUTO_ROUTE_CONFIDENCE", default=None)
GONGZHI_RUN_SCHEDULER = env.bool("GONGZHI_RUN_SCHEDULER", default=EMBEDDED_MODE)

# --- Auth ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongzhi.access.backends.RoleGrantBackend",
    "gongzhi.accounts.backends.PhoneCodeBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongzhi.accounts.validators.ComplexityValidator"},
]
if REDIS_URL:
    # Sessions are read from Redis and written through to the database, so a Redis flush or
    # restart signs nobody out (the next read falls back to the database).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The user row and role grants every request needs, cached across requests and dropped by any
# change to them (gongzhi.access.authcache). Only with a cache shared by all processes (Redis):
# with a per-process cache a revocation in one process would not reach the others.
GONGZHI_AUTHZ_CACHE = env.bool("GONGZHI_AUTHZ_CACHE", default=bool(REDIS_URL))
GONGZHI_AUTHZ_CACHE_SECONDS = env.int("GONGZHI_AUTHZ_CACHE_SECONDS", default=300)
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14  # residents stay signed in on their phone
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
GONGZHI_STAFF_IDLE_TIMEOUT = env.int("GONGZHI_STAFF_IDLE_TIMEOUT", default=30 * 60)
GONGZHI_REQUIRE_STAFF_2FA = env.bool("GONGZHI_REQUIRE_STAFF_2FA", default=False)
GONGZHI_SMS_BACKEND = env.str("GONGZHI_SMS_BACKEND", default="gongzhi.accounts.sms.ConsoleSmsBackend")
GONGZHI_PHONE_CODE_TTL = 300
GONGZHI_PHONE_CODE_MAX_ATTEMPTS = 5
GONGZHI_ENFORCE_ONE_CHANGE_RECORD = env.bool("GONGZHI_ENFORCE_ONE_CHANGE_RECORD", default=False)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.views.lockout_response"
OTP_TOTP_ISSUER = "Gongzhi 共治"

# --- Security headers -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env.bool("HTTPS", default=False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content Security Policy: only our own origin, never a CDN.
CSP_DEFAULT_SRC = ("'self'",)
CSP_IMG_SRC = ("'self'", "data:", "blob:")
CSP_STYLE_SRC = ("'self'",)
CSP_SCRIPT_SRC = ("'self'",)
CSP_CONNECT_SRC = ("'self'",)
CSP_FRAME_ANCESTORS = ("'none'",)
CSP_EXCLUDE_URL_PREFIXES = ("/api/docs/",)

# --- Encryption keys (used by privacy; parsed here so every mode sets them the same way) --
# "kid:base64key,kid2:base64key2"; the first is the active key. Or GONGZHI_KEY_FILE.
GONGZHI_ENCRYPTION_KEYS = env.str("GONGZHI_ENCRYPTION_KEYS", default="")
GONGZHI_KEY_FILE = env.str("GONGZHI_KEY_FILE", default=str(VAR_DIR / "keys.json"))
# Resident import on PostgreSQL: check foreign keys per chunk (set-based) instead of per row,
# when the database role may set session_replication_role (see gongzhi/residents/staging.py).
GONGZHI_IMPORT_SET_BASED_FK = env.bool("GONGZHI_IMPORT_SET_BASED_FK", default=True)

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "gongzhi_language"

# --- Static & media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))  # collectstatic writes here
if STATIC_ROOT.is_relative_to(VAR_DIR):
    STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "gongzhi" / "web" / "vendor"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded resident import files wait here for their background run: personal data, so
# outside MEDIA_ROOT (never served), encrypted in segments (gongzhi.residents.uploads), and
# deleted when the import set is finished, cancelled or rolled back (docs/privacy.md). Web
# processes and Celery workers on different machines need this to be shared storage.
GONGZHI_IMPORT_UPLOAD_DIR = Path(env.str("GONGZHI_IMPORT_UPLOAD_DIR", default=str(VAR_DIR / "private" / "imports")))
# The largest import file accepted from the web or the API (the command line has no limit).
GONGZHI_IMPORT_MAX_UPLOAD_MB = env.int("GONGZHI_IMPORT_MAX_UPLOAD_MB", default=200)
# A failed import keeps its upload for a resume at most this many days (retention job).
GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS = env.int("GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS", default=7)
# A running background import whose counts have not moved for this long is taken as dead
# (its worker was lost): a redelivered task may take it over and resume it.
GONGZHI_IMPORT_STALE_SECONDS = env.int("GONGZHI_IMPORT_STALE_SECONDS", default=900)
# Embedded mode has no worker: a queued import runs in a thread of the web process instead of
# inside the request (Celery's eager mode would run it in the request, after commit).
GONGZHI_IMPORT_THREAD = env.bool("GONGZHI_IMPORT_THREAD", default=EMBEDDED_MODE)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "residents_imports": {
        "BACKEND": env.str("GONGZHI_IMPORT_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {
            "location": str(GONGZHI_IMPORT_UPLOAD_DIR),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    },
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
if not STORAGES["residents_imports"]["BACKEND"].endswith("FileSystemStorage"):
    # Object storage (scale-out): its options (bucket, credentials) come from an env-specific settings module.
    STORAGES["residents_imports"]["OPTIONS"] = {}
WHITENOISE_USE_FINDERS = True

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gongzhi.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongzhi.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"phone_code": "5/hour", "anon": "120/minute", "user": "1200/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongzhi API",
    "DESCRIPTION": "共治 community governance platform",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Schema problems are caught by gongzhi/api/tests/test_schema.py, not by check --deploy.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "gongzhi.core.context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_context"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Lockout is per username (django-axes): many residents share one NAT address at a
# community service centre, so locking by IP would lock out a whole neighbourhood.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
