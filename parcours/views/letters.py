"""Letters of the decisions: download, and launching a decision's letters job again.

A download goes through `courriers_visible_to`: a letter the user may not read is a 404, like one that
does not exist. The batch page reads its progress from the database (`letters.progress_of`), refreshed
every two seconds by htmx while jobs are awaited; without JavaScript a link reloads it.

A session's letters, produced at once, are the sessions' page (commission.seances.courriers).
"""

import hashlib
import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commission import audit, private_files
from commission.enums import AuditAction
from commission.validators import safe_next
from parcours import access, letters, tasks
from parcours.models import Decision

logger = logging.getLogger(__name__)


@require_GET
def courrier_download(request, pk):
    courrier = get_object_or_404(
        access.courriers_visible_to(request.user).select_related("decision__demande__beneficiaire"), pk=pk
    )
    try:
        content = private_files.read(courrier.file_path)
    except (OSError, ValueError, private_files.DecryptionError) as error:
        logger.error("Letter %s unreadable: %s", courrier.pk, type(error).__name__)
        raise Http404 from None
    if hashlib.sha256(content).hexdigest() != courrier.sha256:
        # A stored letter is never edited: a different content is a corruption, not a new version.
        logger.error("Letter %s does not match its checksum", courrier.pk)
        raise Http404
    audit.record(request, courrier, AuditAction.DOWNLOAD)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letters.filename(courrier)}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- a session's letters at once -----------------------------------------------------------------


@require_POST
def relancer(request, pk):
    """Launch again the letters job of one decision (after a failure)."""
    if not access.produces_letters(request.user):
        raise Http404
    decision = get_object_or_404(
        Decision.objects.filter(demande__in=access.demandes_visible_to(request.user)), pk=pk
    )
    if tasks.schedule_letters([decision]):
        messages.success(request, _("La production des courriers de cette décision est relancée."))
    else:
        messages.info(
            request, _("Les courriers de cette décision sont déjà produits ou en cours de production.")
        )
    target = safe_next(request, request.POST.get("next", ""))
    return redirect(target or reverse("parcours:dossier", args=[decision.demande_id]) + "#decision")
