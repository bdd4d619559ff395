"""The person's own pages: a new person, changes to the record.

Every row is reached through the scopes of `beneficiaires.access`: another association's person is a
404. The list of persons and a person's page show their dossiers: they live with the pathway
(`parcours.views.beneficiaires`), which knows the person; this app knows nothing of the pathway.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from beneficiaires import access
from beneficiaires.forms import BeneficiaireCreateForm, BeneficiaireForm, approved_departements


def beneficiaire_create(request):
    association = access.registering_association(request.user)
    if association is None:
        raise Http404
    departements = list(approved_departements(association))
    if not departements:
        return render(request, "beneficiaires/beneficiaire_no_agrement.html", {"association": association})
    form = BeneficiaireCreateForm(
        request.POST or None,
        candidates=access.visible_to(request.user),
        association=association,
        referent=request.user,
        departements=departements,
    )
    if request.method == "POST" and form.is_valid():
        beneficiaire = form.save()
        messages.success(
            request,
            _("La personne est enregistrée sous la référence %(reference)s.")
            % {"reference": beneficiaire.reference},
        )
        return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return render(request, "beneficiaires/beneficiaire_form.html", {"form": form, "beneficiaire": None})


def beneficiaire_update(request, pk):
    scope = access.changeable_by(request.user)
    beneficiaire = get_object_or_404(scope, pk=pk)
    form = BeneficiaireForm(request.POST or None, instance=beneficiaire, candidates=scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les informations de la personne sont enregistrées."))
        return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return render(
        request, "beneficiaires/beneficiaire_form.html", {"form": form, "beneficiaire": beneficiaire}
    )
