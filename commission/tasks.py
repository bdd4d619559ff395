import logging

from celery import shared_task

from commission.models import AccessLog

logger = logging.getLogger(__name__)


@shared_task
def ping():
    """Answered by a worker: lets operators and CI check the broker and workers end to end."""
    return "pong"


@shared_task
def verify_access_log():
    """Daily: walk the access log's hash chain. A break is logged as an error (mailed to ADMINS with
    the logging configuration), with the first changed row; the last hash is logged so that rows
    removed at the end of the chain can be found against a copy kept elsewhere."""
    checked, last, broken = AccessLog.objects.verify()
    if broken is not None:
        logger.error(
            "Access log chain broken at row %s (%s), %s rows checked before it", broken.pk, broken.at, checked
        )
        return {"checked": checked, "broken": broken.pk}
    logger.info(
        "Access log chain intact: %s rows, last row %s, hash %s",
        checked,
        last and last.pk,
        last and last.hash,
    )
    return {"checked": checked, "broken": None, "last_hash": last.hash if last else None}


# Celery discovers `tasks` modules only: the e-mails' tasks live with the outbox.
from commission.outbox import send_emails, send_unsent_emails  # noqa: E402,F401
