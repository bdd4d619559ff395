"""Exports of the dossier list (CSV, XLSX) with the filters on screen, for the secretariat and the
president. A short list downloads at once; a long one becomes a job whose progress the page follows
(htmx every two seconds, or the « Actualiser » link), then downloads, for its requester only.
Every file handed out is recorded in the access log."""

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commission import audit, private_files
from commission.enums import AuditAction
from parcours import access, exports, filters, tasks_exports
from parcours.models import ExportJob
from parcours.models.exports import ExportFormat
from parcours.tasks_exports import job_id_of


def _require_exporter(request):
    if not access.may_export(request.user):
        raise Http404


def _attachment(content, file_format, name):
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def export_start(request):
    _require_exporter(request)
    file_format = request.POST.get("format")
    if file_format not in ExportFormat.values:
        file_format = ExportFormat.CSV
    form, demandes = filters.dossier_list(request.user, request.POST)
    total = demandes.count()
    if total <= exports.SYNC_MAX_ROWS:
        exported = []
        content = exports.render(demandes, file_format, exported=exported)
        # One row per person in the file, the export's persons found by id (one INSERT).
        audit.record_rows(
            request.user.pk,
            [("parcours.Demande", pk, person_id) for pk, person_id in exported],
            AuditAction.EXPORT,
            ip=audit.client_ip(request),
            path=request.path,
        )
        return _attachment(content, file_format, exports.filename(file_format))
    job = ExportJob.objects.create(
        requested_by=request.user,
        params={"format": file_format, "filters": exports.filters_of(form)},
        total=total,
    )
    tasks_exports.schedule(job)
    return redirect("bilan:export_job", pk=job.pk)


def _own_job(request, pk):
    _require_exporter(request)
    return get_object_or_404(ExportJob, pk=pk, requested_by=request.user)


@require_GET
def export_job(request, pk):
    job = _own_job(request, pk)
    template = "parcours/exports/_progress.html" if request.htmx else "parcours/exports/job.html"
    return render(request, template, {"job": job})


@require_POST
def export_relaunch(request, pk):
    """Send again an export that failed or is stuck (past its time limit without finishing)."""
    job = _own_job(request, pk)
    if tasks_exports.relaunch(job):
        messages.success(request, _("L’export est relancé."))
    else:
        messages.info(request, _("Cet export est déjà prêt ou en cours : il n’y a rien à relancer."))
    return redirect("bilan:export_job", pk=job.pk)


@require_GET
def export_download(request, pk):
    job = _own_job(request, pk)
    if not job.is_ready:
        raise Http404
    content = private_files.read(job.file_path)
    audit.record(request, None, AuditAction.EXPORT, object_type="parcours.ExportJob", object_id=job.pk)
    return _attachment(content, job.format, exports.filename(job.format, timezone.localdate(job.created_at)))


@require_GET
def export_link(request, token):
    """The signed link of the « export prêt » notification: valid 24 hours, then refused; within them,
    the same download as the job's page, for its requester only."""
    try:
        pk = job_id_of(token)
    except signing.SignatureExpired:
        messages.error(
            request,
            _(
                "Ce lien de téléchargement a expiré (il est valable 24 heures) : relancez l’export depuis la liste des dossiers."
            ),
        )
        return redirect("notifications")
    except signing.BadSignature:
        raise Http404 from None
    return export_download(request, pk)
