"""Enqueuing background jobs so that a broker that cannot be reached never undoes nor fails an action.

Every job of the application is enqueued through `enqueue`: the message is sent once the transaction
commits (a job never reads a row its transaction has not written yet), and a broker that is down is
logged, not raised: the action is committed and its response is the normal one. The job's row stays
"en attente", its page says so, and the periodic sweep (commission.seances.tasks.sweep_jobs) enqueues
it again once the broker answers.

A job that has not finished within its hard time limit is "stuck": Celery killed it, or its worker died.
`stuck_before` gives the moment before which a job still running or queued counts as stuck; its page
offers to relaunch it, and the jobs are idempotent, so a relaunch makes only what is missing.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a broker that cannot be reached raises: kombu's OperationalError, or the socket's own error.
BROKER_ERRORS = (OperationalError, ConnectionError)


def send(task, *args, **kwargs) -> bool:
    """Send one message now; False (logged, not raised) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS as error:
        logger.error("Job %s%s not enqueued, broker unreachable: %s", task.name, args, type(error).__name__)
        return False
    return True


def enqueue(task, *args, **kwargs) -> None:
    """Send the job once the current transaction commits (at once outside a transaction). `robust`:
    whatever goes wrong in sending is logged and never reaches the user, whose action is committed."""
    transaction.on_commit(lambda: send(task, *args, **kwargs), robust=True)


def time_limit(task_name: str) -> int:
    """The hard time limit of a task, in seconds: its own (CELERY_TASK_ANNOTATIONS) or the default."""
    own = getattr(settings, "CELERY_TASK_ANNOTATIONS", {}).get(task_name, {})
    return own.get("time_limit", settings.CELERY_TASK_TIME_LIMIT)


def stuck_before(task_name: str) -> datetime.datetime:
    """A job of this task started, or queued, before this moment and not finished is stuck."""
    return timezone.now() - datetime.timedelta(seconds=time_limit(task_name))


def sweep_before() -> datetime.datetime:
    """A job queued before this moment and never started is enqueued again by the sweep."""
    return timezone.now() - datetime.timedelta(minutes=settings.JOBS_SWEEP_AFTER_MINUTES)
