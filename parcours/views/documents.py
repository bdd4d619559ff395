"""Documents of a dossier: upload, replacement (the former version stays in the history), download.

Files are stored and read only through parcours.storage; a download goes through the same scope as the
dossier page, so another association's document is a 404.
"""

import logging

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commission import audit, uploads
from commission.enums import AuditAction
from parcours import forms, storage
from parcours.access import demandes_changeable_by, demandes_visible_to
from parcours.models import Demande, Document
from parcours.workflow import demandes as workflow

logger = logging.getLogger(__name__)


def _documents_url(demande):
    return reverse("parcours:dossier", args=[demande.pk]) + "#pieces"


@require_http_methods(["GET", "POST"])
def document_upload(request, pk):
    queryset = demandes_changeable_by(request.user).select_related("beneficiaire")
    if request.method == "POST":
        queryset = queryset.select_for_update(of=("self",))
    demande = get_object_or_404(queryset, pk=pk)
    refusal = workflow.edit_refusal(demande)
    if refusal:
        messages.error(request, refusal)
        return redirect(_documents_url(demande))
    if request.method == "POST":
        form = forms.DocumentForm(request.POST, uploads.files(request))
        if form.is_valid():
            document = form.save(demande=demande, user=request.user)
            messages.success(
                request,
                _("La pièce « %(kind)s » est ajoutée au dossier.") % {"kind": document.get_kind_display()},
            )
            return redirect(_documents_url(demande))
    else:
        form = forms.DocumentForm()
    return render(
        request, "parcours/document_form.html", {"demande": demande, "form": form, "document": None}
    )


@require_http_methods(["GET", "POST"])
def document_replace(request, pk):
    document = get_object_or_404(
        Document.objects.filter(demande__in=demandes_changeable_by(request.user)).select_related(
            "demande__beneficiaire"
        ),
        pk=pk,
    )
    demande = document.demande
    if request.method == "POST":
        # Lock the application, then the document: a filing or a second replacement waits for this one.
        demande = Demande.objects.select_for_update().select_related("beneficiaire").get(pk=demande.pk)
        document = Document.objects.select_for_update().get(pk=document.pk)
    refusal = workflow.edit_refusal(demande)
    if not refusal and document.replaced_by_id:
        refusal = _("Cette version de la pièce a déjà été remplacée : remplacez la version en cours.")
    if refusal:
        messages.error(request, refusal)
        return redirect(_documents_url(demande))
    if request.method == "POST":
        form = forms.DocumentReplaceForm(request.POST, uploads.files(request))
        if form.is_valid():
            form.save(demande=demande, user=request.user, kind=document.kind, replaces=document)
            messages.success(
                request,
                _("La pièce « %(kind)s » est remplacée ; la version précédente reste dans l’historique.")
                % {"kind": document.get_kind_display()},
            )
            return redirect(_documents_url(demande))
    else:
        form = forms.DocumentReplaceForm()
    return render(
        request, "parcours/document_form.html", {"demande": demande, "form": form, "document": document}
    )


@require_GET
def document_download(request, pk):
    document = get_object_or_404(
        Document.objects.filter(demande__in=demandes_visible_to(request.user)).select_related(
            "demande__beneficiaire"
        ),
        pk=pk,
    )
    try:
        handle = storage.stream(document.file_path)
    except storage.UnreadableFile as error:
        logger.error("Document %s: %s", document.pk, error)
        raise Http404 from None
    audit.record(request, document, AuditAction.DOWNLOAD)
    extension = storage.EXTENSIONS.get(document.content_type, "bin")
    # A name built from the pseudonymous reference: the uploaded name may carry the person's name.
    filename = f"{document.demande.beneficiaire.reference}-{document.kind}-{document.pk}.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
