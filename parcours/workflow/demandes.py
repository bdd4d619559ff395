"""State machine of an application (initial, renewal, early-end proposal), as the domain lists it:

brouillon → déposée → complément demandé ⇄ déposée → recevable → inscrite à l’ordre du jour
→ avis rendu (or ajournée → inscrite again) → décision favorable / défavorable;
retrait possible until the decision. The association's opinion (CASF L121-9) is recorded, with its
event, at any moment before the decision, without moving the state. A renewal (or an early-end
proposal) is filed and decided only while its pathway runs; when the pathway ends before the decision,
the application is closed with it (close_with_pathway).

The table below is the only place these moves are declared; every function of this module that changes
a state goes through `MACHINE.apply` (commission.transitions), which writes the event row.
"""

import datetime

from django.db import transaction
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.transitions import UNCHANGED, Machine, Transition, WorkflowError
from parcours import access, afis, thread
from parcours.enums import (
    AvisChoice,
    Axe,
    DecisionKind,
    DemandeKind,
    DemandeState,
    MessageKind,
    MessageSide,
    ParcoursEndReason,
    ParcoursState,
)
from parcours.models import Decision, Demande, ObjectifInsertion, Parcours

from . import parcours as parcours_workflow

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

TRANSITIONS = (
    Transition("create", (), S.BROUILLON, gettext_lazy("Création du brouillon")),
    Transition("submit", (S.BROUILLON,), S.DEPOSEE, gettext_lazy("Dépôt du dossier")),
    Transition(
        "request_complement", (S.DEPOSEE,), S.COMPLEMENT_DEMANDE, gettext_lazy("Demande de complément")
    ),
    Transition("resubmit", (S.COMPLEMENT_DEMANDE,), S.DEPOSEE, gettext_lazy("Dossier complété et redéposé")),
    Transition("mark_admissible", (S.DEPOSEE,), S.RECEVABLE, gettext_lazy("Dossier déclaré recevable")),
    Transition(
        "put_on_agenda", (S.RECEVABLE, S.AJOURNEE), S.INSCRITE, gettext_lazy("Inscription à l’ordre du jour")
    ),
    Transition("remove_from_agenda", (S.INSCRITE,), S.RECEVABLE, gettext_lazy("Retrait de l’ordre du jour")),
    Transition("postpone", (S.INSCRITE,), S.AJOURNEE, gettext_lazy("Ajournement")),
    Transition("record_avis", (S.INSCRITE,), S.AVIS_RENDU, gettext_lazy("Avis de la commission")),
    Transition(
        "record_association_avis",
        OPEN_BEFORE_DECISION,
        UNCHANGED,
        gettext_lazy("Avis de l’association"),
    ),
    Transition(
        "change_association",
        OPEN_BEFORE_DECISION,
        UNCHANGED,
        gettext_lazy("Changement d’association accompagnante"),
    ),
    Transition("assign", OPEN_BEFORE_DECISION, UNCHANGED, gettext_lazy("Attribution du dossier")),
    Transition("decide", (S.AVIS_RENDU,), (S.ACCEPTEE, S.REFUSEE), gettext_lazy("Décision du préfet")),
    Transition("withdraw", OPEN_BEFORE_DECISION, S.RETIREE, gettext_lazy("Retrait de la demande")),
    Transition(
        "correct_decision",
        (S.ACCEPTEE, S.REFUSEE),
        UNCHANGED,
        gettext_lazy("Décision corrigée (erreur matérielle)"),
    ),
    Transition(
        "close_with_pathway",
        OPEN_BEFORE_DECISION,
        S.RETIREE,
        gettext_lazy("Demande close : le parcours a pris fin"),
    ),
)
MACHINE = Machine(
    field="state",
    transitions=TRANSITIONS,
    log_model="parcours.DemandeEvenement",
    log_fk="demande",
    refusal=gettext_lazy("Impossible depuis l’état « %(state)s » de la demande."),
)

# The warning of a dossier filed for a person under 18 (not a refusal: an open legal question).
MINOR_AT_FILING = gettext_lazy(
    "Personne mineure à la date du dépôt : son engagement dans le parcours est une question juridique "
    "ouverte (la commission coordonne aussi l’accompagnement des mineurs victimes depuis le décret du "
    "30 décembre 2025). Le dossier est déposé ; le secrétariat vérifie la suite à lui donner avant "
    "l’examen."
)

