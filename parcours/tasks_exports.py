"""Celery task of the dossier-list exports (kept apart from parcours.tasks; see parcours.exports)."""

from celery import shared_task

from parcours import exports


@shared_task(acks_late=True)
def export_dossiers(job_id):
    """Make the file of one export job; a job already done is not made again."""
    exports.run_job(job_id)
    return job_id


@shared_task
def purge_exports():
    """Daily: delete the export files (they hold names) and their jobs after a week."""
    return exports.purge()
