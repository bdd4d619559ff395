"""State machine of an application (initial, renewal, early-end proposal).

brouillon → déposée → complément demandé ⇄ déposée → recevable → inscrite à l’ordre du jour
→ avis rendu (or ajournée → inscrite again) → décision favorable / défavorable;
retrait possible until the decision.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours import afis, thread
from parcours.enums import (
    Axe,
    DecisionKind,
    DemandeKind,
    DemandeState,
    MessageKind,
    MessageSide,
    ParcoursEndReason,
    ParcoursState,
)
from parcours.models import Decision, Demande, DemandeEvenement, ObjectifInsertion, Parcours

from . import parcours as parcours_workflow
from .errors import WorkflowError

S = DemandeState
OPEN_BEFORE_DECISION = (
    S.BROUILLON,
    S.DEPOSEE,
    S.COMPLEMENT_DEMANDE,
    S.RECEVABLE,
    S.INSCRITE,
    S.AJOURNEE,
    S.AVIS_RENDU,
)


@dataclass(frozen=True)
class Transition:
    sources: tuple
    target: str | None  # None: the target depends on the decision taken


TRANSITIONS = {
    "submit": Transition((S.BROUILLON,), S.DEPOSEE),
    "request_complement": Transition((S.DEPOSEE,), S.COMPLEMENT_DEMANDE),
    "resubmit": Transition((S.COMPLEMENT_DEMANDE,), S.DEPOSEE),
    "mark_admissible": Transition((S.DEPOSEE,), S.RECEVABLE),
    "put_on_agenda": Transition((S.RECEVABLE, S.AJOURNEE), S.INSCRITE),
    "remove_from_agenda": Transition((S.INSCRITE,), S.RECEVABLE),
    "postpone": Transition((S.INSCRITE,), S.AJOURNEE),
    "record_avis": Transition((S.INSCRITE,), S.AVIS_RENDU),
    "decide": Transition((S.AVIS_RENDU,), None),
    "withdraw": Transition(OPEN_BEFORE_DECISION, S.RETIREE),
}

# Which decisions answer which kind of application, and the state each leads to.
DECISIONS = {
    DemandeKind.INITIALE: {DecisionKind.AUTORISATION: S.ACCEPTEE, DecisionKind.REFUS: S.REFUSEE},
    DemandeKind.RENOUVELLEMENT: {
        DecisionKind.RENOUVELLEMENT: S.ACCEPTEE,
        DecisionKind.NON_RENOUVELLEMENT: S.REFUSEE,
    },
    DemandeKind.FIN_ANTICIPEE: {DecisionKind.FIN_ANTICIPEE: S.ACCEPTEE, DecisionKind.MAINTIEN: S.REFUSEE},
}
NEGATIVE_DECISIONS = (DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.FIN_ANTICIPEE)


def allowed_transitions(demande) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if demande.state in t.sources]


def _apply(demande, name, user, *, target=None, reason="", extra_fields=()):
    """Check the source state, set the target, save, and log the transition."""
    transition = TRANSITIONS[name]
    if demande.state not in transition.sources:
        raise WorkflowError(
            _("Impossible depuis l’état « %(state)s » de la demande.")
            % {"state": demande.get_state_display()}
        )
    from_state = demande.state
    demande.state = target or transition.target
    demande.save(update_fields=["state", *extra_fields])
    DemandeEvenement.objects.create(
        demande=demande,
        transition=name,
        from_state=from_state,
        to_state=demande.state,
        user=user,
        reason=reason,
    )
    return demande


def _locked(demande):
    """Re-read the row under a lock so two concurrent transitions cannot both pass the guard."""
    return (
        Demande.objects.select_for_update()
        .select_related("association", "commission__departement")
        .get(pk=demande.pk)
    )


def _check_agrement(association, commission, on=None):
    """Only an association with a valid agrément for the département files (CASF R121-12-1)."""
    if not association.can_file_in(commission.departement, on):
        raise WorkflowError(
            _(
                "L’agrément de l’association pour ce département n’est pas valide à cette date : "
                "elle ne peut pas déposer de dossier."
            )
        )


def _check_complete(demande):
    missing = demande.missing_parts()
    if missing:
        raise WorkflowError(
            _("Le dossier est incomplet : complétez les éléments signalés avant de le déposer."),
            details=missing,
        )


@transaction.atomic
def create(
    *, beneficiaire, association, commission, user, kind=DemandeKind.INITIALE, parcours=None
) -> Demande:
    """A new draft, with one empty objective per axis of the projet d'insertion."""
    if beneficiaire.departement_id != commission.departement_id:
        raise WorkflowError(_("La personne n’est pas suivie dans le département de cette commission."))
    _check_agrement(association, commission)
    if kind == DemandeKind.INITIALE and Parcours.objects.active().filter(beneficiaire=beneficiaire).exists():
        raise WorkflowError(_("Cette personne a déjà un parcours en cours : déposez un renouvellement."))
    if kind != DemandeKind.INITIALE:
        if parcours is None or parcours.beneficiaire_id != beneficiaire.pk:
            raise WorkflowError(_("Indiquez le parcours en cours de la personne."))
        if parcours.state != ParcoursState.EN_COURS:
            raise WorkflowError(_("Ce parcours est terminé."))
        if kind == DemandeKind.RENOUVELLEMENT and not parcours_workflow.can_renew(parcours):
            raise WorkflowError(
                _("Le parcours a atteint sa durée maximale de 24 mois : il ne peut plus être renouvelé.")
            )
    if Demande.objects.open().filter(beneficiaire=beneficiaire).exists():
        raise WorkflowError(_("Cette personne a déjà une demande en cours."))
    demande = Demande.objects.create(
        beneficiaire=beneficiaire,
        association=association,
        commission=commission,
        referent=user,
        kind=kind,
        parcours=parcours,
    )
    ObjectifInsertion.objects.bulk_create(ObjectifInsertion(demande=demande, axe=axe) for axe in Axe)
    DemandeEvenement.objects.create(
        demande=demande, transition="create", from_state="", to_state=demande.state, user=user
    )
    return demande


