"""Production fails closed: with DEBUG off the site refuses to start on any development fallback (SQLite,
tasks in the web process, e-mails printed to the log, links to 127.0.0.1, public keys), naming every
missing variable in one message. Each case starts a fresh process with a clean environment, as a
deployment does."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = ["SECRET_KEY", "FILES_ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"]

PRODUCTION = {
    "SECRET_KEY": "a-real-secret-key-for-the-test-" + "Hk3w" * 12,
    "FILES_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS10ZXN0LTAwMDA=",
    # Nothing connects to them: settings are only read.
    "DATABASE_URL": "postgres://psp_app@db.example.invalid:5432/psp",
    "REDIS_URL": "redis://redis.example.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://psp@smtp.example.invalid:587",
    "SITE_URL": "https://psp.example.gouv.fr",
}

SHOW = """
import django
django.setup()
from django.conf import settings
print(settings.DATABASES["default"]["ENGINE"], settings.EMAIL_BACKEND, settings.SITE_URL,
      settings.CELERY_TASK_ALWAYS_EAGER, settings.SECRET_KEY[:8], settings.FILES_ENCRYPTION_KEYS[0][:8])
"""


def _start(settings_module="commission.settings", **env):
    """`django.setup()` in a process whose environment holds only PATH and `env`."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": settings_module}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _named(result):
    """The variables the refusal names, from its one message."""
    messages = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("django.core.exceptions.ImproperlyConfigured")
    ]
    assert len(messages) == 1, result.stderr
    return set(re.findall(r"\b([A-Z_]+): ", messages[0]))


def test_without_any_variable_production_refuses_to_start_naming_all_of_them_in_one_message():
    result = _start(DEBUG="0")
    assert result.returncode != 0
    assert _named(result) == set(REQUIRED)
    assert "DEBUG=1 for the demo only" in result.stderr


def test_with_only_the_secrets_set_it_names_the_servers_still_missing():
    result = _start(
        DEBUG="0",
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
        FILES_ENCRYPTION_KEYS=PRODUCTION["FILES_ENCRYPTION_KEYS"],
    )
    assert result.returncode != 0
    assert _named(result) == {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"}


def test_debug_unset_is_production():
    result = _start(**{k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"})
    assert result.returncode != 0
    assert _named(result) == {"EMAIL_URL"}


def test_each_variable_alone_missing_is_named_alone():
    for name in REQUIRED:
        result = _start(DEBUG="0", **{k: v for k, v in PRODUCTION.items() if k != name})
        assert result.returncode != 0, name
        assert _named(result) == {name}


def test_every_variable_set_starts_on_postgresql_redis_and_smtp():
    result = _start(DEBUG="0", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.mail.backends.smtp.EmailBackend",
        "https://psp.example.gouv.fr",
        "False",
        PRODUCTION["SECRET_KEY"][:8],
        PRODUCTION["FILES_ENCRYPTION_KEYS"][:8],
    ]


def test_sqlite_and_a_console_or_file_mailer_are_refused_even_when_named():
    result = _start(
        DEBUG="0",
        **{
            **PRODUCTION,
            "DATABASE_URL": f"sqlite:///{ROOT / 'db.sqlite3'}",
            "EMAIL_URL": "consolemail://",
            "SITE_URL": "psp.example.gouv.fr",
        },
    )
    assert result.returncode != 0
    assert _named(result) == {"DATABASE_URL", "EMAIL_URL", "SITE_URL"}
    assert _named(_start(DEBUG="0", **{**PRODUCTION, "EMAIL_URL": "filemail:///tmp/mails"})) == {"EMAIL_URL"}


def test_tasks_in_the_web_process_only_when_asked_explicitly():
    without_redis = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    assert _named(_start(DEBUG="0", CELERY_TASK_ALWAYS_EAGER="0", **without_redis)) == {"REDIS_URL"}
    eager = _start(DEBUG="0", CELERY_TASK_ALWAYS_EAGER="1", **without_redis)
    assert eager.returncode == 0, eager.stderr
    assert eager.stdout.split()[3] == "True"


def test_no_flag_turns_the_public_development_keys_into_production_ones():
    # The flag the settings once read, and anything resembling it, changes nothing.
    result = _start(
        DEBUG="0",
        ALLOW_DEV_SECRET_KEY="1",
        ALLOW_WITHOUT_TWO_FACTOR="1",
        CELERY_TASK_ALWAYS_EAGER="1",
        **{k: v for k, v in PRODUCTION.items() if k not in ("SECRET_KEY", "FILES_ENCRYPTION_KEYS")},
    )
    assert result.returncode != 0
    assert _named(result) == {"SECRET_KEY", "FILES_ENCRYPTION_KEYS"}


def test_the_demo_still_starts_on_its_fallbacks():
    result = _start(DEBUG="1")
    assert result.returncode == 0, result.stderr
    engine, backend, site_url, eager, *_ = result.stdout.split()
    assert (engine, backend, site_url, eager) == (
        "django.db.backends.sqlite3",
        "django.core.mail.backends.console.EmailBackend",
        "http://127.0.0.1:8000",
        "True",
    )


def test_the_bench_settings_start_with_the_makefile_s_environment():
    makefile = (ROOT / "Makefile").read_text()
    block = re.search(r"^BENCH_ENV = (.*?)\n\n", makefile, re.S | re.M).group(1).replace("\\\n", " ")
    env = dict(pair.split("=", 1) for pair in block.split())
    env = {
        k: v.replace("$(BENCH_DB)", PRODUCTION["DATABASE_URL"]).replace("$(CURDIR)", str(ROOT))
        for k, v in env.items()
    }
    module = env.pop("DJANGO_SETTINGS_MODULE")
    result = _start(module, **env)
    assert result.returncode == 0, result.stderr


def test_the_web_server_is_part_of_the_production_install():
    pyproject = (ROOT / "pyproject.toml").read_text()
    dependencies = pyproject.split("dependencies = [", 1)[1].split("\n]", 1)[0]
    assert '"gunicorn' in dependencies
    assert "\ngunicorn==" in (ROOT / "requirements" / "base.txt").read_text()
