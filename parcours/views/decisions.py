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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission import audit
from commission.confirm import Confirmation, confirmation_page, is_confirmed
from commission.validators import CleanInputMixin
from parcours import afis, tasks
from parcours.access import decides, demandes_decidable_by, is_secretariat, parcours_visible_to
from parcours.enums import DecisionKind
from parcours.models import Decision, DroitAfis, RegleParcours
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
        else:
            # The term's length is dated data (RegleParcours), never written here.
            self.fields["start"].help_text = _(
                "Au plus tôt le jour de la décision. La première période dure %(months)s mois."
            ) % {"months": RegleParcours.in_force(timezone.localdate()).term_months}


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
    demandes = list(
        workflow.awaiting_decision(demandes_decidable_by(request.user))
        .select_related("beneficiaire", "association", "parcours")
        .order_by("avis_commission_on", "pk")
    )
    audit.record_list(request, demandes)
    return render(request, "parcours/decisions/a_decider.html", {"demandes": demandes})


@require_http_methods(["GET", "POST"])
def decider(request, pk):
    demande = audit.get_or_404(
        request,
        demandes_decidable_by(request.user).select_related("beneficiaire", "association", "parcours"),
        pk=pk,
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


@require_POST
def afis_reassess(request, pk):
    """The secretariat assesses again an AFIS right "à compléter", once the missing datum is entered
    (RSA lump sum, scale, nationality, residence permit). Its attestation joins the letters if granted."""
    if not is_secretariat(request.user):
        raise Http404
    droit = get_object_or_404(
        DroitAfis.objects.filter(periode__parcours__in=parcours_visible_to(request.user)).select_related(
            "periode__decision"
        ),
        pk=pk,
    )
    droit = afis.reassess(droit)
    tasks.schedule_attestations([droit] if droit.eligible else [])
    if droit.eligible:
        messages.success(
            request, _("Le droit à l’AFIS est ouvert ; son attestation est produite avec les courriers.")
        )
    elif droit.pending:
        messages.warning(
            request,
            _("Le droit à l’AFIS reste à compléter : %(reason)s") % {"reason": droit.ineligibility_reason},
        )
    else:
        messages.info(
            request,
            _("La personne ne remplit pas les conditions de l’AFIS : %(reason)s")
            % {"reason": droit.ineligibility_reason},
        )
    demande = droit.periode.decision.demande if droit.periode.decision_id else None
    if demande is not None:
        return redirect(reverse("parcours:dossier", args=[demande.pk]) + "#decision")
    return redirect("home")


class CorrectionForm(CleanInputMixin, forms.Form):
    decided_on = forms.DateField(label=gettext_lazy("Date de la décision"), widget=DATE_INPUT)
    signataire_title = forms.CharField(label=gettext_lazy("Qualité du signataire"), max_length=200)
    motifs = forms.CharField(
        label=gettext_lazy("Motifs"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif de la correction"),
        help_text=gettext_lazy(
            "L’erreur matérielle rectifiée. La décision d’origine et ses courriers restent au dossier, "
            "marqués comme remplacés ; de nouveaux courriers sont produits."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme : une nouvelle décision remplace celle-ci et de nouveaux courriers sont produits."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la correction.")},
    )


@require_http_methods(["GET", "POST"])
def corriger(request, pk):
    """The president corrects a material error of a decision: a new decision supersedes it."""
    if not decides(request.user):
        raise Http404
    decision = audit.get_or_404(
        request,
        Decision.objects.filter(
            demande__in=demandes_decidable_by(request.user), superseded_at__isnull=True
        ).select_related("demande__beneficiaire"),
        pk=pk,
    )
    initial = {
        "decided_on": decision.decided_on,
        "signataire_title": decision.signataire_title,
        "motifs": decision.motifs,
    }
    form = CorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.correct_decision(
                decision,
                user=request.user,
                reason=data["reason"],
                decided_on=data["decided_on"],
                signataire_title=data["signataire_title"],
                motifs=data["motifs"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "La décision est corrigée : ses nouveaux courriers sont produits, les précédents restent au dossier."
                ),
            )
            return redirect(reverse("parcours:dossier", args=[decision.demande_id]) + "#decision")
    return render(
        request,
        "parcours/decisions/corriger.html",
        {"decision": decision, "demande": decision.demande, "form": form},
    )
