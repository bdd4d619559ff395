from django.http import Http404
from django.shortcuts import get_object_or_404, render

from parcours.access import demandes_visible_to


def dossier_detail(request, pk):
    demande = get_object_or_404(demandes_visible_to(request.user).select_related("beneficiaire"), pk=pk)
    return render(request, "parcours/dossier_detail.html", {"demande": demande})


def demande_create(request, beneficiaire_pk):
    raise Http404  # built by the application work of issue 4


def renouvellement_create(request, pk):
    raise Http404


def dossier_edit(request, pk, etape):
    raise Http404


def dossier_submit(request, pk):
    raise Http404


def dossier_withdraw(request, pk):
    raise Http404