# The association changes its application while it is a draft, or when the secretariat asked for a
# complement; after filing, the secretariat works on what was filed.
EDITABLE_STATES = (S.BROUILLON, S.COMPLEMENT_DEMANDE)

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
# What a renewal takes over from the pathway's last granted application. Not the household's
# resources nor the RSA/ADA entitlement: the AFIS reads them for the month before *this* application.
RENEWAL_SITUATION_FIELDS = ("situation_emploi", "type_contrat", "logement", "formation")


def allowed_transitions(demande) -> list[str]:
    return MACHINE.allowed(demande)


def can(demande, name) -> bool:
    """Whether the application's state allows the transition `name` (its other guards aside)."""
    return MACHINE.can(demande, name)


# --- what the association may change ---------------------------------------------------------------


def is_editable(demande) -> bool:
    return demande.state in EDITABLE_STATES


def edit_refusal(demande) -> str:
    """Why the association may not change the application now, in French; empty when it may."""
    if is_editable(demande):
        return ""
    return _(
        "Ce dossier est à l’état « %(state)s » : il ne peut plus être modifié. Seul un dossier en "
        "brouillon, ou pour lequel le secrétariat a demandé un complément, peut l’être. Pour signaler "
        "un changement, écrivez au secrétariat dans les messages du dossier."
    ) % {"state": demande.get_state_display()}


def avis_refusal(demande) -> str:
    """The association's opinion can change until the prefect decides (CASF L121-9)."""
    if can(demande, "record_association_avis"):
        return ""
    return _("L’avis de l’association ne peut plus être modifié : le dossier est à l’état « %(state)s ».") % {
        "state": demande.get_state_display()
    }


def awaits_decision(demande) -> bool:
    return can(demande, "decide")


def awaiting_decision(demandes):
    """The applications of a queryset that the prefect may decide on now."""
    return demandes.filter(state__in=MACHINE["decide"].sources)


def may_open_pathway(demande) -> bool:
    """Whether a decision on this application may authorise a pathway, which then needs its start."""
    return DecisionKind.AUTORISATION in DECISIONS[demande.kind]


def renewable_parcours(demande):
    """The pathway a renewal may be started for from this application's page, or None: the pathway
    this granted initial application or renewal opened or renewed, while it runs and may be renewed
    (its last term not passed, the cap not reached)."""
    parcours = demande.parcours
    if (
        parcours is None
        or parcours.state != ParcoursState.EN_COURS
        or demande.state != S.ACCEPTEE
        or demande.kind == DemandeKind.FIN_ANTICIPEE
        or not parcours_workflow.can_renew(parcours)
    ):
        return None
    return parcours


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
        ended_on = association.approval_ended_on(commission.departement, on)
        if ended_on is not None:
            raise WorkflowError(
                _(
                    "L’agrément de l’association pour ce département a pris fin le %(day)s : elle ne peut pas "
                    "déposer de dossier jusqu’à son renouvellement. Le dossier reste enregistré ; "
                    "adressez-vous au secrétariat de la commission pour le renouvellement de l’agrément."
                )
                % {"day": formats.date_format(ended_on, "SHORT_DATE_FORMAT")}
            )
        raise WorkflowError(
            _(
                "L’agrément de l’association pour ce département n’est pas valide à cette date : "
                "elle ne peut pas déposer de dossier."
            )
        )


def _check_renewable(parcours, on=None):
    """A renewal is filed and decided only while the pathway runs, never after its last term's end
    (CASF L121-9: the pathway is renewed, not granted again retroactively)."""
    refusal = parcours_workflow.renewal_refusal(parcours, on)
    if refusal:
        raise WorkflowError(refusal)


def _check_pathway_runs(demande, on=None):
    if demande.kind == DemandeKind.RENOUVELLEMENT:
        _check_renewable(demande.parcours, on)
    elif demande.kind == DemandeKind.FIN_ANTICIPEE and not demande.parcours.is_running:
        raise WorkflowError(_("Ce parcours est terminé."))


def _check_complete(demande):
    missing = demande.missing_parts()
    documents = demande.missing_documents()
    if documents:
        # The checklist's required documents: a dossier without them is not complete (issue 17).
        raise WorkflowError(
            _(
                "Le dossier est incomplet : il manque les pièces obligatoires suivantes : %(documents)s. "
                "Joignez-les au dossier avant de le déposer."
            )
            % {"documents": ", ".join(str(kind.label) for kind in documents)}
            + (
                " " + _("Complétez aussi les autres éléments signalés.")
                if len(missing) > len(documents)
                else ""
            ),
            details=missing,
        )
    if missing:
        raise WorkflowError(
            _("Le dossier est incomplet : complétez les éléments signalés avant de le déposer."),
            details=missing,
        )


