from celery import shared_task


@shared_task
def ping():
    """Answered by a worker: lets operators and CI check the broker and workers end to end."""
    return "pong"
