"""Issue 19, points 3-4: jobs that survive faults. A broker that cannot be reached never answers 500
nor undoes a committed action; the settings give every job a time limit the broker's visibility timeout
covers and a queue of its own for the PDF work; closing a session with the broker down leaves it
closed, its page says the minutes wait, and the sweep produces them once; minutes stuck past the time
limit are relaunched from the session's page."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from commission import jobs
from commission.seances import tasks as seance_tasks
from commission.seances import workflow as seances
from commission.seances.enums import SeanceState
from commission.seances.models import ProcesVerbal, Seance
from tests.seances.test_seance_views import World, url

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "1"}
MINUTES_WAIT = (
    "Le procès-verbal est en préparation ou en attente : il sera produit dès que le service de tâches sera "
    "disponible."
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def world():
    return World()


@pytest.fixture
def broker_down(monkeypatch):
    """Every message to the minutes job fails as a Redis that does not answer does; `sent` counts them."""
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(kwargs.get("args"))
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(seance_tasks.render_minutes, "apply_async", unreachable)
    return attempts


def _text(response):
    return " ".join(response.content.decode().split())


def _closable(world):
    seance = world.opened()
    seances.record_show_of_hands(
        seance.points.get(), user=world.secretariat, favorable=4, defavorable=0, abstentions=0
    )
    return seance


# --- the helper and the settings ----------------------------------------------------------------------


def test_enqueue_logs_a_broker_that_is_down_and_raises_nothing(
    broker_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.enqueue(seance_tasks.render_minutes, 42)
    assert len(callbacks) == 1
    assert broker_down == [(42,)]
    assert "not enqueued, broker unreachable: OperationalError" in caplog.text


def test_enqueue_sends_nothing_before_the_transaction_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(seance_tasks.render_minutes, "apply_async", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue(seance_tasks.render_minutes, 7)
        assert sent == []
    callbacks[0]()
    assert sent == [{"args": (7,), "kwargs": {}}]


def test_every_job_has_a_time_limit_within_the_brokers_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    for name, limits in settings.CELERY_TASK_ANNOTATIONS.items():
        assert limits["soft_time_limit"] < limits["time_limit"] < visibility, name
        assert jobs.time_limit(name) == limits["time_limit"]
    assert jobs.time_limit("commission.tasks.send_convocation") == settings.CELERY_TASK_TIME_LIMIT
    # Celery applies them to the tasks themselves.
    from commission.celery import app
    from parcours.tasks import produce_letters

    app.finalize()
    assert (
        produce_letters.time_limit == jobs.time_limit(produce_letters.name) > settings.CELERY_TASK_TIME_LIMIT
    )


def test_the_pdf_jobs_have_their_own_queue_and_the_emails_stay_on_the_default_one():
    from commission.celery import app

    def queue_of(name):
        route = app.amqp.router.route({}, name)
        return route["queue"].name

    for name in (
        "parcours.tasks.produce_letters",
        "parcours.tasks.produce_end_notice",
        "commission.tasks.render_minutes",
        "commission.seances.tasks.rerender_minutes",
    ):
        assert queue_of(name) == "pdf", name
    for name in ("commission.tasks.send_convocation", "parcours.tasks.notify_message"):
        assert queue_of(name) == "celery", name


def test_the_sweep_runs_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-jobs"]
    assert entry["task"] == seance_tasks.sweep_jobs.name
    assert entry["schedule"] <= 10 * 60


# --- closing a session with the broker down --------------------------------------------------------------


def test_closing_a_session_with_the_broker_down_closes_it_and_the_sweep_produces_the_minutes_once(
    client, world, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    seance = _closable(world)
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("seance_close", seance.pk), CONFIRMED)
    assert response.status_code == 302
    assert response["Location"] == url("seance", seance.pk)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CLOSE
    assert len(broker_down) == 1
    assert not ProcesVerbal.objects.filter(seance=seance).exists()
    page = _text(client.get(url("seance", seance.pk)))
    assert MINUTES_WAIT in page
    assert reverse("commission:minutes_relaunch", args=[seance.pk]) not in page  # not stuck yet

    # Within the sweep delay, the sweep leaves it (the message may still be on its way).
    assert seance_tasks.sweep_jobs()["minutes"] == []

    # The broker is back; past the delay, the sweep sends the job, which stores the minutes once.
    monkeypatch.undo()
    Seance.objects.filter(pk=seance.pk).update(
        closed_at=timezone.now() - datetime.timedelta(minutes=settings.JOBS_SWEEP_AFTER_MINUTES + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert seance_tasks.sweep_jobs()["minutes"] == [seance.pk]
    assert ProcesVerbal.objects.filter(seance=seance).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert seance_tasks.sweep_jobs()["minutes"] == []
    assert ProcesVerbal.objects.filter(seance=seance).count() == 1
    assert (
        reverse("commission:minutes", args=[seance.pk])
        in client.get(url("seance", seance.pk)).content.decode()
    )


def test_minutes_stuck_past_the_time_limit_are_relaunched_from_the_sessions_page(
    client, world, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    seance = _closable(world)
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    limit = jobs.time_limit("commission.tasks.render_minutes")
    Seance.objects.filter(pk=seance.pk).update(
        closed_at=timezone.now() - datetime.timedelta(seconds=limit + 60)
    )
    client.force_login(world.secretariat)
    relaunch = reverse("commission:minutes_relaunch", args=[seance.pk])
    page = _text(client.get(url("seance", seance.pk)))
    assert "la production semble bloquée" in page
    assert f'action="{relaunch}"' in client.get(url("seance", seance.pk)).content.decode()

    # A member sees no button and may not relaunch.
    client.force_login(world.members[0].user)
    assert f'action="{relaunch}"' not in client.get(url("seance", seance.pk)).content.decode()
    assert client.post(relaunch).status_code == 404

    monkeypatch.undo()
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(relaunch)
    assert response["Location"] == url("seance", seance.pk)
    assert ProcesVerbal.objects.filter(seance=seance).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(relaunch)  # nothing stuck any more: nothing made again
    assert ProcesVerbal.objects.filter(seance=seance).count() == 1


def test_minutes_closed_within_the_time_limit_are_not_stuck(
    world, broker_down, django_capture_on_commit_callbacks
):
    from commission.seances import minutes

    seance = _closable(world)
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    seance.refresh_from_db()
    assert minutes.awaited(seance)
    assert not minutes.is_stuck(seance)


def test_convening_with_the_broker_down_convenes_and_answers_a_redirect(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from commission import outbox
    from commission.models import EmailKind, OutboundEmail
    from commission.seances.models import Convocation

    monkeypatch.setattr(
        outbox.send_emails,
        "apply_async",
        lambda *a, **k: (_ for _ in ()).throw(OperationalError()),
    )
    seance = world.seance(points=1, convene=False)
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("seance_convene", seance.pk), CONFIRMED)
    assert response.status_code == 302
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE
    # The e-mails wait in the outbox (the periodic task sends them): none is lost, none is stamped sent.
    assert Convocation.objects.filter(seance=seance).count() == 4
    assert OutboundEmail.objects.filter(kind=EmailKind.CONVOCATION, sent_at__isnull=True).count() == 4
    assert not Convocation.objects.filter(seance=seance, sent_at__isnull=False).exists()
