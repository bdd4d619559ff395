"""The sessions' jobs: thin wrappers that call plain functions.

Their Celery names stay those of their former module (commission.tasks), so messages queued before an
upgrade still reach them."""

import logging

from celery import shared_task

from commission.jobs import enqueue
from commission.seances import minutes, notifications
from parcours import tasks as parcours_tasks
from parcours import tasks_exports

logger = logging.getLogger(__name__)


@shared_task(
    name="commission.tasks.send_convocation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_convocation(convocation_id):
    """E-mail one member the convocation (a job queued before the outbox: convening now writes the
    e-mail in the outbox, commission.tasks.send_outbox sends it)."""
    notifications.send_convocation(convocation_id)


@shared_task(
    name="commission.seances.tasks.send_cancellation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_cancellation(convocation_id):
    """E-mail one convened member that the session is cancelled (a job queued before the outbox)."""
    notifications.send_cancellation(convocation_id)


@shared_task(name="commission.tasks.render_minutes", acks_late=True)
def render_minutes(seance_id):
    """Render and store the minutes once (a second run finds them stored and does nothing)."""
    return minutes.render_and_store(seance_id)


def schedule_minutes(seance) -> None:
    """Produce the minutes of a session that closes, once its transaction commits; a broker that is
    down leaves the session closed and its minutes awaited (its page says so) for the sweep."""
    enqueue(render_minutes, seance.pk)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rerender_minutes(seance_id):
    """Render the stored minutes again after a person on the agenda was anonymised."""
    return minutes.rerender(seance_id)


@shared_task(acks_late=True)
def sweep_jobs():
    """Every few minutes (Celery beat): send again what was asked for but never reached a worker
    (the broker was down): letter jobs and exports still awaited past the sweep delay, and the minutes
    of the sessions closed before it that have none. Every job is idempotent: one sent twice makes
    nothing twice."""
    swept = {
        "letters": parcours_tasks.sweep_letters(),
        "exports": tasks_exports.sweep(),
        "minutes": [],
    }
    for seance_id in minutes.awaited_since_sweep_delay():
        enqueue(render_minutes, seance_id)
        swept["minutes"].append(seance_id)
    if any(swept.values()):
        logger.warning("Jobs sent again by the sweep: %s", swept)
    return swept
