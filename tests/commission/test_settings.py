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
        if k not in {"DEBUG", "ALLOW_DEV_SECRET_KEY", "SECRET_KEY", "SECURE_SSL_REDIRECT"}
    }
    base.update(DJANGO_SETTINGS_MODULE="commission.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-real-secret-key-for-the-test-" + "x7Qp" * 12,
        ALLOWED_HOSTS="psp.example.gouv.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="psp.example.gouv.fr")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_french_language_and_paris_time():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


@pytest.mark.skipif("REDIS_URL" in os.environ, reason="CI runs this suite against Redis on purpose")
def test_without_redis_celery_runs_tasks_eagerly():
    from commission.tasks import ping

    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert ping.delay().get() == "pong"


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="CI runs this suite against PostgreSQL on purpose")
def test_without_database_url_the_database_is_sqlite_in_the_repository():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        DEBUG="1",
    )
    assert result.stdout.strip().splitlines()[-1] == str(ROOT / "db.sqlite3")


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
