"""The letters of a session: the secretariat produces the letters of every decision taken on its items
at once, and follows their progress (the letters themselves are parcours.letters')."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commission.seances.access import seances_visible_to
from parcours import access, letters, tasks
from parcours.models import Decision, Demande


def _seance(request, pk):
    if not access.produces_letters(request.user):
        raise Http404
    return get_object_or_404(seances_visible_to(request.user).select_related("commission"), pk=pk)


def _decisions_of(seance):
    # The decisions in force: a corrected one keeps its letters, marked superseded, on the dossier.
    return Decision.objects.filter(demande__points_odj__seance=seance, superseded_at__isnull=True).distinct()


def _context(seance):
    return {
        "seance": seance,
        "progress": letters.progress_of(_decisions_of(seance)),
        "awaiting_decision": Demande.objects.filter(points_odj__seance=seance).awaiting_decision().count(),
    }


@require_http_methods(["GET", "POST"])
def seance_courriers(request, pk):
    """The session's decisions and their letters; POST launches the jobs of those not produced yet."""
    seance = _seance(request, pk)
    if request.method == "POST":
        launched = tasks.schedule_letters(_decisions_of(seance))
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
        return redirect("commission:seance_courriers", pk=seance.pk)
    return render(request, "commission/seances/courriers.html", _context(seance))


@require_GET
def seance_courriers_progression(request, pk):
    """The progress fragment htmx polls every two seconds while jobs are awaited."""
    seance = _seance(request, pk)
    response = render(request, "commission/seances/courriers_progression.html", _context(seance))
    patch_cache_control(response, no_store=True)
    return response
