"""Celery tasks: thin wrappers around plain functions, taking ids, safe to run twice."""

import logging

from celery import shared_task

from parcours import notifications
from parcours.workflow import parcours as parcours_workflow

logger = logging.getLogger(__name__)


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
