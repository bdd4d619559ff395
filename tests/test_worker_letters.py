"""Letters and reminders on a real Celery worker through Redis (`.ci/run` starts one; `make test` skips
these). The worker reads the test database, so the tests commit their rows (transactional db)."""

import datetime
import shutil
import time
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from commission import private_files
from commission.enums import OrganisationKind, Role
from parcours import tasks
from parcours.enums import CourrierKind, DecisionKind, DemandeKind, DemandeState, ProductionState
from parcours.models import Courrier, ProductionCourriers, Rappel
from parcours.tasks import daily_reminders, produce_letters
from parcours.workflow import demandes as workflow
from tests.factories import (
    DemandeFactory,
    OrganisationFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
)

# serialized_rollback: each test flushes the database it committed to; the rows the migrations load
# (role groups, pathway rules, AFIS scales, the appeal text) are restored before the next one.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TIMEOUT = 90


@pytest.fixture(autouse=True)
def _real_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("Worker tests need REDIS_URL and a running worker (see .ci/run).")


def _authorised():
    """An authorisation of a foreign person eligible to the AFIS: three letters."""
    demande = DemandeFactory(avis_rendu=True)
    person = demande.beneficiaire
    if person.needs_residence_permit():
        # Lawfully resident on the day (an APS of an earlier pathway): the AFIS is granted, not pending.
        today = timezone.localdate()
        TitreSejourFactory(
            parcours=ParcoursFactory(beneficiaire=person, termine=True),
            delivre=True,
            issued_on=today - datetime.timedelta(days=300),
            valid_until=today + datetime.timedelta(days=700),
        )
    president = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SECRETARIAT, departement=demande.commission.departement
        ),
        roles=[Role.PRESIDENT],
    )
    today = timezone.localdate()
    # decide() enqueues the letters job itself once committed; here each test runs the jobs it wants.
    with mock.patch.object(tasks, "schedule_letters"):
        return workflow.decide(
            demande,
            kind=DecisionKind.AUTORISATION,
            signataire=president,
            signataire_title="Préfète",
            decided_on=today,
            start=today,
        )


def _folder(decision):
    """The decision's letters folder, emptied of what an earlier run of the suite left there."""
    folder = private_files.root() / "courriers" / str(decision.pk)
    if folder.is_dir():
        shutil.rmtree(folder)
    else:
        folder.unlink(missing_ok=True)
    return folder


def _wait_for(condition, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Waited {TIMEOUT} s for {what}")


def test_a_decisions_letters_are_produced_once_when_two_workers_run_its_job_together():
    decision = _authorised()
    folder = _folder(decision)
    results = [produce_letters.delay(decision.pk) for _ in range(2)]
    outcomes = [result.get(timeout=TIMEOUT) for result in results]
    assert sorted(Courrier.objects.filter(decision=decision).values_list("kind", flat=True)) == sorted(
        [CourrierKind.ATTESTATION_AFIS, CourrierKind.INFORMATION_ETRANGERS, CourrierKind.NOTIFICATION]
    )
    assert outcomes[0]["courriers"] == outcomes[1]["courriers"]
    # The run that lost a race deleted its copy: one file per letter.
    assert len(list(folder.iterdir())) == 3
    # The association is told once, whichever run finished first.
    assert sum(outcome["emails"] for outcome in outcomes) == 1
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.state == ProductionState.TERMINEE
    assert job.association_notified_at is not None


def test_a_job_retried_after_a_failure_produces_each_letter_once():
    decision = _authorised()
    folder = _folder(decision)
    # A file where the letters' folder goes: the worker cannot write there (OSError), and retries.
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("")
    tasks.schedule_letters([decision])  # outside a transaction: enqueued at once

    def failed_once():
        job = ProductionCourriers.objects.filter(decision=decision).first()
        return job is not None and job.attempts >= 1 and job.error == "FileExistsError"

    _wait_for(failed_once, "the first attempt to fail")
    folder.unlink()
    _wait_for(
        lambda: ProductionCourriers.objects.get(decision=decision).state == ProductionState.TERMINEE,
        "the retry to produce the letters",
    )
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.attempts >= 2
    assert Courrier.objects.filter(decision=decision).count() == 3
    assert len(list(folder.iterdir())) == 3


def test_the_daily_job_run_twice_at_once_sends_each_reminder_once():
    today = timezone.localdate()
    for days in (10, 30):
        end = today + datetime.timedelta(days=days)
        parcours = ParcoursFactory(started_on=end - datetime.timedelta(days=180))
        parcours.periodes.update(end=end)
        parcours.current_term_end = end
        parcours.save(update_fields=["current_term_end"])
        DemandeFactory(
            parcours=parcours, kind=DemandeKind.INITIALE, state=DemandeState.ACCEPTEE, complete=True
        )
    TitreSejourFactory()
    Rappel.objects.all().delete()
    first, second = daily_reminders.delay(), daily_reminders.delay()
    outcomes = [first.get(timeout=TIMEOUT), second.get(timeout=TIMEOUT)]
    assert sum(outcome["notified"] for outcome in outcomes) == 3
    assert Rappel.objects.count() == 3
    assert not Rappel.objects.filter(notified_at__isnull=True).exists()
    again = daily_reminders.delay().get(timeout=TIMEOUT)
    assert (again["notified"], again["emails"]) == (0, 0)
