"""Celery task of the dossier-list exports (kept apart from parcours.tasks; see parcours.exports), and
the signed link by which its requester is told the file is ready."""

import datetime

from celery import shared_task
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from commission.models import NotificationKind
from commission.notifications import EXPORT_LINK_HOURS, notify
from parcours import exports
from parcours.models import ExportJob
from parcours.models.exports import ExportState

# The link in the notification and its e-mail: the job's id, signed and dated. It stops working after
# EXPORT_LINK_HOURS; the download behind it still checks that the user is the one who asked.
LINK_SALT = "parcours.export-link"
LINK_MAX_AGE = datetime.timedelta(hours=EXPORT_LINK_HOURS)


def download_link(job) -> str:
    token = signing.TimestampSigner(salt=LINK_SALT).sign(str(job.pk))
    return reverse("bilan:export_link", args=[token])


def job_id_of(token) -> int:
    """The job id of a link; raises signing.SignatureExpired past its validity, BadSignature if forged."""
    return int(signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=LINK_MAX_AGE))


def notify_ready(job) -> int:
    """Tell the requester their export is ready, with the signed link (the notification says no more)."""
    text = _("Votre export de la liste des dossiers est prêt")
    return len(notify([job.requested_by], NotificationKind.EXPORT_PRET, text, download_link(job)))


@shared_task(acks_late=True)
def export_dossiers(job_id):
    """Make the file of one export job; a job already done is not made again, nor announced again."""
    was_done = ExportJob.objects.filter(pk=job_id, state=ExportState.TERMINE).exists()
    job = exports.run_job(job_id)
    if job.is_ready and not was_done:
        notify_ready(job)
    return job_id


@shared_task
def purge_exports():
    """Daily: delete the export files (they hold names) and their jobs after a week."""
    return exports.purge()
