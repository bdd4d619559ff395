"""Settings read from the environment.

Production fails closed: with DEBUG off, the site refuses to start until the environment names its
PostgreSQL database, its Redis (or says CELERY_TASK_ALWAYS_EAGER=1), its SMTP server, its address and
its keys, naming every missing variable in one message (see `_refuse_incomplete_production` at the end).
Only the demo (DEBUG=1) falls back to SQLite in the repository, tasks run in the web process, e-mails
printed to the console and public development keys; the test settings (commission/settings_test.py)
bring their own keys and run on SQLite.
"""

import datetime
import os
from email.utils import getaddresses
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# What production lacks, each as "VARIABLE: what to set", refused at the end all in one message.
_PRODUCTION_PROBLEMS = []

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    _PRODUCTION_PROBLEMS.append("SECRET_KEY: a long random secret (50 characters or more)")
    if DEBUG:
        # The demo only: with DEBUG off the start is refused (no flag lifts that).
        SECRET_KEY = "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "django_countries",
    "django_htmx",
    "django_celery_beat",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "commission",
    "beneficiaires",
    "parcours",
    "commission.seances",
    # `manage.py load_demo` (make demo): a tool beside the apps, with no models; nothing imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after the user is known, so that it marks every answer below it (commission/cache_control.py).
    "commission.cache_control.NoStoreWhenSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "commission.middleware.TwoFactorRequiredMiddleware",
    "commission.middleware.RoleActorMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form sent twice (Back, a double click) does nothing the second time (commission/idempotency.py).
    "commission.idempotency.OneSubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees every authentication attempt's outcome.
    "axes.middleware.AxesMiddleware",
]

# django-dsfr marks a component's content safe unless told otherwise: escape it like any template value.
DSFR_CONTENT_IS_SAFE = False

ROOT_URLCONF = "commission.urls"
WSGI_APPLICATION = "commission.wsgi.application"

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
                "commission.context_processors.site",
            ],
            "builtins": ["commission.templatetags.formats_fr"],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _PRODUCTION_PROBLEMS.append("DATABASE_URL: the PostgreSQL database, postgres://role@host:5432/name")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A runaway query cannot hold the site (milliseconds).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env.int('STATEMENT_TIMEOUT_MS', default=30000)}"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo, with several people at once: readers never wait for the writer (WAL), every
    # transaction takes the write lock at its start (a request never fails upgrading a read lock, the
    # "database is locked" error), and a request waits up to 20 s for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "commission.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt on a locked-out account before the password is even checked.
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

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Documents and letters live outside STATIC_ROOT and any web-served media root; they are only read
# through views that check the right to see the dossier.
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(BASE_DIR / "var" / "private")))
# Data of ended files are kept this long after the last one ended, then anonymised (daily job).
RETENTION_DAYS_AFTER_END = env.int("RETENTION_DAYS_AFTER_END", default=3 * 365)
# Fernet keys (urlsafe base64, 32 bytes) for the files at rest, newest first; see the README before
# changing them: a file encrypted with a lost key is lost.
FILES_ENCRYPTION_KEYS = env.list("FILES_ENCRYPTION_KEYS", default=[])
if not FILES_ENCRYPTION_KEYS:
    _PRODUCTION_PROBLEMS.append("FILES_ENCRYPTION_KEYS: the Fernet keys of the files at rest, newest first")
    if DEBUG:
        # The demo only (with DEBUG off the start is refused): a fixed, public key.
        FILES_ENCRYPTION_KEYS = ["ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="]

# Change history (django-auditlog): values of identity and free-text fields are masked entirely.
AUDITLOG_MASK_CALLABLE = "commission.audit.mask_value"

# Uploads (commission/uploads.py): nothing clear is ever spooled to a temporary folder. The first handler
# skips a file over UPLOAD_MAX_FILE_SIZE, or any file of a body over FILE_UPLOAD_MAX_MEMORY_SIZE, as it
# is read; what passes stays in memory (no TemporaryFileUploadHandler) until it is checked and written
# encrypted. The fields of a form, files apart, hold DATA_UPLOAD_MAX_MEMORY_SIZE at most. The proxy
# in front should refuse larger bodies first (nginx: client_max_body_size 12m).
UPLOAD_MAX_FILE_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_FILE_SIZE + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = [
    "commission.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
]

# E-mail: console in the demo, SMTP from EMAIL_URL in production (the console would print password-reset
# and enrolment links into the server's log).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    _PRODUCTION_PROBLEMS.append("EMAIL_URL: the SMTP server, smtp+tls://user:password@host:587")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="commission-psp@example.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Two-factor authentication (TOTP with recovery codes) for every account. Only the demo may switch it
# off (TWO_FACTOR_REQUIRED=0 with DEBUG); production refuses to start without it unless
# ALLOW_WITHOUT_TWO_FACTOR=1 says so explicitly.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
if not TWO_FACTOR_REQUIRED and not DEBUG and not env.bool("ALLOW_WITHOUT_TWO_FACTOR", default=False):
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED=0 needs DEBUG or ALLOW_WITHOUT_TWO_FACTOR=1.")
OTP_TOTP_ISSUER = "Commission PSP"
RECOVERY_CODES_COUNT = 10
# A first authenticator is enrolled only through a one-time link e-mailed to the account; it expires.
TWO_FACTOR_ENROLMENT_LINK_HOURS = env.int("TWO_FACTOR_ENROLMENT_LINK_HOURS", default=72)

