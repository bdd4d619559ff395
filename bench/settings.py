"""The site's own settings, plus the bench app (its `manage.py bench` command) and what the bench needs
to run on plain http on 127.0.0.1. Only `make bench` uses these settings: the site never installs the bench.

Static files: the manifest storage production uses, collected once into var/ by the bench (no
compression pass: it changes nothing to the pages' timing)."""

from commission.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]  # noqa: F405
STATIC_ROOT = BASE_DIR / "var" / "bench-static"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
