"""The one settings module of ITPP Tracker.

Everything that differs between a laptop, CI and production comes from environment
variables (or a `.env` file beside manage.py, which `make run` writes for the quick
start). See docs/configuration.md for the full table.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Values already in the environment win over the file: CI and containers set them directly.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A one-line message rather than a traceback: this is an operator's mistake, not a bug.
        raise SystemExit(
            "ITPP Tracker: DJANGO_SECRET_KEY is not set. Set it in the environment or in .env "
            "(DJANGO_DEBUG is off, so no development key is generated)."
        )
    # Debug only: a throw-away key, so a developer can start without configuring anything.
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()

# Old keys still accepted for signed data while a new DJANGO_SECRET_KEY rolls out.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "accounts",
    "goals",
    "activities",
    "progress",
    "attachments",
    "public",
    "maintenance",
    "reports",
    "feeds",
    "cycle",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: picks the language (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's saved language before the browser's; the API's from Accept-Language.
    "accounts.middleware.UserLanguageMiddleware",
    # Nothing is visible without logging in; public views opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Makes the request (its user and path) available to the change history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a locked-out username/IP pair before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "itpp.urls"

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
            ],
            # `in_language` for bilingual records (English and Japanese) on every page.
            "builtins": ["itpp.templatetags.bilingual"],
        },
    },
]

WSGI_APPLICATION = "itpp.wsgi.application"
ASGI_APPLICATION = "itpp.asgi.application"

# PostgreSQL in production and in the tests; an embedded SQLite file for the quick start.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The quick start's SQLite builds the covering index without its INCLUDE columns:
    # slower counts, same answers, so `make run` need not warn about it at every start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker of every instance: the API's throttle counters and every
# other use of `django.core.cache.cache` live there, so a limit is the configured one however
# many processes serve. Redis when REDIS_URL is set (redis://HOST:6379/DB); otherwise a table
# in the database (created by `migrate`, maintenance/migrations), so the quick start needs no
# server. Never a per-process cache.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_TABLE = "itpp_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "itpp",
            # A Redis that stops answering must not hang a request (healthz reports it).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Django's default of 300 entries would cull live throttle counters under load.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# The progress cache (progress/cache.py): counts live in the shared cache until the next
# write to counted data (a data version), or at most this many seconds, which bound how long
# a write made while the cache was unreachable can leave an older count in view. 0: off.
PROGRESS_CACHE_SECONDS = env.int("PROGRESS_CACHE_SECONDS", default=600)

# Background work (Celery): report files, stock-take snapshots, mail and webhook deliveries.
# The broker and result store default to the shared Redis. Without either (the quick start)
# tasks run in-process when queued (`task_always_eager`), so `make run` needs no server;
# CELERY_TASK_ALWAYS_EAGER=true forces that with a broker too (the tests, except the ones
# that start a real worker).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
# An eager task's exception reaches its caller, as a synchronous call's would.
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged after it ran, so a worker that dies mid-task leaves it for another;
# tasks are written to be idempotent for that reason. One task at a time per process: the
# work is long (reports), so prefetching would only queue it behind a busy process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Robustness of the worker: a task that runs away is stopped (soft limit first, so it can
# mark its job failed; then the hard limit kills the process), a process is replaced after
# so many tasks (a PDF renderer's memory is given back), and a task a worker held when its
# broker connection dropped is stopped rather than run twice. With acks late on Redis, a task
# not acknowledged within the visibility timeout is handed to another worker, so that timeout
# must exceed the longest task (the hard limit).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 60)
# Report files have limits of their own: a year's XLSX at 1,000,000 activities takes about
# 13 minutes on the 2-core machine (docs/scaling.md), more than the other tasks' limit.
CELERY_REPORT_SOFT_TIME_LIMIT = env.int("CELERY_REPORT_SOFT_TIME_LIMIT", default=1800)
CELERY_REPORT_TIME_LIMIT = CELERY_REPORT_SOFT_TIME_LIMIT + 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any task may run, or a running task would be handed to a second worker.
    "visibility_timeout": max(3600, 2 * max(CELERY_TASK_TIME_LIMIT, CELERY_REPORT_TIME_LIMIT)),
    # A broker that is down is told within seconds: the request that queues a task falls back
    # (itpp/tasks.send) instead of hanging on the connection.
    "socket_connect_timeout": 3,
}
# Sending a task retries briefly (about 1.5 s in all), then gives up to the fallback.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TRACK_STARTED = True
# Periodic tasks run by `make beat` (celery beat, one per deployment); each entry is named
# after its task.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # The Idempotency-Key and form-token rows live 24 hours (activities/idempotency.py).
    "activities.purge_expired_creation_keys": {
        "task": "activities.tasks.purge_expired_creation_keys",
        "schedule": timedelta(hours=1),
    },
    # Report files are kept for a day (reports.models.JOB_LIFETIME); this deletes them after.
    "reports.purge_expired_report_jobs": {
        "task": "reports.tasks.purge_expired_report_jobs",
        "schedule": timedelta(hours=1),
    },
    # API tokens past their expiry (authentication checks only the presented one's).
    "accounts.purge_expired_api_tokens": {
        "task": "accounts.tasks.purge_expired_api_tokens",
        "schedule": timedelta(hours=1),
    },
    # Each user's weekly digest, Monday 07:00 on the programme's clock (CELERY_TIMEZONE).
    "cycle.send_weekly_digests": {
        "task": "cycle.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}
# Webhooks (webhooks/network.py) go only to public addresses; these networks (comma-separated
# CIDRs, e.g. "10.20.0.0/16,fd00:1::/64") are let through too, for receivers inside the
# deployment's own network. Checked here, so that a typo stops the start.
WEBHOOK_ALLOWED_NETWORKS = [
    str(ipaddress.ip_network(cidr.strip(), strict=False))
    for cidr in env.list("DJANGO_WEBHOOK_ALLOWED_NETWORKS", default=[])
    if cidr.strip()
]
# Seconds a receiver has to answer one delivery attempt (connect and response).
WEBHOOK_TIMEOUT = 5.0
# Each worker writes a heartbeat into the shared cache every WORKER_HEARTBEAT_INTERVAL
# seconds; `/healthz/` says `stale` when the newest is older than
# WORKER_HEARTBEAT_STALE_AFTER (itpp/heartbeat.py). Not a reason for a 503: the pages work
# without a worker, only the background work waits.
WORKER_HEARTBEAT_INTERVAL = env.float("DJANGO_WORKER_HEARTBEAT_INTERVAL", default=30.0)
WORKER_HEARTBEAT_STALE_AFTER = env.float(
    "DJANGO_WORKER_HEARTBEAT_STALE_AFTER", default=4 * WORKER_HEARTBEAT_INTERVAL
)

# IATI publishing (/api/v1/iati/): the reporting organisation's registered IATI identifier
# and name. The identifier's default is a placeholder: a publisher registered with IATI
# sets its own.
IATI_REPORTING_ORG_REF = env.str("DJANGO_IATI_REPORTING_ORG_REF", default="XI-ITPP-NATO")
IATI_REPORTING_ORG_NAME = env.str(
    "DJANGO_IATI_REPORTING_ORG_NAME", default="North Atlantic Treaty Organization"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Mail, off until configured: DJANGO_EMAIL_URL, e.g. smtp+tls://USER:PASSWORD@HOST:587
# (django-environ's e-mail URL). Without it nothing is sent, and what needs mail is off:
# the password reset pages answer 404 (accounts/urls.py) instead of promising an e-mail
# that never comes.
EMAIL_URL = env.str("DJANGO_EMAIL_URL", default="")
EMAIL_CONFIGURED = bool(EMAIL_URL)
if EMAIL_CONFIGURED:
    _email = env.email_url_config(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the app is reached, e.g. https://itpp.example.org: the links in its e-mails
# (notifications go from the worker, which has no request to take the address from).
SITE_URL = env.str("DJANGO_SITE_URL", default="").rstrip("/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The interface's languages (docs/i18n.md says how to add one). English is British English,
# as NATO writes it; a browser asking for en-US gets it too.
LANGUAGES = [
    ("en-gb", "English"),
    ("fr", "Français"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in templates use named formats (|date:"DATE_FORMAT", "LONG_DATE_FORMAT"...), set per
# language in itpp/formats/<locale>/formats.py: "30 Nov 2026", "30 nov. 2026", "2026年11月30日".
FORMAT_MODULE_PATH = ["itpp.formats"]
# The switcher's choice, also before signing in (accounts.languages.remember()).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Brussels")
# Periodic tasks (e.g. Monday-morning reminders) follow the programme's clock.
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files (attachments, report jobs' files) live under MEDIA_ROOT,
# outside the static files and never served by URL: only the authorised download views read
# them (no MEDIA_URL on purpose). Every instance and worker must see the same directory (a
# shared volume or network file system; docs/scaling.md): a file a worker writes is
# downloaded through whichever instance the balancer picks.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Where attachments are stored: `local` (MEDIA_ROOT) or `s3`, any S3-compatible store through
# django-storages (installed separately, see docs/configuration.md), configured by the
# DJANGO_ATTACHMENT_S3_* variables.
ATTACHMENT_STORAGE = env.str("DJANGO_ATTACHMENT_STORAGE", default="local")
if ATTACHMENT_STORAGE == "s3":
    _attachment_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DJANGO_ATTACHMENT_S3_BUCKET"),
            "endpoint_url": env.str("DJANGO_ATTACHMENT_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("DJANGO_ATTACHMENT_S3_REGION", default=None),
            "access_key": env.str("DJANGO_ATTACHMENT_S3_ACCESS_KEY", default=None),
            "secret_key": env.str("DJANGO_ATTACHMENT_S3_SECRET_KEY", default=None),
            # Private objects; downloads go through the application, never a public URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif ATTACHMENT_STORAGE == "local":
    # No location: FileSystemStorage reads MEDIA_ROOT when used (tests point it elsewhere).
    _attachment_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise SystemExit("ITPP Tracker: DJANGO_ATTACHMENT_STORAGE must be `local` or `s3`.")
# The largest attachment accepted, in bytes (413 above it): 25 MiB by default.
ATTACHMENT_MAX_SIZE = env.int("DJANGO_ATTACHMENT_MAX_SIZE", default=25 * 1024 * 1024)
# Uploads above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploaded files get no execute bit and are readable by the application's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The public progress page (/public/): rendered pages are kept this many seconds in the
# shared cache, and each client address may ask for it this often (429 beyond).
PUBLIC_PAGE_CACHE_SECONDS = env.int("DJANGO_PUBLIC_PAGE_CACHE_SECONDS", default=60)
PUBLIC_PAGE_RATE = env.str("DJANGO_PUBLIC_PAGE_RATE", default="60/min")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": _attachment_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. Secure by default whenever DEBUG is off; each switch can be turned off
# (for example behind a TLS-terminating proxy that already redirects, or in tests
# served over plain HTTP on loopback).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# The network edge (docs/security.md): how many reverse proxies stand in front of the app.
# 0, the default, trusts no forwarded header at all: the client is the socket's peer and the
# scheme is the connection's own. N > 0 takes the client address from the N-th entry from the
# right of X-Forwarded-For (each proxy appends the address it saw, so those entries are
# written by our proxies and the ones further left by anyone) and the scheme from
# X-Forwarded-Proto. The same number drives DRF's throttles, django-axes (through
# django-ipware) and gunicorn's forwarded_allow_ips (gunicorn.conf.py).
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise SystemExit("ITPP Tracker: DJANGO_PROXY_COUNT must be 0 or a positive number.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PROXY_COUNT else None
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Sessions in the database (Django's default, stated here because it matters): every web
# instance reads the same sessions, so a login on one is valid on all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: everything from this server, no inline script or style, no
# eval; Bootstrap's CSS uses data: images. Nothing may frame the app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is locked for AXES_COOLOFF_TIME hours (an administrator can unlock it in the
# admin under "Access attempts", or with `manage.py axes_reset_username USERNAME`).
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DJANGO_AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address a lockout is tied to comes from django-ipware, set to agree with DRF's
# NUM_PROXIES: with no proxy only the socket's peer counts (a forged X-Forwarded-For must not
# give a guesser a fresh address per request). With N proxies, ipware counts the proxies
# *listed* in X-Forwarded-For, which is one fewer than the proxies in front (the last one is
# the socket's peer), so N - 1 picks the same entry as DRF: the N-th from the right.
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)
# Not strict: a client that sends its own X-Forwarded-For lengthens the chain; the entries
# our proxies appended are still the last ones, and those are the ones counted.
IPWARE_STRICT = False

REST_FRAMEWORK = {
    # Token first: an anonymous request is then answered 401 with a WWW-Authenticate
    # header (with session authentication alone it would be 403). Browsers keep using
    # the session, with CSRF protection.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's, without its clean-up of the user's other tokens on every request
        # (expired ones are purged by accounts.tasks.purge_expired_api_tokens).
        "itpp.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["itpp.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "itpp.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond it), see itpp/api/parsers.py.
    "DEFAULT_PARSER_CLASSES": ["itpp.api.parsers.JSONParser"],
    # Fair use: every request counts against `user` (or `anon`, per address, which also
    # counts refused requests); writes and CSV exports also against their own scope.
    "DEFAULT_THROTTLE_CLASSES": [
        "itpp.api.throttling.AnonRateThrottle",
        "itpp.api.throttling.UserRateThrottle",
        "itpp.api.throttling.WriteRateThrottle",
        "itpp.api.throttling.ExportRateThrottle",
    ],
    # The client address of `anon` (see PROXY_COUNT above).
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("DJANGO_API_RATE_ANON", default="60/min"),
        "user": env.str("DJANGO_API_RATE_USER", default="1200/min"),
        "write": env.str("DJANGO_API_RATE_WRITE", default="300/min"),
        "export": env.str("DJANGO_API_RATE_EXPORT", default="30/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "itpp.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "itpp.api.exceptions.exception_handler",
}
# The largest request body accepted (the API answers 413 beyond it; uploaded files are
# not counted). An activity is at most a few tens of kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# API tokens are stored hashed; `create_api_token` sets each one's expiry.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=90),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ITPP Tracker API",
    "DESCRIPTION": (
        "The programme framework, the activity log and progress of Individually Tailored "
        "Partnership Programmes. Authenticate with `Authorization: Token <key>` (see "
        "`manage.py create_api_token`) or a browser session. Errors are JSON: 400 with the "
        "offending field names as keys (or `non_field_errors`), otherwise `detail`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Separate request and response components: read-only fields are not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the sidecar's static files: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "itpp.api.schema.allow_empty_query_values",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActivityTypeEnum": "activities.models.ActivityType",
        "ActivityStatusEnum": "activities.models.ActivityStatus",
        "WebhookEventEnum": "webhooks.models.Event",
    },
}

# django-import-export: an import is one transaction, so an invalid row saves nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin's own export must not write live formulas (its option strips a leading "=";
# the activity resource also prefixes risky cells with ' as the app's exports do).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Limits of a spreadsheet import, checked before the file is parsed (activities/imports.py).
IMPORT_MAX_FILE_SIZE = env.int("DJANGO_IMPORT_MAX_FILE_SIZE", default=5 * 1024 * 1024)
IMPORT_MAX_UNPACKED_SIZE = env.int("DJANGO_IMPORT_MAX_UNPACKED_SIZE", default=50 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("DJANGO_IMPORT_MAX_ROWS", default=5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": env.str("DJANGO_AXES_LOG_LEVEL", default="WARNING")},
        # WeasyPrint's steps and pages: read by report jobs for their progress
        # (reports.render), not worth a log line per page.
        "weasyprint.progress": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
