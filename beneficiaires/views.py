"""The person's own pages: a new person, changes to the record, a change of association.

Every row is reached through the scopes of `beneficiaires.access`: another association's person is a
404. The list of persons and a person's page show their dossiers: they live with the pathway
(`parcours.views.beneficiaires`), which knows the person; this app knows nothing of the pathway.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from beneficiaires import access, workflow
from beneficiaires.forms import (
    BeneficiaireCreateForm,
    BeneficiaireForm,
    ChangeAssociationForm,
    approved_departements,
)
from beneficiaires.models import Accompagnement
from commission import audit


def beneficiaire_create(request):
    association = access.registering_association(request.user)
    if association is None:
        raise Http404
    departements = list(approved_departements(association))
    if not departements:
        return render(request, "beneficiaires/beneficiaire_no_agrement.html", {"association": association})
    form = BeneficiaireCreateForm(
        request.POST or None, candidates=access.visible_to(request.user), departements=departements
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                beneficiaire = form.save()
                workflow.start_accompaniment(
                    beneficiaire,
                    association,
                    chosen_on=form.cleaned_data["chosen_on"],
                    user=request.user,
                    referent=request.user,
                )
        except workflow.AccompanimentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("La personne est enregistrée sous la référence %(reference)s.")
                % {"reference": beneficiaire.reference},
            )
            return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return render(request, "beneficiaires/beneficiaire_form.html", {"form": form, "beneficiaire": None})


def beneficiaire_update(request, pk):
    scope = access.changeable_by(request.user)
    beneficiaire = audit.get_or_404(request, scope, pk=pk)
    form = BeneficiaireForm(request.POST or None, instance=beneficiaire, candidates=scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les informations de la personne sont enregistrées."))
        return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return render(
        request, "beneficiaires/beneficiaire_form.html", {"form": form, "beneficiaire": beneficiaire}
    )


def accompagnement_change(request, pk):
    """The secretariat, or the association that accompanies the person, records that the person chose
    another association. Every right moves with the person: an association that hands the person over
    no longer sees them afterwards."""
    accompagnements = Accompagnement.objects.select_related("association", "referent").order_by(
        "-start", "-pk"
    )
    beneficiaire = audit.get_or_404(
        request,
        access.accompaniment_changeable_by(request.user)
        .select_related("departement")
        .prefetch_related(Prefetch("accompagnements", queryset=accompagnements)),
        pk=pk,
    )
    current = beneficiaire.current_accompagnement
    form = ChangeAssociationForm(
        request.POST or None, associations=workflow.receiving_associations(beneficiaire), current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = workflow.change_association(
                beneficiaire,
                form.cleaned_data["association"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                chosen_on=form.cleaned_data["chosen_on"],
                user=request.user,
            )
        except workflow.AccompanimentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Le changement d’association est enregistré : %(association)s accompagne désormais la personne."
                )
                % {"association": new.association.name},
            )
            if access.visible_to(request.user).filter(pk=beneficiaire.pk).exists():
                return redirect("beneficiaires:detail", pk=beneficiaire.pk)
            return redirect("beneficiaires:list")  # the association handed the person over
    return render(
        request,
        "beneficiaires/accompagnement_change.html",
        {"beneficiaire": beneficiaire, "current": current, "form": form},
    )
