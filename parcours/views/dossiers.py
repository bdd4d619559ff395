"""The association's dossier: its page, the guided application, filing, withdrawal, renewal.

Every view reaches applications through `demandes_visible_to`; changes also need a caseworker of an
association (`demandes_changeable_by`): the secretariat reads dossiers, it does not write them. Another
association's dossier is a 404, whatever the method. Pages that show the dossier record the read
(commission.audit). What may change in which state is the workflow's (parcours.workflow.demandes).
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beneficiaires import access as beneficiaires_access
from commission import audit
from commission.confirm import Confirmation, confirmation_page, is_confirmed
from commission.models import Commission
from parcours import forms
from parcours.access import (
    association_acting_for,
    changes_dossiers,
    demandes_changeable_by,
    demandes_visible_to,
    may_assign,
    parcours_visible_to,
)
from parcours.models import Document, ObjectifInsertion
from parcours.pseudonymise import members_preview
from parcours.views import assignment
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow


def _for_update(queryset, request):
    # A change re-reads the application under a lock, so that a concurrent filing cannot slip between
    # the state check and the write.
    return queryset.select_for_update(of=("self",)) if request.method == "POST" else queryset


# --- the dossier page ----------------------------------------------------------------------------


def _detail_queryset(user):
    return (
        demandes_visible_to(user)
        .select_related("beneficiaire", "association", "parcours", "commission", "referent", "instructeur")
        .prefetch_related(
            Prefetch("objectifs", queryset=ObjectifInsertion.objects.order_by("pk")),
            Prefetch("documents", queryset=Document.objects.order_by("kind", "-uploaded_at", "-pk")),
        )
    )


def _documents_with_history(demande):
    """Current documents, each with its former versions, newest first."""
    documents = list(demande.documents.all())
    replaced = {d.replaced_by_id: d for d in documents if d.replaced_by_id}
    rows = []
    for document in documents:
        if document.replaced_by_id:
            continue
        history, previous = [], replaced.get(document.pk)
        while previous is not None:
            history.append(previous)
            previous = replaced.get(previous.pk)
        rows.append({"document": document, "history": history})
    return rows


def _missing_parts(demande):
    rows = []
    for key, message in demande.missing_parts().items():
        step, field = forms.locate_part(key)
        url = reverse("parcours:dossier_edit", args=[demande.pk, step]) + f"#id_{field}" if step else ""
        if key.startswith("document_"):
            url = reverse("parcours:document_upload", args=[demande.pk])
        rows.append({"message": message, "url": url})
    return rows


def _render_detail(request, demande, *, resubmit_form=None, submit_error="", assign_form=None):
    can_change = changes_dossiers(request.user)
    can_edit = can_change and workflow.is_editable(demande)
    missing_parts = _missing_parts(demande) if can_edit else []
    context = {
        "demande": demande,
        "can_edit": can_edit,
        "can_withdraw": can_change and workflow.can(demande, "withdraw"),
        "avis_form": forms.AvisForm(demande=demande)
        if can_change and workflow.can(demande, "record_association_avis")
        else None,
        "steps": [
            {"title": step.title, "url": reverse("parcours:dossier_edit", args=[demande.pk, step.slug])}
            for step in forms.steps_for(demande)
        ],
        "missing_parts": missing_parts,
        "submit_error": submit_error,
        "resubmit_form": (
            resubmit_form or forms.ResubmitForm() if can_edit and workflow.can(demande, "resubmit") else None
        ),
        "documents": _documents_with_history(demande),
        "renewable_parcours": workflow.renewable_parcours(demande) if can_change else None,
        # Before filing, the texts as commission members will read them, masked passages shown.
        "members_preview": members_preview(demande) if can_edit else None,
        # Incomplete, the dossier cannot be filed: its button gets the list of what is missing at once.
        "confirm_filing": _filing_confirmation(demande) if can_edit and not missing_parts else None,
        "assignment": assignment.assignment_context(request.user, demande, assign_form),
    }
    return render(request, "parcours/dossier_detail.html", context)


@require_GET
def dossier_detail(request, pk):
    demande = audit.get_or_404(request, _detail_queryset(request.user), pk=pk)
    return _render_detail(request, demande)


@require_POST
def dossier_assign(request, pk):
    demande = audit.get_or_404(request, _detail_queryset(request.user).select_for_update(of=("self",)), pk=pk)
    if not may_assign(request.user, demande):
        raise Http404
    form = assignment.assign_form(request.user, demande, request.POST)
    if form is None:
        messages.error(
            request,
            _("Ce dossier est à l’état « %(state)s » : son suivi ne peut plus être attribué.")
            % {"state": demande.get_state_display()},
        )
        return redirect("parcours:dossier", pk=demande.pk)
    if not form.is_valid():
        return _render_detail(request, demande, assign_form=form)
    assignee = form.cleaned_data["assignee"]
    try:
        workflow.assign(demande, user=request.user, field=form.assignment_field, assignee=assignee)
    except WorkflowError as error:
        form.add_error("assignee", error.message)
        return _render_detail(request, demande, assign_form=form)
    if assignee is None:
        messages.success(request, _("Le dossier n’est plus attribué à personne."))
    else:
        messages.success(
            request,
            _("Le dossier est attribué à %(name)s.") % {"name": assignee.get_full_name() or assignee.email},
        )
    return redirect("parcours:dossier", pk=demande.pk)


# --- creating an application ---------------------------------------------------------------------


@require_POST
def demande_create(request, beneficiaire_pk):
    """A caseworker opens an initial application for a person their association accompanies."""
    association = association_acting_for(request.user)
    if association is None:
        raise Http404
    beneficiaire = get_object_or_404(beneficiaires_access.visible_to(request.user), pk=beneficiaire_pk)
    commission = Commission.objects.filter(departement_id=beneficiaire.departement_id).first()
    if commission is None:
        messages.error(
            request,
            _(
                "Aucune commission n’est enregistrée pour le département de la personne : adressez-vous "
                "au secrétariat de la commission."
            ),
        )
        return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    try:
        demande = workflow.create(
            beneficiaire=beneficiaire, association=association, commission=commission, user=request.user
        )
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    messages.success(
        request,
        _("Le brouillon de la demande est créé. Complétez-le étape par étape : chaque étape s’enregistre."),
    )
    return redirect("parcours:dossier_edit", pk=demande.pk, etape=forms.steps_for(demande)[0].slug)


@require_POST
def renouvellement_create(request, pk):
    """A renewal of the pathway `pk`, pre-filled from its last granted application."""
    association = association_acting_for(request.user)
    if association is None:
        raise Http404
    parcours = get_object_or_404(
        parcours_visible_to(request.user).select_related("beneficiaire", "commission"), pk=pk
    )
    try:
        demande = workflow.start_renewal(parcours, association=association, user=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("beneficiaires:detail", pk=parcours.beneficiaire_id)
    messages.success(
        request,
        _(
            "Le brouillon du renouvellement est créé à partir de la dernière demande accordée : mettez à "
            "jour la situation et rédigez le bilan de chaque axe."
        ),
    )
    return redirect("parcours:dossier_edit", pk=demande.pk, etape=forms.steps_for(demande)[0].slug)


# --- the guided application ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def dossier_edit(request, pk, etape):
    """One step of the application. Both buttons save the step; invalid input saves nothing and is
    shown back with its messages."""
    demande = audit.get_or_404(
        request,
        _for_update(demandes_changeable_by(request.user), request).select_related("beneficiaire"),
        pk=pk,
    )
    steps = forms.steps_for(demande)
    index = next((i for i, step in enumerate(steps) if step.slug == etape), None)
    if index is None:
        raise Http404
    step = steps[index]
    refusal = workflow.avis_refusal(demande) if step is forms.AVIS else workflow.edit_refusal(demande)
    if refusal:
        messages.error(request, refusal)
        return redirect("parcours:dossier", pk=demande.pk)

    form = step.form_class(request.POST if request.method == "POST" else None, demande=demande)
    if request.method == "POST" and form.is_valid():
        try:
            form.save(user=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("parcours:dossier", pk=demande.pk)
        if request.POST.get("action") == "brouillon":
            messages.success(request, _("Brouillon enregistré."))
            return redirect("parcours:dossier_edit", pk=demande.pk, etape=step.slug)
        messages.success(request, _("Étape « %(step)s » enregistrée.") % {"step": step.title})
        if index + 1 < len(steps):
            return redirect("parcours:dossier_edit", pk=demande.pk, etape=steps[index + 1].slug)
        return redirect("parcours:dossier", pk=demande.pk)
    form.flag_missing(demande.missing_parts())
    guided = workflow.is_editable(demande)
    return render(
        request,
        "parcours/dossier_edit.html",
        {
            "demande": demande,
            "form": form,
            "step": step,
            "guided": guided,
            "step_number": index + 1,
            "step_count": len(steps),
            "next_step": steps[index + 1] if index + 1 < len(steps) else None,
            "steps": [
                {
                    "title": s.title,
                    "url": reverse("parcours:dossier_edit", args=[demande.pk, s.slug]),
                    "current": s is step,
                }
                for s in steps
            ],
        },
    )


# --- filing and withdrawal -----------------------------------------------------------------------


def _filing_confirmation(demande):
    """What filing does and for whom: the modal of the dossier page and the confirmation page."""
    again = workflow.can(demande, "resubmit")
    names = {
        "ref": demande.beneficiaire.reference,
        "kind": demande.get_kind_display(),
        "commission": demande.commission.name,
    }
    return Confirmation(
        id="confirmer-depot",
        title=_("Déposer de nouveau le dossier ?") if again else _("Déposer le dossier ?"),
        text=[
            (
                _(
                    "Le dossier %(ref)s complété sera de nouveau déposé auprès du secrétariat de la "
                    "commission (%(commission)s) ; votre message s’ajoutera aux messages du dossier."
                )
                if again
                else _(
                    "Le dossier %(ref)s (%(kind)s) sera déposé auprès du secrétariat de la commission "
                    "(%(commission)s), qui vérifiera qu’il est complet."
                )
            )
            % names,
            _("Vous ne pourrez plus le modifier, sauf si le secrétariat demande un complément."),
        ],
        label=_("Déposer le dossier complété") if again else _("Déposer le dossier"),
        confirm_label=_("Confirmer le dépôt"),
        action=reverse("parcours:dossier_submit", args=[demande.pk]),
        cancel_url=reverse("parcours:dossier", args=[demande.pk]),
        form_id="form-depot",
        button_class="fr-btn fr-icon-send-plane-line fr-btn--icon-left",
    )


@require_POST
def dossier_submit(request, pk):
    """File the application with the secretariat, or file it again once the complement is added."""
    demande = get_object_or_404(
        demandes_changeable_by(request.user).select_related("beneficiaire", "commission"), pk=pk
    )
    # Not confirmed yet: say what filing does. A dossier that cannot be filed (incomplete, or already
    # filed) goes on to the workflow, which refuses it and says why: nothing is filed without `confirmed`.
    fileable = workflow.can(demande, "submit") or workflow.can(demande, "resubmit")
    asking = not is_confirmed(request) and fileable and not demande.missing_parts()
    resubmit_form = None
    try:
        if workflow.can(demande, "resubmit"):
            resubmit_form = forms.ResubmitForm(request.POST)
            if not resubmit_form.is_valid():
                raise WorkflowError(_("Le message n’a pas pu être lu : corrigez-le."))
            if asking:
                return confirmation_page(request, _filing_confirmation(demande), form=resubmit_form)
            workflow.resubmit(demande, user=request.user, message=resubmit_form.cleaned_data["message"])
            messages.success(request, _("Le dossier complété est de nouveau déposé auprès du secrétariat."))
        else:
            if asking:
                return confirmation_page(request, _filing_confirmation(demande))
            demande = workflow.submit(demande, user=request.user)
            messages.success(
                request,
                _("Le dossier est déposé : le secrétariat de la commission va vérifier qu’il est complet."),
            )
            if demande.minor_at_filing:
                messages.warning(request, workflow.MINOR_AT_FILING)
        if members_preview(demande).has_identity:
            messages.warning(
                request,
                _(
                    "Des éléments d’identité figurent dans les textes destinés à la commission : ils seront "
                    "masqués pour les membres. À l’avenir, rédigez ces textes sans identifier la personne ni "
                    "ses proches ; si un complément est demandé, corrigez-les à cette occasion."
                ),
            )
    except WorkflowError as error:
        demande = audit.get_or_404(request, _detail_queryset(request.user), pk=pk)
        return _render_detail(request, demande, resubmit_form=resubmit_form, submit_error=error.message)
    return redirect("parcours:dossier", pk=demande.pk)


def _withdrawal_confirmation(demande, on=None):
    """What recording the withdrawal does; the page after a POST also says the date typed."""
    names = {"ref": demande.beneficiaire.reference, "kind": demande.get_kind_display()}
    return Confirmation(
        id="confirmer-retrait",
        title=_("Enregistrer le retrait de la personne ?"),
        text=[
            (
                _(
                    "La demande (%(kind)s) du dossier %(ref)s sera close au %(day)s : le secrétariat de la "
                    "commission ne l’instruira plus."
                )
                % {**names, "day": on.strftime("%d/%m/%Y")}
                if on
                else _(
                    "La demande (%(kind)s) du dossier %(ref)s sera close à la date saisie : le secrétariat "
                    "de la commission ne l’instruira plus."
                )
                % names
            ),
            _("Une nouvelle demande pourra être préparée si la personne le souhaite."),
        ],
        label=_("Enregistrer le retrait"),
        confirm_label=_("Confirmer le retrait"),
        action=reverse("parcours:dossier_withdraw", args=[demande.pk]),
        cancel_url=reverse("parcours:dossier", args=[demande.pk]),
        form_id="form-retrait",
    )


@require_http_methods(["GET", "POST"])
def dossier_withdraw(request, pk):
    """The caseworker records that the person withdraws, with its date and reason."""
    demande = get_object_or_404(
        _for_update(demandes_changeable_by(request.user), request).select_related("beneficiaire"), pk=pk
    )
    if not workflow.can(demande, "withdraw"):
        messages.error(
            request,
            _(
                "Ce dossier est à l’état « %(state)s » : son retrait ne peut plus être enregistré. Le "
                "retrait est possible jusqu’à la décision du préfet."
            )
            % {"state": demande.get_state_display()},
        )
        return redirect("parcours:dossier", pk=demande.pk)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None, demande=demande)
    if request.method == "POST" and form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request, _withdrawal_confirmation(demande, form.cleaned_data["withdrawn_on"]), form=form
        )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.withdraw(
                demande,
                user=request.user,
                on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Le retrait de la demande est enregistré."))
            return redirect("parcours:dossier", pk=demande.pk)
    return render(
        request,
        "parcours/dossier_withdraw.html",
        {"demande": demande, "form": form, "confirm_withdrawal": _withdrawal_confirmation(demande)},
    )
