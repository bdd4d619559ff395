"""The sessions' jobs: thin wrappers that call plain functions.

Their Celery names stay those of their former module (commission.tasks), so messages queued before an
upgrade still reach them."""

from celery import shared_task

from commission.seances import minutes, notifications


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


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rerender_minutes(seance_id):
    """Render the stored minutes again after a person on the agenda was anonymised."""
    return minutes.rerender(seance_id)
