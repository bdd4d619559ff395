from celery import shared_task

from commission import minutes, notifications


@shared_task
def ping():
    """Answered by a worker: lets operators and CI check the broker and workers end to end."""
    return "pong"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_convocation(convocation_id):
    """E-mail one member the convocation with the pseudonymised agenda and a link."""
    notifications.send_convocation(convocation_id)


@shared_task(acks_late=True)
def render_minutes(seance_id):
    """Render and store the minutes once (a second run finds them stored and does nothing)."""
    return minutes.render_and_store(seance_id)
