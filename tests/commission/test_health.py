"""The health check: open to anyone, naming no one; 200 when every part answers, 503 naming the failing
ones (database, Redis, worker, beat, each daily job)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from commission import monitoring
from commission.models import JobRun

pytestmark = pytest.mark.django_db


def _beat_sent_heartbeat(at):
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name=monitoring.HEARTBEAT_ENTRY,
        defaults={"task": monitoring.HEARTBEAT_TASK, "interval": every_minute, "last_run_at": at},
    )


def _ran(task, at, first=None):
    JobRun.objects.update_or_create(
        task=task, defaults={"last_success_at": at, "first_success_at": first or at}
    )


@pytest.fixture
def with_a_worker(settings):
    """Tasks go to a worker and beat (as in production), not the web process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = ""


def _all_well(now):
    _ran(monitoring.HEARTBEAT_TASK, now - timedelta(minutes=1), first=now - timedelta(days=30))
    _beat_sent_heartbeat(now - timedelta(minutes=1))
    for task in monitoring.daily_jobs().values():
        _ran(task, now - timedelta(hours=20))


def test_every_daily_job_of_the_schedule_is_checked_and_the_heartbeat_is_scheduled():
    assert set(monitoring.daily_jobs()) == set(settings.CELERY_BEAT_SCHEDULE) - {"heartbeat"}
    assert len(monitoring.daily_jobs()) >= 5
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == monitoring.HEARTBEAT_TASK
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"] <= 60


def test_all_well_answers_200_in_json_to_an_anonymous_visitor(client, with_a_worker):
    _all_well(timezone.now())
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert "failing" not in body
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["worker"] == "ok"
    assert body["checks"]["beat"] == "ok"
    assert body["checks"]["redis"] == "not_configured"
    assert body["checks"]["jobs"] == dict.fromkeys(monitoring.daily_jobs(), "ok")


def test_a_silent_worker_is_named(client, with_a_worker):
    now = timezone.now()
    _all_well(now)
    _ran(monitoring.HEARTBEAT_TASK, now - timedelta(minutes=30), first=now - timedelta(days=30))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "late"


def test_a_worker_that_never_answered_and_a_beat_that_never_sent_are_named(client, with_a_worker):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["worker"] == "never"
    assert body["checks"]["beat"] == "never"
    assert {"worker", "beat"} <= set(body["failing"])
    # No heartbeat ever: nothing says the installation is new, every daily job is missing.
    assert set(body["checks"]["jobs"].values()) == {"never"}


def test_a_stopped_beat_is_named(client, with_a_worker):
    now = timezone.now()
    _all_well(now)
    _beat_sent_heartbeat(now - timedelta(minutes=45))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def test_a_daily_job_late_by_more_than_a_day_is_named(client, with_a_worker):
    now = timezone.now()
    _all_well(now)
    _ran("parcours.tasks.anonymise_ended_files", now - timedelta(hours=30))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["jobs.anonymise-ended-files"]
    assert response.json()["checks"]["jobs"]["anonymise-ended-files"] == "late"


def test_on_a_new_installation_daily_jobs_not_yet_due_are_pending_then_missing(client, with_a_worker):
    now = timezone.now()
    _ran(monitoring.HEARTBEAT_TASK, now, first=now - timedelta(hours=3))
    _beat_sent_heartbeat(now)
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert set(response.json()["checks"]["jobs"].values()) == {"pending"}
    _ran(monitoring.HEARTBEAT_TASK, now, first=now - timedelta(days=2))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert set(response.json()["checks"]["jobs"].values()) == {"never"}


def test_a_database_down_is_named_without_its_error(client, with_a_worker, caplog):
    _all_well(timezone.now())
    secret = "could not connect to server db.interne.example: password authentication failed"
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(secret)):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert "database" in response.json()["failing"]
    assert "db.interne" not in response.content.decode()
    assert "Health check database failed: OperationalError" in caplog.text


def test_redis_unreachable_is_named(client, settings):
    # Nothing listens on port 1: the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert response.json()["checks"]["redis"] == "down"


def test_redis_answering_is_ok(client, settings):
    import os

    import redis

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("no REDIS_URL: .ci/run sets one")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer")
    settings.REDIS_URL = url
    response = client.get(reverse("health"))
    assert response.json()["checks"]["redis"] == "ok"


def test_tasks_in_the_web_process_skip_worker_beat_and_jobs(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REDIS_URL = ""
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "eager"
    assert response.json()["checks"]["jobs"] == {}


def test_a_daily_job_s_success_is_recorded_and_a_failure_is_not(settings):
    from commission.tasks import verify_access_log

    before = timezone.now()
    verify_access_log.apply()
    run = JobRun.objects.get(task="commission.tasks.verify_access_log")
    assert run.last_success_at >= before
    # A task outside the daily schedule records nothing.
    from commission.tasks import ping

    ping.apply()
    assert not JobRun.objects.filter(task="commission.tasks.ping").exists()
    # A failing run leaves the last success as it was.
    with (
        mock.patch("commission.models.AccessLog.objects.verify", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),  # eager tasks propagate their errors in the tests
    ):
        verify_access_log.apply()
    assert (
        JobRun.objects.get(task="commission.tasks.verify_access_log").last_success_at == run.last_success_at
    )


def test_the_heartbeat_task_records_the_worker_s_life():
    monitoring.heartbeat.apply()
    first = JobRun.objects.get(task=monitoring.HEARTBEAT_TASK)
    monitoring.heartbeat.apply()
    again = JobRun.objects.get(task=monitoring.HEARTBEAT_TASK)
    assert again.first_success_at == first.first_success_at
    assert again.last_success_at >= first.last_success_at


def test_the_answer_names_no_one(client, with_a_worker):
    from tests.factories import BeneficiaireFactory, UserFactory

    user = UserFactory(first_name="Anselmine", last_name="Quercitron")
    person = BeneficiaireFactory(first_names="Philomène", last_name="Vertbocage")
    _all_well(timezone.now())
    body = client.get(reverse("health")).content.decode()
    for word in (user.email, user.last_name, person.first_names, person.last_name):
        assert word not in body
    client.force_login(user)
    assert client.get(reverse("health")).content.decode() == body
