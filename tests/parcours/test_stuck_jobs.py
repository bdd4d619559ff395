"""Issue 19, points 3-4: a letters job or an export left "en cours" past its hard time limit (its worker
was killed) is shown stuck and relaunched from its page, making each letter once; one that never reached
a worker (broker down) is shown waiting and sent again by the sweep."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from commission import jobs
from commission.enums import Role
from commission.seances import tasks as seance_tasks
from parcours import exports, letters, tasks, tasks_exports
from parcours.enums import CourrierKind, ProductionState
from parcours.models import Courrier, ExportJob, ProductionCourriers
from parcours.models.exports import ExportState
from tests.factories import DepartementFactory
from tests.parcours.test_decision_views import _session_with_decisions, _staff
from tests.parcours.test_dossier_exports import filed, staff_of

pytestmark = pytest.mark.django_db

LETTERS_WAIT = "La production des courriers est en attente : elle démarrera dès que le service de tâches sera disponible."
LETTERS_LIMIT = datetime.timedelta(seconds=jobs.time_limit("parcours.tasks.produce_letters"))
EXPORT_LIMIT = datetime.timedelta(seconds=jobs.time_limit("parcours.tasks_exports.export_dossiers"))
PAST_SWEEP = datetime.timedelta(minutes=settings.JOBS_SWEEP_AFTER_MINUTES + 1)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def _unreachable(*args, **kwargs):
    raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")


def _text(response):
    return " ".join(response.content.decode().split())


def _killed_mid_batch(decision, started_ago):
    """The job's row as a worker killed after the first letter leaves it: "en cours", one letter stored."""
    letters.ensure(letters.load(decision.pk), CourrierKind.NOTIFICATION)
    ProductionCourriers.objects.update_or_create(
        decision=decision,
        defaults={
            "state": ProductionState.EN_COURS,
            "attempts": 1,
            "requested_at": timezone.now() - started_ago,
            "started_at": timezone.now() - started_ago,
        },
    )


# --- letters ------------------------------------------------------------------------------------------


