"""Test settings: the embedded default (SQLite unless DATABASE_URL, eager Celery unless REDIS_URL)."""

import os

# The tests' own keys, public and for the tests only (commission.settings refuses to start without keys
# when DEBUG is off; the test settings are the one module that runs on SQLite with DEBUG off).
os.environ.setdefault("SECRET_KEY", "test-only-public-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("FILES_ENCRYPTION_KEYS", "dGVzdC1vbmx5LXB1YmxpYy1rZXktbmV2ZXItcHJvZCE=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The unit tests run tasks in-process even when REDIS_URL is set; only the worker tests, run with
# CELERY_TASK_ALWAYS_EAGER=0, send tasks to a real worker.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Tests log in with a password only, except the two-factor tests which switch it on themselves.
os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")
os.environ.setdefault("ALLOW_WITHOUT_TWO_FACTOR", "1")

from commission.settings import *  # noqa: E402,F403
from commission.settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_FILES_ROOT = BASE_DIR / "var" / "test-private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic before tests: whitenoise finds files through the finders, as in development.
WHITENOISE_AUTOREFRESH = True

# The cache stays in the test process, emptied before each test (tests/conftest.py): what it keeps is
# keyed by ids that the next test's rows reuse, and emptying Redis would empty Celery's queues with it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}

# Lockout is exercised by its own tests (they switch it on); elsewhere repeated logins are legitimate.
AXES_ENABLED = False
