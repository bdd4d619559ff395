"""Celery tasks: thin wrappers around plain functions, taking ids, safe to run twice."""

import logging

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from commission.jobs import enqueue, sweep_before
from parcours import letters, notifications, reminders
from parcours.enums import ProductionState
from parcours.models import ProductionCourriers
from parcours.workflow import parcours as parcours_workflow
from parcours.workflow import titres

logger = logging.getLogger(__name__)

# Countdown before each new attempt of a letters job (seconds): 2, 4, 8.
LETTERS_MAX_RETRIES = 3


@shared_task
def end_lapsed_pathways():
    """Daily: end the pathways whose last term has passed without a renewal (reason recorded).
    Running it twice ends nothing twice: an ended pathway is no longer in the scan."""
    ended = parcours_workflow.end_lapsed()
    logger.info("Ended %d lapsed pathways: %s", len(ended), ended)
    return ended


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_message(message_id):
    """E-mail the other side of the dossier's thread that a new message is waiting (no personal data)."""
    notifications.notify_message(message_id)


@shared_task(bind=True, acks_late=True, max_retries=LETTERS_MAX_RETRIES)
def produce_letters(self, decision_id):
    """Render and store a decision's letters, then tell the association. Idempotent by decision and
    kind of letter (unique constraint); acknowledged only once done, so a worker killed in the middle
    leaves the message to another worker, which finds the letters already stored and makes the rest.
    A failure is retried after 2, 4, 8 s, except missing data (another attempt would fail alike); the
    last one marks the job failed, which the batch page shows with a button to launch it again."""
    letters.job_started(decision_id)
    try:
        produced = letters.produce(decision_id)
    except Exception as error:
        final = self.request.retries >= self.max_retries or isinstance(
            error, letters.LetterConfigurationError
        )
        letters.job_failed(decision_id, error, final=final)
        if final:
            logger.exception(
                "Letters of decision %s failed after %d attempts", decision_id, self.request.retries + 1
            )
            return None
        logger.warning("Letters of decision %s failed (%s): retrying", decision_id, type(error).__name__)
        retry = self.retry(exc=error, countdown=2 ** (self.request.retries + 1), throw=False)
        if self.request.is_eager:
            # Without a broker (tests, demo) the next attempt runs now, in this process.
            return retry.sig.apply(retries=self.request.retries + 1).result
        raise retry from error
    letters.job_done(decision_id)
    emails = letters.notify_association(decision_id)
    return {"courriers": [courrier.pk for courrier in produced], "emails": emails}


def schedule_letters(decisions) -> list[int]:
    """Mark the decisions' letters as awaited and enqueue one job each once the transaction commits.

    Decisions whose letters are produced, or whose job is running within its time limit, are left
    alone; a job stuck past its limit (its worker was killed) is launched again and makes only the
    letters still missing. Returns the ids enqueued. The jobs run in parallel on the workers."""
    ids = [d.pk for d in decisions]
    jobs = {job.decision_id: job for job in ProductionCourriers.objects.filter(decision_id__in=ids)}
    busy = {
        pk
        for pk, job in jobs.items()
        if job.state == ProductionState.TERMINEE
        or (job.state == ProductionState.EN_COURS and not job.is_stuck)
    }
    wanted = [pk for pk in ids if pk not in busy]
    if not wanted:
        return []
    ProductionCourriers.objects.bulk_create(
        [ProductionCourriers(decision_id=pk) for pk in wanted if pk not in jobs]
    )
    ProductionCourriers.objects.filter(decision_id__in=[pk for pk in wanted if pk in jobs]).update(
        state=ProductionState.EN_ATTENTE, error="", requested_at=timezone.now(), finished_at=None
    )
    for pk in wanted:
        # A broker that cannot be reached must not undo nor fail a decision already committed: the
        # job stays awaited, its page says so, and the sweep sends it again.
        enqueue(produce_letters, pk)
    return wanted


def sweep_letters() -> list[int]:
    """Send again the letter jobs awaited since before the sweep delay that no worker took since (the
    broker was down). Their request time moves on, so each goes at most once per delay."""
    before = sweep_before()
    due = list(
        ProductionCourriers.objects.filter(state=ProductionState.EN_ATTENTE, requested_at__lt=before)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=F("requested_at")))
        .values_list("decision_id", flat=True)
    )
    ProductionCourriers.objects.filter(decision_id__in=due).update(requested_at=timezone.now())
    for pk in due:
        enqueue(produce_letters, pk)
    return due


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def produce_end_notice(parcours_id):
    """Render and store the notice to the AFIS paying body of a pathway the person left. Idempotent by
    pathway (unique constraint)."""
    courrier = letters.produce_end_notice(parcours_id)
    return courrier.pk if courrier else None


def schedule_attestations(droits):
    """An AFIS right granted after its decision (it was "à compléter"): its attestation joins the
    decision's letters; `produce` makes only the letters still missing."""
    for droit in droits:
        decision_id = droit.periode.decision_id
        if decision_id:
            enqueue(produce_letters, decision_id)


def schedule_end_notice(parcours):
    """Enqueue the end notice once the transaction that ended the pathway commits."""
    enqueue(produce_end_notice, parcours.pk)


@shared_task(acks_late=True)
def daily_reminders():
    """Daily (Celery beat): expire the residence permits whose validity passed, then send the reminders
    due today. Each reminder is recorded under a unique key and e-mailed once, even if the job runs
    twice the same day or two runs overlap."""
    today = timezone.localdate()
    expired = titres.expire_lapsed(today)
    result = reminders.run(today)
    logger.info("Reminders: %s; permits expired: %d", result, len(expired))
    return result


@shared_task
def anonymise_ended_files():
    """Daily: anonymise the persons whose files ended longer ago than the retention delay, then delete
    the private files no row points to any more."""
    from parcours import privacy

    done = privacy.anonymise_due()
    privacy.delete_orphan_files()
    return done


# Celery discovers `tasks` modules only: the export jobs live in their own module.
from parcours.tasks_exports import export_dossiers, purge_exports  # noqa: E402,F401
