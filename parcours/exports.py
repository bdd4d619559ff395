"""Exports of the dossier list for the secretariat's own work: the rows and filters of the list on screen
(parcours.filters), as CSV or XLSX, with the persons' names. Not masked, but audited: one access-log row
per person in the file (by the view for a short list, by `run_job` when the file is made).

A short list is answered at once; a long one is made by a Celery job (`run_job`, through
parcours.tasks_exports) that records its progress on an ExportJob and stores the file encrypted among
the private files, for the user who asked and nobody else.
"""

import csv
import datetime
import io
import logging
import traceback

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from commission import audit, private_files
from commission.enums import AuditAction
from commission.jobs import stuck_before
from commission.validators import FORBIDDEN_IN_TEXT
from parcours.filters import dossier_list
from parcours.models import ExportJob
from parcours.models.exports import ExportFormat, ExportState

logger = logging.getLogger(__name__)

EXPORT_TASK = "parcours.tasks_exports.export_dossiers"

# Up to this many rows the file is made during the request; beyond, by a job.
SYNC_MAX_ROWS = 500
# Rows between two progress updates of a job (one UPDATE each).
PROGRESS_EVERY = 200
# Spreadsheets run a cell starting with one of these as a formula: such text is written with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportFailed(Exception):
    """An export job failed; its message names the job and the error's type, never a cell."""


def filters_of(form) -> dict:
    """The filters as typed (valid ones only), to store on a job and apply again there."""
    return {name: str(form.data.get(name, "")) for name in form.filters}


def header():
    return [
        _("Référence"),
        _("Nom"),
        _("Prénoms"),
        _("Nature"),
        _("État"),
        _("Association"),
        _("Référent·e"),
        _("Déposée le"),
        _("Dernier changement"),
        _("Fin de la période en cours"),
    ]


def _safe(value):
    """A cell that neither fails the file nor runs in a spreadsheet: a character no file may hold
    (control, bidi override, undecodable: openpyxl refuses the control ones and the whole export with
    them) shows as U+FFFD; a text that a spreadsheet would run as a formula is written with a quote."""
    if not isinstance(value, str):
        return value
    value = FORBIDDEN_IN_TEXT.sub("\ufffd", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(demande):
    person = demande.beneficiaire
    submitted = timezone.localtime(demande.submitted_at).date() if demande.submitted_at else None
    last_change = timezone.localtime(demande.last_change_at).replace(tzinfo=None)
    return [
        _safe(value)
        for value in (
            person.reference,
            person.last_name,
            person.first_names,
            demande.get_kind_display(),
            demande.get_state_display(),
            demande.association.name,
            str(demande.referent) if demande.referent else "",
            submitted,
            last_change,
            demande.term_end,
        )
    ]


def _rows(demandes, progress, exported):
    for done, demande in enumerate(demandes.iterator(chunk_size=1000), start=1):
        yield _row(demande)
        if exported is not None:
            exported.append((demande.pk, demande.beneficiaire_id))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def to_csv(demandes, progress=None, exported=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for row in _rows(demandes, progress, exported):
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(demandes, progress=None, exported=None) -> bytes:
    # Write-only mode streams rows instead of holding a cell object for each.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dossiers"))
    sheet.append(header())
    for row in _rows(demandes, progress, exported):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(demandes, file_format, progress=None, exported=None) -> bytes:
    """The file's bytes; `exported`, a list if given, receives (dossier id, person id) of each row."""
    if file_format == ExportFormat.XLSX:
        return to_xlsx(demandes, progress, exported)
    return to_csv(demandes, progress, exported)


def filename(file_format, on=None) -> str:
    on = on or timezone.localdate()
    return f"dossiers-{on:%Y%m%d}.{file_format}"


def run_job(job_id) -> ExportJob:
    """Make the file of an export job; a job already done is left as it is (running it twice is safe)."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.state == ExportState.TERMINE:
        return job
    jobs = ExportJob.objects.filter(pk=job_id)
    # Taken only if no live worker runs it: a second message (a sweep, a relaunch) finds it running and
    # leaves it; one running past its hard time limit is dead and is taken again.
    running_elsewhere = Q(state=ExportState.EN_COURS, started_at__gte=stuck_before(EXPORT_TASK))
    if not jobs.exclude(running_elsewhere).update(
        state=ExportState.EN_COURS, done=0, error="", started_at=timezone.now()
    ):
        return job
    try:
        _form, demandes = dossier_list(job.requested_by, job.params.get("filters", {}))
        jobs.update(total=demandes.count())
        exported = []
        content = render(
            demandes, job.format, progress=lambda done: jobs.update(done=done), exported=exported
        )
        path, sha256 = private_files.write("exports", content, suffix=f".{job.format}")
        # The file names these persons for the user who asked for it: one access-log row per person,
        # at the address the file is downloaded from (its download is recorded there too).
        audit.record_rows(
            job.requested_by_id,
            [("parcours.Demande", pk, person_id) for pk, person_id in exported],
            AuditAction.EXPORT,
            path=reverse("bilan:export_download", args=[job.pk]),
        )
    except Exception as error:
        # The error's type and where it arose, not its message: a message may quote a cell, a name.
        logger.error(
            "Export job %s failed: %s\n%s",
            job_id,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        jobs.update(state=ExportState.ECHEC, error=type(error).__name__[:255], finished_at=timezone.now())
        # Raised without the original (whose message Celery would log) so the task still fails.
        raise ExportFailed(f"Export job {job_id} failed: {type(error).__name__}") from None
    jobs.update(
        state=ExportState.TERMINE,
        file_path=path,
        sha256=sha256,
        done=F("total"),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


# Export files hold names: they are kept long enough to be downloaded, then deleted with their job.
KEEP_DAYS = 7


def purge(now=None) -> int:
    """Delete the export jobs older than KEEP_DAYS and their files; returns how many were deleted."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=KEEP_DAYS))
    for path in old.exclude(file_path="").values_list("file_path", flat=True):
        private_files.delete(path)
    deleted, _by_model = old.delete()
    return deleted
