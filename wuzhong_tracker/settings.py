"""Settings for Wuzhong Tracker: one module, every deployment difference comes from the environment.

See README.md, "Configuration", for each variable. Values are parsed strictly (wuzhong_tracker/env.py):
a malformed value stops the process with ImproperlyConfigured instead of being silently ignored.
"""

import datetime as dt
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from wuzhong_tracker.env import env_bool, env_database, env_date, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default=None)
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # The same bar as `check --deploy` (security.W009), enforced at start-up: sessions, password reset
    # links and signed values all rest on this key.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use at least 50 random characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

# The demo clock (wuzhong_tracker/clock.py): while set, the service treats this date as today. For
# demonstrations and training on a past year only, never in production.
DEMO_TODAY = env_date("DEMO_TODAY", default=None)
if DEMO_TODAY is not None and not DEBUG:
    raise ImproperlyConfigured(
        "DEMO_TODAY (the demo clock) is only allowed with DEBUG on; unset it in production."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env_url("SITE_URL", default="http://localhost:8000", schemes={"http", "https"})
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "wuzhong_tracker.apps.WuzhongTrackerConfig",
    "targets",
    "progress",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL bytes in the URL and bodies over REQUEST_BODY_MAX_BYTES are refused before anything reads them.
    "wuzhong_tracker.boundary.RequestBoundaryMiddleware",
    "csp.middleware.CSPMiddleware",
    # gunicorn serves the admin's CSS and scripts itself (collected by `make init`): no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sets the sign-in device cookie after a successful sign-in (wuzhong_tracker/sign_in.py).
    "wuzhong_tracker.sign_in.DeviceCookieMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The largest request body accepted (bytes), judged from Content-Length before the body is read: an entry
# with its evidence files. Django's own limits stay as they are for the form fields (2.5 MB) and the number
# of fields and files; exceeding either is a 400 (413 for the size) in the API's error shape.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", default=50 * 1024 * 1024, minimum=1024)

ROOT_URLCONF = "wuzhong_tracker.urls"
WSGI_APPLICATION = "wuzhong_tracker.wsgi.application"

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
                "wuzhong_tracker.context_processors.demo_clock",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}

# A shared cache (Redis) in production, so that API throttling counts across processes; per process
# otherwise.
_CACHE_URL = env_url("CACHE_URL", default=None, schemes={"redis", "rediss"})
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The only sign-in page is the admin's (evidence downloads send anonymous visitors there). A sign-in whose
# `next` is refused (another host, a scheme) lands on the admin's index, not on Django's /accounts/profile/.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# django-axes first: it refuses a locked-out username and address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese whatever the browser asks for: the users are a city's departments, and bulletins must read the
# same for everyone (hence no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Date inputs that accept what officials type: 2020-07-03, 2020/7/3 and 2020年7月3日 (Django's own zh-hans
# list spells the last one with strptime codes that mean something else).
FORMAT_MODULE_PATH = ["wuzhong_tracker.formats"]
# Chinese for the few strings of Django's admin its zh_Hans catalogue lacks (locale/zh_Hans).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Email. The console backend prints messages in development; production sets EMAIL_HOST.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
# For the file backend (django.core.mail.backends.filebased.EmailBackend, as `make run` uses): one file per
# sending process in this folder.
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="吴忠市目标任务督查系统 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Without a broker, tasks run inline in the calling process (the embedded default of `make run`).
_BROKER_URL = env_url("CELERY_BROKER_URL", default=None, schemes={"redis", "rediss"})
CELERY_TASK_ALWAYS_EAGER = _BROKER_URL is None
CELERY_BROKER_URL = _BROKER_URL or "memory://localhost/"  # never contacted while tasks run inline
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Save each schedule's last_run_at as soon as beat sends it (not every 3 minutes): /healthz reads it as the
# age of beat's last tick.
CELERY_BEAT_SYNC_EVERY = 1
# Tasks are acknowledged late; a message a killed worker held goes back to the queue after this many
# seconds. Longer than the longest task (the sweep's 30-minute limit), so a slow task is not run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=3600, minimum=1),
}
# Publishing must fail fast when the broker is down: the entry is already committed and the sweep catches
# up, so an official's save must not hang on retries (progress.services.status_refresh_enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}

# The status sweep writes this many targets per transaction.
STATUS_SWEEP_BATCH_SIZE = env_int("STATUS_SWEEP_BATCH_SIZE", default=1000, minimum=1)

