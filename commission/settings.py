"""Settings read from the environment.

Without DATABASE_URL the application uses SQLite in the repository; without REDIS_URL Celery runs
tasks eagerly in the calling process (the "embedded default" of `make demo` and `make test`).
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and not env.bool("ALLOW_DEV_SECRET_KEY", default=False):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for the demo and the tests: never reached in production (see above).
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
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A runaway query cannot hold the site (milliseconds).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env.int('STATEMENT_TIMEOUT_MS', default=30000)}"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

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
    if not DEBUG and not env.bool("ALLOW_DEV_SECRET_KEY", default=False):
        raise ImproperlyConfigured("FILES_ENCRYPTION_KEYS must be set when DEBUG is off.")
    # Demo and tests only (never reached in production, see above): a fixed, public key.
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

# E-mail: console in the demo, SMTP from EMAIL_URL in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
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

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Eager tasks would log every success in the web process; failures still show.
    "loggers": {"celery.app.trace": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

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
    "daily-reminders": {
        "task": "parcours.tasks.daily_reminders",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 12 * 60 * 60},
    },
}

# Absolute address of the site, for links in e-mails sent by jobs (no request to build it from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