@transaction.atomic
def create(
    *, beneficiaire, association, commission, user, kind=DemandeKind.INITIALE, parcours=None, on=None
) -> Demande:
    """A new draft, with one empty objective per axis of the projet d'insertion. `on`: the day it is
    made, today unless a replay of past events (the demo) says otherwise."""
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
        if kind == DemandeKind.RENOUVELLEMENT:
            _check_renewable(parcours, on)
    if Demande.objects.open().filter(beneficiaire=beneficiaire).exists():
        raise WorkflowError(_("Cette personne a déjà une demande en cours."))
    demande = Demande(
        beneficiaire=beneficiaire,
        association=association,
        commission=commission,
        referent=user,
        kind=kind,
        parcours=parcours,
    )
    MACHINE.apply(demande, "create", user=user)
    ObjectifInsertion.objects.bulk_create(ObjectifInsertion(demande=demande, axe=axe) for axe in Axe)
    return demande


@transaction.atomic
def start_renewal(parcours, *, association, user) -> Demande:
    """A renewal of a running pathway, pre-filled from its last granted application: the situation
    (not the resources, see RENEWAL_SITUATION_FIELDS) and each axis's objectives and actions; the
    association then updates them and writes the progress report."""
    demande = create(
        beneficiaire=parcours.beneficiaire,
        association=association,
        commission=parcours.commission,
        user=user,
        kind=DemandeKind.RENOUVELLEMENT,
        parcours=parcours,
    )
    previous = (
        Demande.objects.filter(
            parcours=parcours,
            state=S.ACCEPTEE,
            kind__in=(DemandeKind.INITIALE, DemandeKind.RENOUVELLEMENT),
        )
        .exclude(pk=demande.pk)
        .order_by("-created_at", "-pk")
        .prefetch_related("objectifs")
        .first()
    )
    if previous is None:
        return demande
    for name in RENEWAL_SITUATION_FIELDS:
        setattr(demande, name, getattr(previous, name))
    demande.save(update_fields=RENEWAL_SITUATION_FIELDS)
    sources = {o.axe: o for o in previous.objectifs.all()}
    for objectif in demande.objectifs.all():
        source = sources.get(objectif.axe)
        if source is not None:
            objectif.objectives, objectif.actions = source.objectives, source.actions
            objectif.save(update_fields=["objectives", "actions"])
    return demande


@transaction.atomic
def submit(demande, *, user, on=None) -> Demande:
    """The association files the complete dossier with the prefect (secretariat). `on`: the filing
    day, today unless a replay of past events (the demo) says otherwise."""
    demande = _locked(demande)
    _check_agrement(demande.association, demande.commission)
    _check_pathway_runs(demande, on)
    _check_complete(demande)
    demande.submitted_at = timezone.now()
    # A minor is flagged, not refused: the history keeps that the dossier was filed so.
    reason = MINOR_AT_FILING if demande.minor_at_filing else ""
    return MACHINE.apply(demande, "submit", user=user, reason=reason, extra_fields=["submitted_at"])


@transaction.atomic
def request_complement(demande, *, user, message: str) -> Demande:
    """The secretariat asks for a complement; the message goes to the dossier's thread."""
    if not message.strip():
        raise WorkflowError(_("Précisez dans un message ce qui manque au dossier."))
    demande = MACHINE.apply(_locked(demande), "request_complement", user=user, reason=message)
    thread.post(demande, author=user, side=MessageSide.SECRETARIAT, body=message, kind=MessageKind.COMPLEMENT)
    return demande


@transaction.atomic
def resubmit(demande, *, user, message: str = "", on=None) -> Demande:
    demande = _locked(demande)
    _check_agrement(demande.association, demande.commission)
    _check_pathway_runs(demande, on)
    _check_complete(demande)
    demande = MACHINE.apply(demande, "resubmit", user=user, reason=message)
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
    return MACHINE.apply(demande, "mark_admissible", user=user, extra_fields=["admissible_at"])


@transaction.atomic
def put_on_agenda(demande, *, user) -> Demande:
    return MACHINE.apply(_locked(demande), "put_on_agenda", user=user)


@transaction.atomic
def remove_from_agenda(demande, *, user, reason="") -> Demande:
    return MACHINE.apply(_locked(demande), "remove_from_agenda", user=user, reason=reason)