@transaction.atomic
def submit(demande, *, user) -> Demande:
    """The association files the complete dossier with the prefect (secretariat)."""
    demande = _locked(demande)
    _check_agrement(demande.association, demande.commission)
    _check_complete(demande)
    demande.submitted_at = timezone.now()
    return _apply(demande, "submit", user, extra_fields=["submitted_at"])


@transaction.atomic
def request_complement(demande, *, user, message: str) -> Demande:
    """The secretariat asks for a complement; the message goes to the dossier's thread."""
    if not message.strip():
        raise WorkflowError(_("Précisez dans un message ce qui manque au dossier."))
    demande = _apply(_locked(demande), "request_complement", user, reason=message)
    thread.post(demande, author=user, side=MessageSide.SECRETARIAT, body=message, kind=MessageKind.COMPLEMENT)
    return demande


@transaction.atomic
def resubmit(demande, *, user, message: str = "") -> Demande:
    demande = _locked(demande)
    _check_agrement(demande.association, demande.commission)
    _check_complete(demande)
    demande = _apply(demande, "resubmit", user, reason=message)
    thread.post(
        demande,
        author=user,
        side=MessageSide.ASSOCIATION,
        body=message.strip() or _("Le dossier a été complété et déposé à nouveau."),
        kind=MessageKind.RESUBMISSION,
    )
    return demande


@transaction.atomic
def mark_admissible(demande, *, user) -> Demande:
    demande = _locked(demande)
    demande.admissible_at = timezone.now()
    return _apply(demande, "mark_admissible", user, extra_fields=["admissible_at"])


@transaction.atomic
def put_on_agenda(demande, *, user) -> Demande:
    return _apply(_locked(demande), "put_on_agenda", user)


@transaction.atomic
def remove_from_agenda(demande, *, user, reason="") -> Demande:
    return _apply(_locked(demande), "remove_from_agenda", user, reason=reason)


@transaction.atomic
def postpone(demande, *, user, reason: str) -> Demande:
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de l’ajournement."))
    return _apply(_locked(demande), "postpone", user, reason=reason)


