"""The president's decisions: the opinions awaiting a decision, and the decision form of one of them.

Only the president of the département (the prefect or their delegate) reaches these pages
(`demandes_decidable_by`); anyone else gets a 404. The rules (which decision answers which application,
reasons for a refusal, the 24-month cap) are the workflow's: the form only parses the input.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from commission.confirm import Confirmation, confirmation_page, is_confirmed
from commission.validators import CleanInputMixin
from parcours.access import decides, demandes_decidable_by
from parcours.enums import DecisionKind
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from parcours.workflow import parcours as parcours_workflow

# An <input type="date"> reads and sends ISO dates, whatever the language of the page.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionForm(CleanInputMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Décision"), widget=forms.RadioSelect)
    decided_on = forms.DateField(label=gettext_lazy("Date de la décision"), widget=DATE_INPUT)
    start = forms.DateField(
        label=gettext_lazy("Début du parcours"),
        help_text=gettext_lazy("Au plus tôt le jour de la décision. La première période dure six mois."),
        required=False,
        widget=DATE_INPUT,
    )
    motifs = forms.CharField(
        label=gettext_lazy("Motifs"),
        help_text=gettext_lazy(
            "Obligatoires pour un refus, un non-renouvellement ou une fin anticipée : ils figurent dans le "
            "courrier de notification."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    signataire_title = forms.CharField(
        label=gettext_lazy("Qualité du signataire"),
        help_text=gettext_lazy(
            "Par exemple : « Pour la préfète et par délégation, la secrétaire générale »."
        ),
        max_length=200,
    )

    def __init__(self, *args, demande, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in workflow.DECISIONS[demande.kind]]
        if not workflow.may_open_pathway(demande):
            del self.fields["start"]


def _pathway_outlook(demande):
    """For a renewal or an early end: the pathway's term, the months granted and those left."""
    parcours = demande.parcours
    if parcours is None:
        return None
    length = parcours_workflow.length_of(parcours)
    return {
        "parcours": parcours,
        "months_authorised": length.months,
        "remaining_months": length.remaining,
        "cap_months": length.cap,
        "renewable": parcours_workflow.can_renew(parcours, length),
    }


def _decision_confirmation(demande, kind=None):
    """What deciding does and whom it reaches; the page after a POST names the decision chosen."""
    return Confirmation(
        id="confirmer-decision",
        title=_("Enregistrer la décision ?"),
        text=[
            (
                _("La décision « %(kind)s » sur le dossier %(ref)s sera enregistrée à votre nom.")
                % {"kind": DecisionKind(kind).label, "ref": demande.beneficiaire.reference}
                if kind
                else _("La décision choisie sur le dossier %(ref)s sera enregistrée à votre nom.")
                % {"ref": demande.beneficiaire.reference}
            ),
            _(
                "Ses courriers seront produits et déposés sur le dossier ; l’association %(association)s en "
                "sera avertie par courriel."
            )
            % {"association": demande.association.name},
        ],
        label=_("Enregistrer la décision"),
        confirm_label=_("Confirmer la décision"),
        action=reverse("decisions:decider", args=[demande.pk]),
        cancel_url=reverse("decisions:decider", args=[demande.pk]),
        form_id="form-decision",
    )


@require_GET
def a_decider(request):
    """The opinions given by the commission that await the president's decision, oldest first."""
    if not decides(request.user):
        raise Http404
    demandes = (
        workflow.awaiting_decision(demandes_decidable_by(request.user))
        .select_related("beneficiaire", "association", "parcours")
        .order_by("avis_commission_on", "pk")
    )
    return render(request, "parcours/decisions/a_decider.html", {"demandes": demandes})


@require_http_methods(["GET", "POST"])
def decider(request, pk):
    demande = get_object_or_404(
        demandes_decidable_by(request.user).select_related("beneficiaire", "association", "parcours"), pk=pk
    )
    if not workflow.awaits_decision(demande):
        messages.info(
            request,
            _("Ce dossier est à l’état « %(state)s » : il n’attend pas de décision.")
            % {"state": demande.get_state_display()},
        )
        return redirect("parcours:dossier", pk=demande.pk)
    today = timezone.localdate()
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        demande=demande,
        initial={"decided_on": today, "start": today, "signataire_title": request.user.title},
    )
    if request.method == "POST" and form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request, _decision_confirmation(demande, form.cleaned_data["kind"]), form=form
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = workflow.decide(
                demande,
                kind=data["kind"],
                signataire=request.user,
                signataire_title=data["signataire_title"],
                decided_on=data["decided_on"],
                motifs=data["motifs"],
                start=data.get("start"),
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "La décision « %(kind)s » est enregistrée. Ses courriers sont produits et déposés sur le "
                    "dossier ; l’association en est avertie par courriel."
                )
                % {"kind": decision.get_kind_display()},
            )
            return redirect("parcours:dossier", pk=demande.pk)
    return render(
        request,
        "parcours/decisions/decider.html",
        {
            "demande": demande,
            "form": form,
            "with_start": "start" in form.fields,
            "outlook": _pathway_outlook(demande),
            "confirm_decision": _decision_confirmation(demande),
        },
    )