@transaction.atomic
def postpone(demande, *, user, reason: str) -> Demande:
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de l’ajournement."))
    return MACHINE.apply(_locked(demande), "postpone", user=user, reason=reason)


@transaction.atomic
def record_avis(demande, *, favorable: bool, on: datetime.date, user=None, reason="") -> Demande:
    """The commission's opinion, recorded by the session that gave it (CASF L121-9)."""
    demande = _locked(demande)
    demande.avis_commission = "favorable" if favorable else "defavorable"
    demande.avis_commission_on = on
    return MACHINE.apply(
        demande,
        "record_avis",
        user=user,
        reason=reason,
        extra_fields=["avis_commission", "avis_commission_on"],
    )


@transaction.atomic
def change_association(demande, *, association_id, referent_id, user, reason: str) -> Demande:
    """An open application follows the person to the association that now accompanies them (see
    `parcours.accompaniment`): that association and its caseworker file, complete and give their
    opinion from now on; the event keeps the dated change. A closed application keeps the association
    that filed it: it is the record of what was decided."""
    demande = _locked(demande)
    demande.association_id, demande.referent_id = association_id, referent_id
    return MACHINE.apply(
        demande, "change_association", user=user, reason=reason, extra_fields=["association", "referent"]
    )


@transaction.atomic
def assign(demande, *, user, field: str, assignee) -> Demande:
    """Name the caseworker (`referent`, chosen by the association) or the secretariat's agent
    (`instructeur`) who handles the dossier, or nobody (`assignee` None); each change is an event, so
    the dossier keeps who followed it when. Who may choose whom is `parcours.access.assignment_of`."""
    demande = _locked(demande)
    if assignee is not None and not access.assignable_users(demande, field).filter(pk=assignee.pk).exists():
        raise WorkflowError(_("Cette personne ne peut pas suivre ce dossier : choisissez-la dans la liste."))
    if getattr(demande, f"{field}_id") == (assignee.pk if assignee else None):
        return demande
    setattr(demande, field, assignee)
    label = demande._meta.get_field(field).verbose_name
    reason = _("%(role)s : %(name)s") % {
        "role": str(label).capitalize(),
        "name": (assignee.get_full_name() or assignee.email) if assignee else _("personne"),
    }
    return MACHINE.apply(demande, "assign", user=user, reason=reason, extra_fields=[field])


