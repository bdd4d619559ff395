"""Test settings: the embedded default (SQLite unless DATABASE_URL, eager Celery unless REDIS_URL)."""

import os

os.environ.setdefault("ALLOW_DEV_SECRET_KEY", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

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
