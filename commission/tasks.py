from celery import shared_task


@shared_task
def ping():
    """Answered by a worker: lets operators and CI check the broker and workers end to end."""
    return "pong"


# Celery discovers `tasks` modules only: the notification e-mails' task lives with notify().
from commission.notifications import send_emails  # noqa: E402,F401
