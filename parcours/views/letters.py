"""Letters of the decisions: download, and the secretariat's production of a session's letters at once.

A download goes through `courriers_visible_to`: a letter the user may not read is a 404, like one that
does not exist. The batch page reads its progress from the database (`letters.progress_of`), refreshed
every two seconds by htmx while jobs are awaited; without JavaScript a link reloads it.

The session is reached through commission.access (the one place that knows who sees which session);
its decisions through the agenda's relation to the applications, without importing the sessions' code.
"""

import hashlib
import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission import audit, private_files
from commission.access import seances_visible_to
from commission.enums import AuditAction
from parcours import access, letters
from parcours.enums import DemandeState
from parcours.models import Decision, Demande

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


def _seance(request, pk):
    if not access.produces_letters(request.user):
        raise Http404
    return get_object_or_404(seances_visible_to(request.user).select_related("commission"), pk=pk)


def _decisions_of(seance):
    return Decision.objects.filter(demande__points_odj__seance=seance).distinct()


def _context(seance):
    return {
        "seance": seance,
        "progress": letters.progress_of(_decisions_of(seance)),
        "awaiting_decision": Demande.objects.filter(
            points_odj__seance=seance, state=DemandeState.AVIS_RENDU
        ).count(),
    }


@require_http_methods(["GET", "POST"])
def seance_courriers(request, pk):
    """The session's decisions and their letters; POST launches the jobs of those not produced yet."""
    seance = _seance(request, pk)
    if request.method == "POST":
        launched = letters.schedule(_decisions_of(seance))
        if launched:
            messages.success(
                request,
                _("La production des courriers est lancée pour %(count)s décision(s).")
                % {"count": len(launched)},
            )
        else:
            messages.info(
                request, _("Les courriers de toutes les décisions de la séance sont déjà produits.")
            )
        return redirect("decisions:seance_courriers", pk=seance.pk)
    return render(request, "parcours/decisions/courriers_seance.html", _context(seance))


@require_GET
def seance_courriers_progression(request, pk):
    """The progress fragment htmx polls every two seconds while jobs are awaited."""
    seance = _seance(request, pk)
    response = render(request, "parcours/decisions/courriers_progression.html", _context(seance))
    patch_cache_control(response, no_store=True)
    return response


@require_POST
def relancer(request, pk):
    """Launch again the letters job of one decision (after a failure)."""
    if not access.produces_letters(request.user):
        raise Http404
    decision = get_object_or_404(
        Decision.objects.filter(demande__in=access.demandes_visible_to(request.user)), pk=pk
    )
    if letters.schedule([decision]):
        messages.success(request, _("La production des courriers de cette décision est relancée."))
    else:
        messages.info(
            request, _("Les courriers de cette décision sont déjà produits ou en cours de production.")
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("parcours:dossier", args=[decision.demande_id]) + "#decision"
    return redirect(target)
