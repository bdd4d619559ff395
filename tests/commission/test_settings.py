"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "FILES_ENCRYPTION_KEYS",
            "EMAIL_URL",
            "SITE_URL",
            "SECURE_SSL_REDIRECT",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    base.update(DJANGO_SETTINGS_MODULE="commission.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def _manage_without_servers(*args, **env):
    saved = {k: os.environ.pop(k) for k in ("DATABASE_URL", "REDIS_URL") if k in os.environ}
    try:
        return _manage(*args, **env)
    finally:
        os.environ.update(saved)


def test_without_redis_url_celery_runs_tasks_eagerly_and_with_it_sends_them_to_redis():
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)"
    assert (
        _manage_without_servers("shell", "-c", code, DEBUG="1").stdout.strip().splitlines()[-1]
        == "True memory://"
    )
    with_redis = _manage_without_servers("shell", "-c", code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9")
    assert with_redis.stdout.strip().splitlines()[-1] == "False redis://127.0.0.1:6379/9"


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-real-secret-key-for-the-test-" + "x7Qp" * 12,
        ALLOWED_HOSTS="psp.example.gouv.fr",
        FILES_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1rZXktZm9yLXRoZS10ZXN0LTAwMDA=",
        # Checked without connecting to any of them.
        DATABASE_URL="postgres://psp_app@db.example.invalid:5432/psp",
        REDIS_URL="redis://redis.example.invalid:6379/0",
        EMAIL_URL="smtp+tls://psp@smtp.example.invalid:587",
        SITE_URL="https://psp.example.gouv.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_files_encryption_key():
    result = _manage("check", ALLOWED_HOSTS="psp.example.gouv.fr", SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "FILES_ENCRYPTION_KEYS:" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="psp.example.gouv.fr")
    assert result.returncode != 0
    assert "SECRET_KEY:" in result.stderr


def test_french_language_and_paris_time():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_unit_tests_run_celery_tasks_eagerly():
    from commission.tasks import ping

    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert ping.delay().get() == "pong"


def test_without_database_url_the_database_is_sqlite_in_the_repository():
    result = _manage_without_servers(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        DEBUG="1",
    )
    assert result.stdout.strip().splitlines()[-1] == str(ROOT / "db.sqlite3")


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
