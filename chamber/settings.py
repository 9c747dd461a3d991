"""Settings, read from environment variables.

Unset, they give the embedded default: SQLite in ``var/`` and the in-memory channel layer,
one ASGI process (``make demo``). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and
ALLOWED_HOSTS (see docker/).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from chamber.security import is_loopback

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHAMBER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Debug pages show settings and tracebacks: only ever to this machine. The Makefile says where
# the server listens (CHAMBER_BIND_HOST=$(HOST)); bound to the room's network, DEBUG is off.
BIND_HOST = os.environ.get("CHAMBER_BIND_HOST", "127.0.0.1")
DEBUG = env_bool("DEBUG", "SECRET_KEY" not in os.environ) and is_loopback(BIND_HOST)
SECRET_KEY = os.environ.get("SECRET_KEY", "chamber-embedded-development-key-not-for-production")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
PORT = int(os.environ.get("PORT", "8000"))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "meeting",
    "documents",
    "voting",
    "record",
    "floor",
    "petitions",
    "resolutions",
    "realtime",
    "kiosk_ui",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "chamber.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into its answer (meeting.staff_login.locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chamber.urls"
ASGI_APPLICATION = "chamber.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chamber.sqlite3'}"),
        # Keep connections: a worker process otherwise opens one per database call.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
SQLITE_BUSY_TIMEOUT_SECONDS = 20
# A frozen worker or a lost network must not hold locks forever (DESIGN.md, "Invariants"):
# PostgreSQL sessions give up waiting for a lock, end runaway statements and end transactions
# left idle (their locks released, their writes rolled back). Seconds; 0 turns one off.
DB_LOCK_TIMEOUT = float(os.environ.get("CHAMBER_DB_LOCK_TIMEOUT", "5"))
DB_STATEMENT_TIMEOUT = float(os.environ.get("CHAMBER_DB_STATEMENT_TIMEOUT", "60"))
DB_IDLE_IN_TRANSACTION_TIMEOUT = float(
    os.environ.get("CHAMBER_DB_IDLE_IN_TRANSACTION_TIMEOUT", "10")
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {name}={int(seconds * 1000)}"
        for name, seconds in [
            ("lock_timeout", DB_LOCK_TIMEOUT),
            ("statement_timeout", DB_STATEMENT_TIMEOUT),
            ("idle_in_transaction_session_timeout", DB_IDLE_IN_TRANSACTION_TIMEOUT),
        ]
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: thirty tablets may vote in the same second on one box.
    # * Every transaction takes the write lock at BEGIN (IMMEDIATE): one that began by reading
    #   could not upgrade to writing later while another wrote — SQLite answers "database is
    #   locked" at once instead of waiting. Writers now queue, each waiting up to the busy
    #   timeout; this is also what keeps "no ballot after the close" without row locks.
    # * Write-ahead log: readers (snapshots, pages) never wait for the writer, nor it for them.
    #   synchronous=NORMAL is durable across a crash of the process in WAL mode.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000};"
                "PRAGMA temp_store=MEMORY"
            ),
        }
    )

REDIS_URL = os.environ.get("REDIS_URL")
# "redis" (channels_redis.core, the default) or "pubsub" (channels_redis.pubsub).
CHANNEL_LAYER_KIND = os.environ.get("CHANNEL_LAYER", "redis")
# Names in Redis (channel layer, coalescing claims) start with it: deployments may share one.
CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX", "chamber")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.pubsub.RedisPubSubChannelLayer"
                if CHANNEL_LAYER_KIND == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                # No client-side read timeout: redis-py 8 defaults to 5 s, which cuts the
                # layer's own 5 s blocking receive (BZPOPMIN) short on an idle channel and
                # kills the process's fan-out receiver (redis/redis-py#4091).
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "prefix": CHANNEL_PREFIX,
                # One receiver per process takes every event: give it room.
                "capacity": 10_000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff login: after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is locked for AXES_COOLOFF_TIME (the chair's own tablet is not locked out by another
# device guessing); a successful login forgets the failures.
AUTHENTICATION_BACKENDS = [
    "meeting.staff_login.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CHAMBER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CHAMBER_LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "meeting.staff_login.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Production collects static files (the STATIC_ROOT variable is set there, see docker/) with
# content-hashed names, so browsers and the proxy may cache them for a year. The embedded
# default and the tests serve them straight from the apps through WhiteNoise's finders.
if os.environ.get("STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
    WHITENOISE_USE_FINDERS = False
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "kiosk_ui.storage.HashedStaticStorage"},
    }
else:
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # a tablet stays signed in for a month
# A staff password sign-in lasts a working day (meeting.staff_login).
CHAMBER_STAFF_SESSION_SECONDS = int(os.environ.get("CHAMBER_STAFF_SESSION_SECONDS", 8 * 3600))

# How often each worker process refreshes its tablets' presence and its group memberships.
CHAMBER_HEARTBEAT_SECONDS = float(os.environ.get("CHAMBER_HEARTBEAT_SECONDS", "20"))
# Each server process closes written consultations at their deadline (resolutions.clock): it
# sleeps until the nearest deadline it knows and looks for new ones at least this often.
CHAMBER_CLOCK = env_bool("CHAMBER_CLOCK", True)
CHAMBER_CLOCK_RESCAN_SECONDS = float(os.environ.get("CHAMBER_CLOCK_RESCAN_SECONDS", "30"))
# A tablet whose process has not refreshed it for this long is shown as disconnected.
CHAMBER_PRESENCE_STALE_SECONDS = float(os.environ.get("CHAMBER_PRESENCE_STALE_SECONDS", "60"))
# A screen that does not take its frames is closed (4408) when its outbound queue holds more
# than this many bytes, or when one frame has waited this long to be written.
CHAMBER_SEND_QUEUE_BYTES = int(os.environ.get("CHAMBER_SEND_QUEUE_BYTES", 1024 * 1024))
CHAMBER_SEND_STALL_SECONDS = float(os.environ.get("CHAMBER_SEND_STALL_SECONDS", "5"))
# Check every published payload against its declared shape (realtime.events): on in the test
# suite and under DEBUG; in the room a drifted payload is better sent than refused.
CHAMBER_CHECK_EVENTS = env_bool("CHAMBER_CHECK_EVENTS", DEBUG)

# Session documents (documents/): limits of an upload, and the page-rendering processes.
CHAMBER_MAX_PDF_BYTES = int(os.environ.get("CHAMBER_MAX_PDF_BYTES", 100 * 1024 * 1024))
CHAMBER_MAX_PDF_PAGES = int(os.environ.get("CHAMBER_MAX_PDF_PAGES", 2000))
CHAMBER_RENDER_PROCESSES = int(os.environ.get("CHAMBER_RENDER_PROCESSES", 2))
CHAMBER_RENDER_TIMEOUT_SECONDS = float(os.environ.get("CHAMBER_RENDER_TIMEOUT_SECONDS", 60))
# Intake (open, check, read the text) runs in a process of its own, within these limits.
CHAMBER_INTAKE_TIMEOUT_SECONDS = float(os.environ.get("CHAMBER_INTAKE_TIMEOUT_SECONDS", 60))
CHAMBER_MAX_PAGE_TEXT_CHARS = int(os.environ.get("CHAMBER_MAX_PAGE_TEXT_CHARS", 30_000))
CHAMBER_MAX_PDF_TEXT_CHARS = int(os.environ.get("CHAMBER_MAX_PDF_TEXT_CHARS", 5_000_000))
# Address space of each intake and rendering process; a page image has at most this many pixels.
CHAMBER_WORKER_MEMORY_MB = int(os.environ.get("CHAMBER_WORKER_MEMORY_MB", 1024))
CHAMBER_MAX_PAGE_PIXELS = int(os.environ.get("CHAMBER_MAX_PAGE_PIXELS", 12_000_000))
# Behind nginx: let it send page files (X-Accel-Redirect to this internal prefix).
CHAMBER_ACCEL_REDIRECT_PREFIX = os.environ.get("CHAMBER_ACCEL_REDIRECT_PREFIX", "")
# The address citizens reach Chamber at (https://hdnd.example.vn): the minutes' verification
# link and QR code are built from it, so the same minutes are the same bytes whoever downloads
# them. Unset: the address of the request.
CHAMBER_PUBLIC_URL = os.environ.get("CHAMBER_PUBLIC_URL", "").rstrip("/")
# Request bodies: refused by size before they are read (chamber/limits.py). Only the document
# uploads take more than CHAMBER_MAX_REQUEST_BYTES; their file goes to a temporary file.
CHAMBER_MAX_REQUEST_BYTES = int(os.environ.get("CHAMBER_MAX_REQUEST_BYTES", 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = CHAMBER_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "chamber.limits.CappedTemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# With SECRET_KEY set (production), HTTPS only: secure cookies, HTTP redirected to HTTPS, HSTS.
# SECURE_COOKIES=false turns all three off, for a closed LAN served over plain HTTP.
HTTPS_ONLY = "SECRET_KEY" in os.environ and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS_ONLY else 0
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the containers' health check, from inside

# E-mail (reminders and overdue notices: meeting.reminders, `chamber send_reminders`).
# Unset EMAIL_HOST: messages are printed on the console instead of sent (the embedded default).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chamber@localhost")