def test_a_killed_letters_job_is_shown_stuck_and_its_relaunch_makes_each_letter_once(
    client, django_capture_on_commit_callbacks
):
    seance, (decision,) = _session_with_decisions(1)
    _killed_mid_batch(decision, LETTERS_LIMIT + datetime.timedelta(minutes=1))
    first = Courrier.objects.get(decision=decision)
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.is_stuck

    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    page_url = reverse("commission:seance_courriers", args=[seance.pk])
    relaunch = reverse("decisions:relancer", args=[decision.pk])
    html = _text(client.get(page_url))
    assert "Bloquée" in html
    assert "1 production n’a pas abouti dans le temps prévu" in html
    assert 'hx-trigger="every 2s"' not in html  # nothing to wait for: the page stops polling
    assert f'action="{relaunch}"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(relaunch, {"next": page_url})
    assert response["Location"] == page_url

    job.refresh_from_db()
    assert job.state == ProductionState.TERMINEE
    assert not job.is_stuck
    kinds = list(Courrier.objects.filter(decision=decision).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(letters.kinds_for(letters.load(decision.pk)))
    assert len(kinds) == len(set(kinds))
    assert Courrier.objects.get(decision=decision, kind=CourrierKind.NOTIFICATION) == first


def test_a_job_running_within_its_time_limit_is_not_relaunched(client, django_capture_on_commit_callbacks):
    seance, (decision,) = _session_with_decisions(1)
    _killed_mid_batch(decision, LETTERS_LIMIT - datetime.timedelta(minutes=1))
    assert not ProductionCourriers.objects.get(decision=decision).is_stuck
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    relaunch = reverse("decisions:relancer", args=[decision.pk])
    assert (
        f'action="{relaunch}"'
        not in client.get(reverse("commission:seance_courriers", args=[seance.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(relaunch)
    assert callbacks == []
    assert ProductionCourriers.objects.get(decision=decision).state == ProductionState.EN_COURS
    assert Courrier.objects.filter(decision=decision).count() == 1


def test_finished_and_failed_jobs_are_not_stuck():
    _seance, (decision,) = _session_with_decisions(1)
    for state in (ProductionState.TERMINEE, ProductionState.ECHEC):
        job = ProductionCourriers(
            decision=decision,
            state=state,
            requested_at=timezone.now() - 2 * LETTERS_LIMIT,
            started_at=timezone.now() - 2 * LETTERS_LIMIT,
        )
        assert not job.is_stuck


def test_letters_with_the_broker_down_wait_then_the_sweep_makes_them_once(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.produce_letters, "apply_async", _unreachable)
    seance, (decision,) = _session_with_decisions(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_letters([decision]) == [decision.pk]
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.state == ProductionState.EN_ATTENTE
    assert job.is_waiting
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    assert LETTERS_WAIT in _text(client.get(reverse("commission:seance_courriers", args=[seance.pk])))
    assert LETTERS_WAIT in _text(client.get(reverse("parcours:dossier", args=[decision.demande_id])))
    assert tasks.sweep_letters() == []  # within the delay

    monkeypatch.undo()
    ProductionCourriers.objects.filter(pk=job.pk).update(requested_at=timezone.now() - PAST_SWEEP)
    with django_capture_on_commit_callbacks(execute=True):
        assert seance_tasks.sweep_jobs()["letters"] == [decision.pk]
    job.refresh_from_db()
    assert job.state == ProductionState.TERMINEE
    count = Courrier.objects.filter(decision=decision).count()
    assert count == len(letters.kinds_for(letters.load(decision.pk)))
    with django_capture_on_commit_callbacks(execute=True):
        assert seance_tasks.sweep_jobs()["letters"] == []
    assert Courrier.objects.filter(decision=decision).count() == count


# --- exports ------------------------------------------------------------------------------------------


@pytest.fixture
def long_list(monkeypatch):
    departement = DepartementFactory()
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)
    for _index in range(2):
        filed(departement)
    return departement


def test_an_export_asked_for_with_the_broker_down_waits_then_the_sweep_makes_it(
    client, long_list, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(staff_of(long_list))
    monkeypatch.setattr(tasks_exports.export_dossiers, "apply_async", _unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bilan:export_dossiers"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("bilan:export_job", args=[job.pk])
    assert job.is_waiting and not job.is_stuck
    assert "L’export est en attente : il démarrera dès que le service de tâches sera disponible." in _text(
        client.get(response["Location"])
    )

    monkeypatch.undo()
    ExportJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - PAST_SWEEP)
    with django_capture_on_commit_callbacks(execute=True):
        assert seance_tasks.sweep_jobs()["exports"] == [job.pk]
    job.refresh_from_db()
    assert job.state == ExportState.TERMINE
    assert seance_tasks.sweep_jobs()["exports"] == []


def test_a_killed_export_is_shown_stuck_and_relaunched(client, long_list, django_capture_on_commit_callbacks):
    user = staff_of(long_list)
    client.force_login(user)
    job = ExportJob.objects.create(
        requested_by=user,
        params={"format": "csv", "filters": {}},
        state=ExportState.EN_COURS,
        enqueued_at=timezone.now() - EXPORT_LIMIT - datetime.timedelta(minutes=2),
        started_at=timezone.now() - EXPORT_LIMIT - datetime.timedelta(minutes=1),
    )
    assert job.is_stuck
    relaunch = reverse("bilan:export_relaunch", args=[job.pk])
    page = client.get(reverse("bilan:export_job", args=[job.pk])).content.decode()
    assert f'action="{relaunch}"' in page
    assert "il semble bloqué" in " ".join(page.split())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(relaunch)
    job.refresh_from_db()
    assert job.state == ExportState.TERMINE
    assert job.done == job.total == 2


def test_an_export_running_within_its_limit_is_neither_relaunched_nor_run_twice(
    client, long_list, django_capture_on_commit_callbacks
):
    user = staff_of(long_list)
    client.force_login(user)
    started = timezone.now() - datetime.timedelta(minutes=1)
    job = ExportJob.objects.create(
        requested_by=user,
        params={"format": "csv", "filters": {}},
        state=ExportState.EN_COURS,
        started_at=started,
    )
    assert not job.is_stuck
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("bilan:export_relaunch", args=[job.pk]))
    assert callbacks == []
    exports.run_job(job.pk)  # a second message for it: the live worker keeps it
    job.refresh_from_db()
    assert (job.state, job.started_at, job.file_path) == (ExportState.EN_COURS, started, "")