def record_association_avis(demande, *, user, avis: str, motifs: str) -> Demande:
    """The accompanying association's own opinion, which the prefect's decision follows with the
    commission's (CASF L121-9); it may change until the decision, and each change is an event.
    An empty `avis` with empty `motifs` withdraws an opinion given earlier."""
    motifs = motifs.strip()
    if avis not in ("", *AvisChoice.values):
        raise WorkflowError(_("Choisissez l’avis de l’association, favorable ou défavorable."))
    if avis and not motifs:
        raise WorkflowError(_("Motivez l’avis de l’association."))
    if motifs and not avis:
        raise WorkflowError(_("Choisissez l’avis de l’association, favorable ou défavorable."))
    demande = _locked(demande)
    if not can(demande, "record_association_avis"):
        raise WorkflowError(avis_refusal(demande))
    if (demande.avis_association, demande.avis_association_motifs) == (avis, motifs):
        return demande
    demande.avis_association, demande.avis_association_motifs = avis, motifs
    reason = (
        _("%(avis)s : %(motifs)s") % {"avis": AvisChoice(avis).label, "motifs": motifs}
        if avis
        else _("Avis retiré.")
    )
    return MACHINE.apply(
        demande,
        "record_association_avis",
        user=user,
        reason=reason,
        extra_fields=["avis_association", "avis_association_motifs"],
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
    return MACHINE.apply(
        demande, "withdraw", user=user, reason=reason, extra_fields=["withdrawn_on", "withdrawal_reason"]
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
    if not can(demande, "decide"):
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
    if demande.parcours_id:
        # Decided while the pathway runs: a renewal is never granted after the term's end.
        _check_pathway_runs(demande, decided_on)
    decision = Decision.objects.create(
        demande=demande,
        kind=kind,
        decided_on=decided_on,
        signataire=signataire,
        signataire_title=signataire_title,
        motifs=motifs,
    )
    _apply_decision_to_parcours(demande, decision, start, signataire)
    MACHINE.apply(demande, "decide", user=signataire, target=targets[kind], reason=kind)
    # A decision's letters are generated from it, once committed, whatever path led to it.
    from parcours import tasks

    tasks.schedule_letters([decision])
    return decision


def current_decision(demande):
    """The decision in force on the application: the last one, which no other supersedes."""
    return Decision.objects.filter(demande=demande, superseded_at__isnull=True).first()


@transaction.atomic
def correct_decision(
    decision, *, user, reason: str, decided_on: datetime.date, signataire_title: str, motifs: str
) -> Decision:
    """The president corrects a material error of a decision (its date, its signatory's title, the
    wording of its reasons): a new decision, with the same outcome, supersedes it; its letters are
    generated anew; the first decision and its letters are kept, marked as superseded, and the
    history shows both. The letters themselves are never edited. A change of outcome is not a
    correction: it would be a withdrawal of the decision, which this software does not make."""
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de la correction : l’erreur matérielle à rectifier."))
    demande = _locked(decision.demande)
    if not can(demande, "correct_decision"):
        raise WorkflowError(MACHINE.refusal_of(demande))
    decision = Decision.objects.select_for_update().get(pk=decision.pk, demande=demande)
    if decision.superseded_at is not None:
        raise WorkflowError(_("Cette décision a déjà été corrigée : corrigez la décision qui la remplace."))
    if decision.kind in NEGATIVE_DECISIONS and not motifs.strip():
        raise WorkflowError(_("Une décision défavorable doit être motivée."))
    if not signataire_title.strip():
        raise WorkflowError(_("Indiquez la qualité du signataire."))
    if decided_on > timezone.localdate():
        raise WorkflowError(_("La date de décision ne peut pas être dans le futur."))
    if demande.avis_commission_on and decided_on < demande.avis_commission_on:
        raise WorkflowError(_("La décision ne peut pas précéder l’avis de la commission."))
    periode = getattr(decision, "periode", None)
    if periode is not None and decided_on > periode.start and decision.kind == DecisionKind.AUTORISATION:
        raise WorkflowError(_("Le parcours ne peut pas commencer avant la décision qui l’autorise."))
    if (decided_on, signataire_title.strip(), motifs.strip()) == (
        decision.decided_on,
        decision.signataire_title,
        decision.motifs,
    ):
        raise WorkflowError(_("Rien n’a changé : modifiez ce que la correction rectifie."))
    # The first decision is marked superseded before the new one exists: one current decision per
    # application at every moment (unique constraint), both kept.
    decision.superseded_at = timezone.now()
    decision.save(update_fields=["superseded_at"])
    corrected = Decision.objects.create(
        demande=demande,
        kind=decision.kind,
        decided_on=decided_on,
        signataire=user,
        signataire_title=signataire_title.strip(),
        motifs=motifs.strip(),
        supersedes=decision,
        correction_reason=reason.strip(),
    )
    if periode is not None:
        periode.decision = corrected
        periode.save(update_fields=["decision"])
    MACHINE.apply(
        demande,
        "correct_decision",
        user=user,
        reason=_("Décision du %(old)s remplacée par celle du %(new)s : %(reason)s")
        % {
            "old": formats.date_format(decision.decided_on, "SHORT_DATE_FORMAT"),
            "new": formats.date_format(decided_on, "SHORT_DATE_FORMAT"),
            "reason": reason.strip(),
        },
    )
    from parcours import tasks

    tasks.schedule_letters([corrected])
    return corrected


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


@receiver(parcours_workflow.pathway_ended)
def _close_applications_of_ended_pathway(sender, *, parcours, on, user=None, **kwargs):
    for demande in Demande.objects.select_for_update().open().filter(parcours=parcours):
        close_with_pathway(demande, on=on, user=user)


def close_with_pathway(demande, *, on: datetime.date, user=None) -> Demande:
    """The pathway ended before the decision: its open renewal or early-end application can no longer be
    decided; it is closed, dated, with the reason, so that the person is free for a new initial
    application (CASF L121-9: a renewal is decided while the pathway runs)."""
    reason = _("Le parcours a pris fin le %(date)s avant la décision : la demande est close.") % {
        "date": formats.date_format(on, "SHORT_DATE_FORMAT")
    }
    if not can(demande, "close_with_pathway"):
        raise WorkflowError(MACHINE.refusal_of(demande))
    demande.withdrawn_on, demande.withdrawal_reason = on, reason
    return MACHINE.apply(
        demande,
        "close_with_pathway",
        user=user,
        reason=reason,
        extra_fields=["withdrawn_on", "withdrawal_reason"],
    )