# The 台账 import (progress/importing.py): a longer file is refused before it is validated, and a refused
# file lists only its first problems (with the total), so that neither ties up a web worker.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", default=20_000, minimum=1)
IMPORT_MAX_LISTED_ERRORS = env_int("IMPORT_MAX_LISTED_ERRORS", default=200, minimum=1)

# Evidence per entry, counting what a correction adds to what the entry has (each file: 10 MB at most).
EVIDENCE_MAX_FILES_PER_ENTRY = env_int("EVIDENCE_MAX_FILES_PER_ENTRY", default=20, minimum=1)
EVIDENCE_MAX_MB_PER_ENTRY = env_int("EVIDENCE_MAX_MB_PER_ENTRY", default=50, minimum=1)

# /healthz: how old beat's last tick and the last finished sweep may be before the service is unhealthy.
# Beat sends the outbox flush every minute; the sweep runs daily at 00:30.
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", default=5 * 60, minimum=1)
HEALTH_SWEEP_MAX_AGE = env_int("HEALTH_SWEEP_MAX_AGE", default=26 * 3600, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: an anonymous request is then answered 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "progress.api.filters.OrderingFilter",
    ],
    # DRF's parsers, refusing in Chinese and in the API's error shape (and refusing lone surrogates).
    "DEFAULT_PARSER_CLASSES": [
        "progress.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "progress.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "progress.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Counted in the default cache (per process unless a shared cache is configured).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "30/minute", "user": "600/minute"},
    "EXCEPTION_HANDLER": "progress.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "吴忠市目标任务督查系统 API",
    "DESCRIPTION": "2020年吴忠市政府工作报告目标任务、进度填报与状态。",
    "VERSION": "1.0.0",
    # Swagger UI (and Redoc's script) from the drf-spectacular-sidecar package: the docs work without
    # internet. Redoc is not served: its page template loads Google Fonts.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "progress.api.exceptions.empty_query_values_allowed",
    ],
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403) is one warning line: its traceback shows only Django raising PermissionDenied.
    "filters": {"refusals_without_traceback": {"()": "wuzhong_tracker.logs.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # django-axes announces its configuration at every start of every command; sign-in failures and
    # lockouts (axes.handlers…) are still logged.
    "loggers": {
        "axes.apps": {"level": "WARNING"},
        "django.request": {"filters": ["refusals_without_traceback"]},
        # Inline (eager) tasks are part of the request or command that ran them: their "succeeded" lines
        # are noise. A worker logs them as usual.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for the cool-off, even with the right password; other people and other
# addresses are unaffected. A browser that has signed in as that person before (its device cookie) is
# counted apart, so a colleague behind the same address cannot lock them out (wuzhong_tracker/sign_in.py).
# `manage.py axes_reset` (or axes_reset_username USERNAME) lifts it early.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_WHITELIST_CALLABLE = "wuzhong_tracker.sign_in.trusted_device"
AXES_RESET_ON_SUCCESS = True
# The cool-off counts from the lockout: attempts during it are refused unchecked either way, so extending it
# would not slow an attacker down, only keep out the owner who tries again too early.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，该账号已在本机暂时锁定，请稍后再试，或联系系统管理员解锁。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，该账号已在本机锁定，请联系系统管理员解锁。"
# Behind PROXY_COUNT reverse proxies the client's address is taken from X-Forwarded-For (counted from the
# right, so that a client cannot choose it); directly exposed, from the connection.
_PROXY_COUNT = env_int("PROXY_COUNT", default=0, minimum=0, maximum=5)
if _PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# HTTPS. With DEBUG off every protection is on by default (`manage.py check --deploy` is clean); a plain
# HTTP deployment on a trusted network, or a test server on 127.0.0.1, turns the redirect and the secure
# cookies off explicitly. Behind a TLS reverse proxy, SECURE_PROXY_SSL_HEADER=true trusts its
# X-Forwarded-Proto (the proxy must set or strip that header, never pass a client's through).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and Docker probe /healthz over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sent on HTTPS responses only, so a plain-HTTP deployment is unaffected.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response that has none of its own (evidence downloads send
# `default-src 'none'; sandbox`): scripts, fonts, images and connections from this site only, no plugins,
# no framing, forms post only here. Inline styles stay allowed: the admin's status lights, the report
# pages' print CSS and Swagger UI use them, and a style cannot run code; inline scripts do not (the admin
# has none, and Swagger UI's start-up script is served as a file: SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
