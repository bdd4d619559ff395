"""Celery tasks: thin wrappers around plain functions, taking ids, safe to run twice."""

import logging

from celery import shared_task

from parcours.workflow import parcours as parcours_workflow

logger = logging.getLogger(__name__)


@shared_task
def end_lapsed_pathways():
    """Daily: end the pathways whose last term has passed without a renewal (reason recorded).
    Running it twice ends nothing twice: an ended pathway is no longer in the scan."""
    ended = parcours_workflow.end_lapsed()
    logger.info("Ended %d lapsed pathways: %s", len(ended), ended)
    return ended