# Lockout after failed logins (django-axes, commission/lockout.py). Two limits, so that an attacker
# cannot lock others out and one office's typos do not lock its colleagues out:
# - an account from one address: AXES_FAILURE_LIMIT failures (default 5) lock that account from that
#   address only (the same account from elsewhere, and other accounts from there, still log in);
# - an address on any account: LOCKOUT_ADDRESS_FAILURE_LIMIT failures (default 50) lock that address.
# Both last AXES_COOLOFF_MINUTES (default 30) after the last failure; no password is checked meanwhile.


def _env_positive_int(name, default=None):
    """A whole number above zero from the environment; a missing (without default) or invalid value
    refuses to start, naming the variable."""
    raw = env.str(name, default="").strip()
    if not raw and default is not None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number above zero (got {raw!r}).")
    return int(raw)


def _env_strict_bool(name):
    """1/0, true/false, yes/no, on/off from the environment (off when unset); anything else refuses."""
    raw = env.str(name, default="").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {raw!r}).")


AXES_FAILURE_LIMIT = _env_positive_int("AXES_FAILURE_LIMIT", default=5)
LOCKOUT_ADDRESS_FAILURE_LIMIT = _env_positive_int("LOCKOUT_ADDRESS_FAILURE_LIMIT", default=50)
if LOCKOUT_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOCKOUT_ADDRESS_FAILURE_LIMIT must not be below AXES_FAILURE_LIMIT.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_env_positive_int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the address-wide limit: commission/lockout.py
AXES_HANDLER = "commission.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "commission.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Addresses are compared as typed at login, whatever their case (they log in whatever their case).
AXES_USERNAME_CALLABLE = "commission.lockout.username"
AXES_RESET_ON_SUCCESS = True
# A try during a lockout is refused without extending it: the page's "30 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# The client's address, which the lockout counts. Without a proxy: the connection's address. Behind
# reverse proxies (BEHIND_PROXY=1), PROXY_COUNT says how many there are between the Internet and the
# application (1: nginx alone), each appending the address it received the request from to
# PROXY_CLIENT_HEADER (default X-Forwarded-For); the client is then the PROXY_COUNT-th value from the
# right. Whatever a client writes into the header itself stays on the left, and is never read.
BEHIND_PROXY = _env_strict_bool("BEHIND_PROXY")
if BEHIND_PROXY:
    PROXY_COUNT = _env_positive_int("PROXY_COUNT")
    PROXY_CLIENT_HEADER = env.str("PROXY_CLIENT_HEADER", default="X-Forwarded-For").strip()
    if not PROXY_CLIENT_HEADER.replace("-", "").isalnum() or not PROXY_CLIENT_HEADER.isascii():
        raise ImproperlyConfigured(
            f"PROXY_CLIENT_HEADER must be a header name (got {PROXY_CLIENT_HEADER!r})."
        )
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_" + PROXY_CLIENT_HEADER.upper().replace("-", "_"),)
    # django-ipware counts the proxies listed in the header, after the client: the last proxy, which
    # connects to the application, is not among them. Read from the right, tolerating what a client
    # prepended (strict would refuse such a header and count every such client as one).
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Content-Security-Policy: no inline script or style, nothing from elsewhere.
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

