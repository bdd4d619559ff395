"""Celery task of the dossier-list exports (kept apart from parcours.tasks; see parcours.exports), and
the signed link by which its requester is told the file is ready."""

import datetime

from celery import shared_task
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commission import jobs
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


def schedule(job) -> None:
    """Send the job to the workers once the transaction commits; a broker that is down leaves it
    "en attente" (its page says so) for the sweep to send again."""
    jobs.enqueue(export_dossiers, job.pk)


def relaunch(job) -> bool:
    """Send a failed or stuck job again (its file is made from the start); False if it is neither."""
    if not (job.state == ExportState.ECHEC or job.is_stuck):
        return False
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.EN_ATTENTE, error="", done=0, enqueued_at=timezone.now(), finished_at=None
    )
    schedule(job)
    return True


def sweep() -> list[int]:
    """Send again the jobs queued before the sweep delay that no worker ever took (the broker was down
    when they were asked for). Their `enqueued_at` moves on, so each goes at most once per delay."""
    due = list(
        ExportJob.objects.filter(state=ExportState.EN_ATTENTE, enqueued_at__lt=jobs.sweep_before())
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=jobs.sweep_before()))
        .values_list("pk", flat=True)
    )
    ExportJob.objects.filter(pk__in=due).update(enqueued_at=timezone.now())
    for pk in due:
        jobs.enqueue(export_dossiers, pk)
    return due


@shared_task
def purge_exports():
    """Daily: delete the export files (they hold names) and their jobs after a week."""
    return exports.purge()