@transaction.atomic
def record_avis(demande, *, favorable: bool, on: datetime.date, user=None, reason="") -> Demande:
    """The commission's opinion, recorded by the session that gave it (CASF L121-9)."""
    demande = _locked(demande)
    demande.avis_commission = "favorable" if favorable else "defavorable"
    demande.avis_commission_on = on
    return _apply(
        demande, "record_avis", user, reason=reason, extra_fields=["avis_commission", "avis_commission_on"]
    )


@transaction.atomic
def withdraw(demande, *, user, on: datetime.date, reason: str) -> Demande:
    """The person withdraws the application; possible until the decision."""
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif du retrait."))
    demande = _locked(demande)
    if on > timezone.localdate():
        raise WorkflowError(_("La date du retrait ne peut pas être dans le futur."))
    demande.withdrawn_on = on
    demande.withdrawal_reason = reason
    return _apply(
        demande, "withdraw", user, reason=reason, extra_fields=["withdrawn_on", "withdrawal_reason"]
    )


@transaction.atomic
def decide(
    demande,
    *,
    kind: str,
    signataire,
    signataire_title: str,
    decided_on: datetime.date,
    motifs: str = "",
    start: datetime.date | None = None,
) -> Decision:
    """The prefect's decision, after the commission's and the association's opinions (CASF L121-9)."""
    demande = _locked(demande)
    if demande.state != S.AVIS_RENDU:
        raise WorkflowError(
            _("La décision suit l’avis de la commission : cette demande n’a pas encore d’avis.")
        )
    if not demande.avis_association:
        raise WorkflowError(_("Enregistrez d’abord l’avis de l’association qui accompagne la personne."))
    targets = DECISIONS[demande.kind]
    if kind not in targets:
        raise WorkflowError(_("Cette décision ne répond pas à ce type de demande."))
    if kind in NEGATIVE_DECISIONS and not motifs.strip():
        raise WorkflowError(_("Une décision défavorable doit être motivée."))
    if not signataire_title.strip():
        raise WorkflowError(_("Indiquez la qualité du signataire."))
    if decided_on > timezone.localdate():
        raise WorkflowError(_("La date de décision ne peut pas être dans le futur."))
    if demande.avis_commission_on and decided_on < demande.avis_commission_on:
        raise WorkflowError(_("La décision ne peut pas précéder l’avis de la commission."))
    decision = Decision.objects.create(
        demande=demande,
        kind=kind,
        decided_on=decided_on,
        signataire=signataire,
        signataire_title=signataire_title,
        motifs=motifs,
    )
    _apply_decision_to_parcours(demande, decision, start, signataire)
    _apply(demande, "decide", signataire, target=targets[kind], reason=kind)
    # A decision's letters are generated from it, once committed, whatever path led to it.
    from parcours import tasks

    tasks.schedule_letters([decision])
    return decision


def _apply_decision_to_parcours(demande, decision, start, user):
    kind = decision.kind
    if kind == DecisionKind.AUTORISATION:
        if start is None:
            raise WorkflowError(_("Indiquez la date de début du parcours."))
        if start < decision.decided_on:
            raise WorkflowError(_("Le parcours ne peut pas commencer avant la décision qui l’autorise."))
        parcours = parcours_workflow.authorise(
            beneficiaire=demande.beneficiaire,
            commission=demande.commission,
            start=start,
            decision=decision,
            user=user,
        )
        demande.parcours = parcours
        demande.save(update_fields=["parcours"])
        afis.assess(demande, parcours.periodes.get(number=1), decision.decided_on)
    elif kind == DecisionKind.RENOUVELLEMENT:
        periode = parcours_workflow.renew(demande.parcours, decision=decision, user=user)
        afis.assess(demande, periode, decision.decided_on)
    elif kind == DecisionKind.FIN_ANTICIPEE:
        parcours_workflow.end(
            demande.parcours,
            reason=ParcoursEndReason.FIN_ANTICIPEE,
            on=max(decision.decided_on, demande.parcours.started_on),
            user=user,
            note=decision.motifs,
        )
    # REFUS, NON_RENOUVELLEMENT, MAINTIEN: nothing changes now; a refused renewal ends the pathway at its
    # term (parcours.end_lapsed).