# Security headers and cookies.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: each request pushes the expiry back
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process (the demo; in
# production only with an explicit CELERY_TASK_ALWAYS_EAGER=1, which runs no beat: no daily job).
REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL and not env.bool("CELERY_TASK_ALWAYS_EAGER", default=False):
    _PRODUCTION_PROBLEMS.append(
        "REDIS_URL: Celery's broker and the cache, redis://host:6379/0 (CELERY_TASK_ALWAYS_EAGER=1 runs "
        "tasks in the web process instead, without any daily job: unfit for production)"
    )
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Time limits: past the soft one a task gets SoftTimeLimitExceeded (and fails cleanly), past the hard one
# its worker process is killed. A job still "en cours" past its hard limit is therefore stuck, and its
# page offers to relaunch it (commission.jobs). The PDF jobs (WeasyPrint) and the exports get longer.
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_TIME_LIMIT = 5 * 60
_LONG_JOB = {"soft_time_limit": 15 * 60, "time_limit": 20 * 60}
_LONG_JOBS = (
    "parcours.tasks.produce_letters",
    "parcours.tasks.produce_end_notice",
    "commission.tasks.render_minutes",
    "commission.seances.tasks.rerender_minutes",
    "parcours.tasks_exports.export_dossiers",
)
# The nightly scans of whole tables (the access log's chain, the anonymisation) get the long limit too,
# on the default queue: they run at night, when no e-mail waits.
_NIGHTLY_SCANS = ("commission.tasks.verify_access_log", "parcours.tasks.anonymise_ended_files")
CELERY_TASK_ANNOTATIONS = {name: dict(_LONG_JOB) for name in _LONG_JOBS + _NIGHTLY_SCANS}
# With acks_late, a message a dead worker held goes back to the queue after the visibility timeout: it
# must exceed the longest hard limit, or Redis would hand a running job to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30 * 60}
# The long jobs have their own queue and workers, so e-mails never wait behind WeasyPrint (README,
# "Real servers"); everything else stays on the default queue "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {name: {"queue": "pdf"} for name in _LONG_JOBS}
# A job queued this long ago and never started is enqueued again by the sweep (broker down meanwhile).
JOBS_SWEEP_AFTER_MINUTES = env.int("JOBS_SWEEP_AFTER_MINUTES", default=10)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Each web process's own memory, for small menus read on every page and allowed to be a few
    # minutes old (the lists' caseworker menu): no round trip to Redis.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}

# Errors reach someone: with DEBUG off, every error logged (a request's 500, a failed task, a broken
# access log) is e-mailed to ADMINS ("Nom <adresse>, Autre <adresse>"), as plain text that names no one
# (commission/monitoring.py: no exception message, POST/GET values, local variables, cookies or user).
ADMINS = [
    (name or address, address)
    for name, address in getaddresses([env.str("ADMINS", default="")])
    if "@" in address
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"private": {"()": "commission.monitoring.PrivateFormatter"}},
    "handlers": {
        # Tracebacks without the exceptions' messages (they may quote a person's data).
        "console": {"class": "logging.StreamHandler", "formatter": "private"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "commission.monitoring.PrivateAdminEmailHandler",
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (among them its mail_admins, which would include POST data) give way to
        # the root's: each error is mailed once, through the private handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Eager tasks would log every success in the web process; failures still show.
        "celery.app.trace": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
# The worker keeps this configuration (Celery would replace the root's handlers with its own): a failed
# task is mailed too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Sentry, when SENTRY_DSN is set: no personal data leaves (send_default_pii off, no local variables,
# no request body, every event scrubbed by commission.monitoring.scrub_event).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from commission.monitoring import init_sentry

    init_sentry(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

SITE_TITLE = _("Commission départementale PSP")
SITE_TAGLINE = _("Parcours de sortie de la prostitution et d’insertion sociale et professionnelle")

# Daily jobs, synchronised into django-celery-beat's tables by the beat process.
CELERY_BEAT_SCHEDULE = {
    # The outbox: e-mails whose job was lost (broker down) or failed longer than its retries.
    "send-unsent-emails": {
        "task": "commission.tasks.send_unsent_emails",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "anonymise-ended-files": {
        "task": "parcours.tasks.anonymise_ended_files",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 12 * 60 * 60},
    },
    "purge-exports": {
        "task": "parcours.tasks_exports.purge_exports",
        "schedule": crontab(hour=4, minute=0),
        "options": {"expires": 12 * 60 * 60},
    },
    "end-lapsed-pathways": {
        "task": "parcours.tasks.end_lapsed_pathways",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 12 * 60 * 60},
    },
    "verify-access-log": {
        "task": "commission.tasks.verify_access_log",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 12 * 60 * 60},
    },
    "sweep-jobs": {
        "task": "commission.seances.tasks.sweep_jobs",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "daily-reminders": {
        "task": "parcours.tasks.daily_reminders",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 12 * 60 * 60},
    },
}

# Absolute address of the site, for links in e-mails sent by jobs (no request to build it from).
SITE_URL = env.str("SITE_URL", default="")
if not SITE_URL.startswith(("https://", "http://")):
    _PRODUCTION_PROBLEMS.append("SITE_URL: the site's public address, https://psp.example.gouv.fr")
    SITE_URL = "http://127.0.0.1:8000"  # the demo's (with DEBUG off the start is refused)

# The worker's heartbeat, every minute: the health check reads its last success (commission/monitoring.py).
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "commission.monitoring.heartbeat",
    "schedule": 60.0,
    "options": {"expires": 50},
}


def _refuse_incomplete_production():
    """With DEBUG off, refuse to start on any development fallback, naming every missing variable at once.
    The test settings module alone runs with DEBUG off on SQLite and eager tasks (its keys are its own)."""
    if DEBUG or os.environ.get("DJANGO_SETTINGS_MODULE") == "commission.settings_test":
        return
    if _PRODUCTION_PROBLEMS:
        raise ImproperlyConfigured(
            "DEBUG is off (production) and the environment lacks: "
            + "; ".join(_PRODUCTION_PROBLEMS)
            + '. Set them (README, "Real servers"), or DEBUG=1 for the demo only.'
        )


_refuse_incomplete_production()
