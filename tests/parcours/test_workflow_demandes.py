"""The state machine of an application (parcours/workflow/demandes.py): every transition, every refusal."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from commission.dates import term_end
from commission.enums import Role
from parcours.enums import (
    Axe,
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursEndReason,
    ParcoursState,
    SituationEmploi,
)
from parcours.models import Decision, Demande, DemandeEvenement, DroitAfis, Parcours, Periode
from parcours.models.demandes import REQUIRED_DOCUMENTS
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from tests.factories import (
    BeneficiaireFactory,
    DecisionFactory,
    DemandeFactory,
    DocumentFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

S = DemandeState
D = datetime.date


def _today():
    return timezone.localdate()


def _president(demande):
    return UserFactory(roles=[Role.PRESIDENT], title="Préfète", organisation=demande.commission.secretariat)


def _decision_to_correct(demande, today):
    """The decision of a decided application; another application's state has none to correct (an
    unsaved one: only the guard on the application's state may then refuse)."""
    decision = Decision(demande=demande, kind=DecisionKind.REFUS, decided_on=today, motifs="Motif.")
    if demande.state in (S.ACCEPTEE, S.REFUSEE):
        return DecisionFactory(demande=demande, kind=DecisionKind.REFUS, decided_on=today, motifs="Motif.")
    return decision


def _run(name, demande, user):
    """Call the transition `name` with valid arguments, so that only its guard can refuse it."""
    today = _today()
    calls = {
        "submit": lambda: workflow.submit(demande, user=user),
        "request_complement": lambda: workflow.request_complement(
            demande, user=user, message="Joignez l’engagement signé de la personne."
        ),
        "resubmit": lambda: workflow.resubmit(demande, user=user),
        "mark_admissible": lambda: workflow.mark_admissible(demande, user=user),
        "put_on_agenda": lambda: workflow.put_on_agenda(demande, user=user),
        "remove_from_agenda": lambda: workflow.remove_from_agenda(
            demande, user=user, reason="Séance annulée."
        ),
        "postpone": lambda: workflow.postpone(
            demande, user=user, reason="L’association n’a pu être présente."
        ),
        "record_avis": lambda: workflow.record_avis(demande, favorable=True, on=today, user=user),
        "decide": lambda: workflow.decide(
            demande,
            kind=DecisionKind.AUTORISATION,
            signataire=user,
            signataire_title="Préfète",
            decided_on=today,
            start=today,
        ),
        "withdraw": lambda: workflow.withdraw(
            demande, user=user, on=today, reason="La personne a quitté le département."
        ),
        "record_association_avis": lambda: workflow.record_association_avis(
            demande, user=user, avis="defavorable", motifs="La personne a cessé de venir aux rendez-vous."
        ),
        "change_association": lambda: workflow.change_association(
            demande,
            association_id=demande.association_id,
            referent_id=None,
            user=user,
            reason="La personne est accompagnée par une autre association.",
        ),
        "close_with_pathway": lambda: workflow.close_with_pathway(demande, on=today, user=user),
        "correct_decision": lambda: workflow.correct_decision(
            _decision_to_correct(demande, today),
            user=user,
            reason="Motif mal recopié.",
            decided_on=today,
            signataire_title="Préfète",
            motifs="Motif corrigé.",
        ),
        "assign": lambda: workflow.assign(
            demande,
            user=user,
            field="referent",
            assignee=UserFactory(organisation=demande.association, roles=[Role.REFERENT]),
        ),
    }
    return calls[name]()


# The domain's table (shared/domain.md, "A dossier's states"), written out here rather than read from
# the module: (from, transition) → to, for every transition the application's machine knows; a state
# missing from a transition's row refuses it. `record_association_avis` records the association's
# opinion until the decision without moving the state; `decide` leads to either decision.
EXPECTED_TABLE = {
    "submit": {S.BROUILLON: S.DEPOSEE},
    "request_complement": {S.DEPOSEE: S.COMPLEMENT_DEMANDE},
    "resubmit": {S.COMPLEMENT_DEMANDE: S.DEPOSEE},
    "mark_admissible": {S.DEPOSEE: S.RECEVABLE},
    "put_on_agenda": {S.RECEVABLE: S.INSCRITE, S.AJOURNEE: S.INSCRITE},
    "remove_from_agenda": {S.INSCRITE: S.RECEVABLE},
    "postpone": {S.INSCRITE: S.AJOURNEE},
    "record_avis": {S.INSCRITE: S.AVIS_RENDU},
    "record_association_avis": {
        S.BROUILLON: S.BROUILLON,
        S.DEPOSEE: S.DEPOSEE,
        S.COMPLEMENT_DEMANDE: S.COMPLEMENT_DEMANDE,
        S.RECEVABLE: S.RECEVABLE,
        S.INSCRITE: S.INSCRITE,
        S.AJOURNEE: S.AJOURNEE,
        S.AVIS_RENDU: S.AVIS_RENDU,
    },
    "change_association": {state: state for state in workflow.OPEN_BEFORE_DECISION},
    "assign": {
        S.BROUILLON: S.BROUILLON,
        S.DEPOSEE: S.DEPOSEE,
        S.COMPLEMENT_DEMANDE: S.COMPLEMENT_DEMANDE,
        S.RECEVABLE: S.RECEVABLE,
        S.INSCRITE: S.INSCRITE,
        S.AJOURNEE: S.AJOURNEE,
        S.AVIS_RENDU: S.AVIS_RENDU,
    },
    "decide": {S.AVIS_RENDU: S.ACCEPTEE},  # or REFUSEE: see the test of both decisions
    "withdraw": {
        S.BROUILLON: S.RETIREE,
        S.DEPOSEE: S.RETIREE,
        S.COMPLEMENT_DEMANDE: S.RETIREE,
        S.RECEVABLE: S.RETIREE,
        S.INSCRITE: S.RETIREE,
        S.AJOURNEE: S.RETIREE,
        S.AVIS_RENDU: S.RETIREE,
    },
    # A material error of the decision corrected by a new decision of the same sense (state unchanged).
    "correct_decision": {S.ACCEPTEE: S.ACCEPTEE, S.REFUSEE: S.REFUSEE},
    # The pathway ended before the decision: its renewal or early-end application is closed with it.
    "close_with_pathway": {
        S.BROUILLON: S.RETIREE,
        S.DEPOSEE: S.RETIREE,
        S.COMPLEMENT_DEMANDE: S.RETIREE,
        S.RECEVABLE: S.RETIREE,
        S.INSCRITE: S.RETIREE,
        S.AJOURNEE: S.RETIREE,
        S.AVIS_RENDU: S.RETIREE,
    },
}
# The refused pairs, written out too: a state absent from both lists of a transition fails the
# completeness test below.
EXPECTED_REFUSED = {
    "submit": [
        S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "request_complement": [
        S.BROUILLON, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "resubmit": [
        S.BROUILLON, S.DEPOSEE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "mark_admissible": [
        S.BROUILLON, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "put_on_agenda": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.INSCRITE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "remove_from_agenda": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "postpone": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "record_avis": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.AJOURNEE, S.AVIS_RENDU,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "record_association_avis": [S.ACCEPTEE, S.REFUSEE, S.RETIREE],
    "change_association": [S.ACCEPTEE, S.REFUSEE, S.RETIREE],
    "assign": [S.ACCEPTEE, S.REFUSEE, S.RETIREE],
    "decide": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE,
        S.ACCEPTEE, S.REFUSEE, S.RETIREE,
    ],
    "withdraw": [S.ACCEPTEE, S.REFUSEE, S.RETIREE],
    "close_with_pathway": [S.ACCEPTEE, S.REFUSEE, S.RETIREE],
    "correct_decision": [
        S.BROUILLON, S.DEPOSEE, S.COMPLEMENT_DEMANDE, S.RECEVABLE, S.INSCRITE, S.AJOURNEE, S.AVIS_RENDU,
        S.RETIREE,
    ],
}  # fmt: skip
ALLOWED = [(state, name, target) for name, row in EXPECTED_TABLE.items() for state, target in row.items()]
FORBIDDEN = [(state, name) for name, states in EXPECTED_REFUSED.items() for state in states]


def test_the_expected_table_names_every_transition_and_every_state_once():
    assert set(EXPECTED_TABLE) == set(EXPECTED_REFUSED) == set(workflow.MACHINE.names) - {"create"}
    for name in EXPECTED_TABLE:
        states = [*EXPECTED_TABLE[name], *EXPECTED_REFUSED[name]]
        assert sorted(states) == sorted(S.values), name


@pytest.mark.parametrize("name", EXPECTED_TABLE)
def test_the_engine_applies_each_allowed_pair_and_logs_it(name):
    demande = DemandeFactory()
    user = UserFactory()
    for state, target in EXPECTED_TABLE[name].items():
        Demande.objects.filter(pk=demande.pk).update(state=state)
        demande.state = state

        workflow.MACHINE.apply(demande, name, user=user, target=target if name == "decide" else None)

        demande.refresh_from_db()
        assert demande.state == target, state
        event = DemandeEvenement.objects.filter(demande=demande).latest("pk")
        assert (event.transition, event.from_state, event.to_state, event.user) == (name, state, target, user)
    assert DemandeEvenement.objects.filter(demande=demande).count() == len(EXPECTED_TABLE[name])


@pytest.mark.parametrize("state, name", FORBIDDEN, ids=[f"{name}-from-{s}" for s, name in FORBIDDEN])
def test_the_engine_refuses_each_refused_pair_naming_the_state(state, name):
    demande = Demande(state=state)  # refused before anything is written: no row needed

    with pytest.raises(WorkflowError) as error:
        workflow.MACHINE.apply(demande, name, user=None, target=S.ACCEPTEE if name == "decide" else None)

    assert f"« {S(state).label} »" in error.value.message
    assert demande.state == state
    assert not DemandeEvenement.objects.exists()


@pytest.mark.parametrize("target", [S.ACCEPTEE, S.REFUSEE])
def test_a_decision_leads_to_either_outcome_and_nowhere_else(target):
    demande = DemandeFactory(state=S.AVIS_RENDU)

    workflow.MACHINE.apply(demande, "decide", user=None, target=target)

    assert Demande.objects.get(pk=demande.pk).state == target
    with pytest.raises(ValueError):
        workflow.MACHINE.apply(DemandeFactory(state=S.AVIS_RENDU), "decide", user=None, target=S.RETIREE)


def _ready_demande(state):
    """A complete application with both opinions, put directly in `state`."""
    return DemandeFactory(avis_rendu=True, state=state)


@pytest.mark.parametrize("state, name, target", ALLOWED, ids=[f"{name}-from-{s}" for s, name, _t in ALLOWED])
def test_each_operation_changes_the_state_and_logs_who_from_and_to(state, name, target):
    demande = _ready_demande(state)
    user = _president(demande)

    _run(name, demande, user)

    demande.refresh_from_db()
    assert demande.state == target
    event = DemandeEvenement.objects.get(demande=demande)
    assert (event.transition, event.from_state, event.to_state, event.user) == (name, state, target, user)


@pytest.mark.parametrize("state, name", FORBIDDEN, ids=[f"{name}-from-{s}" for s, name in FORBIDDEN])
def test_each_operation_refused_by_the_table_changes_nothing(state, name):
    demande = _ready_demande(state)
    user = _president(demande)
    events_before = DemandeEvenement.objects.count()

    with pytest.raises(WorkflowError) as error:
        _run(name, demande, user)

    assert error.value.message
    demande.refresh_from_db()
    assert demande.state == state
    assert DemandeEvenement.objects.count() == events_before
    assert not Decision.objects.filter(demande=demande).exists()


def test_every_state_but_the_closed_ones_has_a_way_out():
    """A decided application only records the correction of its decision, without moving."""
    closed = {S.ACCEPTEE, S.REFUSEE, S.RETIREE}
    for state in S.values:
        demande = Demande(state=state)
        moves = [name for name in workflow.allowed_transitions(demande) if workflow.MACHINE[name].targets()]
        assert bool(moves) == (state not in closed), state


def test_a_full_application_logs_one_event_per_step_in_order():
    referent_demande = DemandeFactory(complete=True)
    person, association = referent_demande.beneficiaire, referent_demande.association
    referent_demande.delete()
    referent = UserFactory(organisation=association, roles=[Role.REFERENT])
    secretariat = UserFactory(roles=[Role.SECRETARIAT])

    demande = workflow.create(
        beneficiaire=person,
        association=association,
        commission=commission_for(person.departement),
        user=referent,
    )
    demande.engagement_signed_on = _today()
    demande.evaluation_association = "La personne s’est engagée avec constance."
    demande.situation_emploi = SituationEmploi.SANS_EMPLOI
    demande.logement = "associatif"
    demande.ressources_foyer = Decimal("0")
    demande.droit_rsa_ou_ada = False
    demande.save()
    demande.objectifs.update(objectives="Objectifs décrits avec la personne.")
    for kind in REQUIRED_DOCUMENTS[demande.kind]:
        DocumentFactory(demande=demande, kind=kind, uploaded_by=referent)

    workflow.submit(demande, user=referent)
    workflow.request_complement(demande, user=secretariat, message="Joignez la pièce d’identité.")
    workflow.resubmit(demande, user=referent)
    workflow.mark_admissible(demande, user=secretariat)
    workflow.put_on_agenda(demande, user=secretariat)
    workflow.postpone(demande, user=secretariat, reason="Quorum non atteint.")
    workflow.put_on_agenda(demande, user=secretariat)
    workflow.record_avis(demande, favorable=True, on=_today(), user=secretariat)
    workflow.record_association_avis(
        demande, user=referent, avis="favorable", motifs="Engagements tenus depuis le dépôt."
    )
    president = _president(demande)
    workflow.decide(
        demande,
        kind=DecisionKind.AUTORISATION,
        signataire=president,
        signataire_title="Préfète",
        decided_on=_today(),
        start=_today(),
    )

    events = list(
        DemandeEvenement.objects.filter(demande=demande).values_list("transition", "from_state", "to_state")
    )
    assert events == [
        ("create", "", S.BROUILLON),
        ("submit", S.BROUILLON, S.DEPOSEE),
        ("request_complement", S.DEPOSEE, S.COMPLEMENT_DEMANDE),
        ("resubmit", S.COMPLEMENT_DEMANDE, S.DEPOSEE),
        ("mark_admissible", S.DEPOSEE, S.RECEVABLE),
        ("put_on_agenda", S.RECEVABLE, S.INSCRITE),
        ("postpone", S.INSCRITE, S.AJOURNEE),
        ("put_on_agenda", S.AJOURNEE, S.INSCRITE),
        ("record_avis", S.INSCRITE, S.AVIS_RENDU),
        ("record_association_avis", S.AVIS_RENDU, S.AVIS_RENDU),
        ("decide", S.AVIS_RENDU, S.ACCEPTEE),
    ]
    demande.refresh_from_db()
    assert demande.submitted_at is not None and demande.admissible_at is not None


# --- reasons recorded ----------------------------------------------------------------------------


def test_association_opinion_is_saved_with_an_event_naming_it_and_its_reasons():
    demande = DemandeFactory(complete=True, state=S.INSCRITE)

    workflow.record_association_avis(
        demande, user=demande.referent, avis="defavorable", motifs="La personne ne vient plus."
    )

    demande.refresh_from_db()
    assert (demande.state, demande.avis_association, demande.avis_association_motifs) == (
        S.INSCRITE,
        "defavorable",
        "La personne ne vient plus.",
    )
    event = DemandeEvenement.objects.get(demande=demande)
    assert (event.transition, event.from_state, event.to_state, event.user) == (
        "record_association_avis",
        S.INSCRITE,
        S.INSCRITE,
        demande.referent,
    )
    assert event.reason == "Défavorable : La personne ne vient plus."


def test_association_opinion_saved_again_unchanged_writes_no_second_event():
    demande = DemandeFactory(complete=True, state=S.DEPOSEE)
    for _time in range(2):
        workflow.record_association_avis(demande, user=demande.referent, avis="favorable", motifs="Assidue.")

    assert DemandeEvenement.objects.filter(demande=demande).count() == 1


@pytest.mark.parametrize(
    "avis, motifs, message",
    [
        ("favorable", " ", "Motivez"),
        ("", "Des motifs sans avis.", "Choisissez"),
        ("neutre", "x", "Choisissez"),
    ],
)
def test_association_opinion_needs_a_choice_and_its_reasons(avis, motifs, message):
    demande = DemandeFactory(complete=True, state=S.DEPOSEE)

    with pytest.raises(WorkflowError, match=message):
        workflow.record_association_avis(demande, user=demande.referent, avis=avis, motifs=motifs)

    assert not DemandeEvenement.objects.exists()


def test_association_opinion_is_closed_by_the_decision():
    demande = DemandeFactory(complete=True, state=S.ACCEPTEE)

    with pytest.raises(WorkflowError, match="ne peut plus être modifié"):
        workflow.record_association_avis(demande, user=demande.referent, avis="favorable", motifs="Assidue.")


@pytest.mark.parametrize(
    "state, editable",
    [
        (S.BROUILLON, True),
        (S.COMPLEMENT_DEMANDE, True),
        (S.DEPOSEE, False),
        (S.RECEVABLE, False),
        (S.INSCRITE, False),
        (S.AJOURNEE, False),
        (S.AVIS_RENDU, False),
        (S.ACCEPTEE, False),
        (S.REFUSEE, False),
        (S.RETIREE, False),
    ],
)
def test_the_association_edits_a_draft_or_a_dossier_awaiting_its_complement_only(state, editable):
    demande = Demande(state=state)

    assert workflow.is_editable(demande) is editable
    assert bool(workflow.edit_refusal(demande)) is not editable


def test_complement_request_records_its_message():
    demande = DemandeFactory(complete=True, state=S.DEPOSEE)

    workflow.request_complement(demande, user=demande.referent, message="Joignez l’évaluation signée.")

    assert DemandeEvenement.objects.get(demande=demande).reason == "Joignez l’évaluation signée."


@pytest.mark.parametrize("message", ["", "   "])
def test_complement_request_without_message_is_refused(message):
    demande = DemandeFactory(complete=True, state=S.DEPOSEE)

    with pytest.raises(WorkflowError, match="message"):
        workflow.request_complement(demande, user=demande.referent, message=message)

    demande.refresh_from_db()
    assert demande.state == S.DEPOSEE
    assert not DemandeEvenement.objects.exists()


def test_postponement_records_its_reason_and_requires_one():
    demande = DemandeFactory(complete=True, state=S.INSCRITE)
    with pytest.raises(WorkflowError, match="motif"):
        workflow.postpone(demande, user=demande.referent, reason=" ")

    workflow.postpone(demande, user=demande.referent, reason="Dossier présenté à la prochaine séance.")

    demande.refresh_from_db()
    assert demande.state == S.AJOURNEE
    assert DemandeEvenement.objects.get(demande=demande).reason == "Dossier présenté à la prochaine séance."


@pytest.mark.parametrize("favorable, expected", [(True, "favorable"), (False, "defavorable")])
def test_commission_opinion_is_recorded_with_its_date(favorable, expected):
    demande = DemandeFactory(complete=True, state=S.INSCRITE)
    on = _today() - datetime.timedelta(days=2)

    workflow.record_avis(demande, favorable=favorable, on=on, user=None)

    demande.refresh_from_db()
    assert (demande.state, demande.avis_commission, demande.avis_commission_on) == (
        S.AVIS_RENDU,
        expected,
        on,
    )


# --- completeness ---------------------------------------------------------------------------------


def test_incomplete_application_cannot_be_submitted_and_details_name_what_is_missing():
    demande = DemandeFactory()

    with pytest.raises(WorkflowError) as error:
        workflow.submit(demande, user=demande.referent)

    assert "incomplet" in error.value.message
    expected = {"engagement_signed_on", "evaluation_association", "situation_emploi", "logement"}
    expected |= {"ressources_foyer", "droit_rsa_ou_ada"}  # the AFIS is assessed from them
    expected |= {f"objectif_{axe}" for axe in Axe.values}
    expected |= {"document_identite", "document_engagement"}  # the checklist's required documents
    assert set(error.value.details) == expected
    assert all(str(text).strip() for text in error.value.details.values())
    demande.refresh_from_db()
    assert demande.state == S.BROUILLON
    assert demande.submitted_at is None
    assert not DemandeEvenement.objects.exists()


def test_one_missing_axis_is_enough_to_refuse_submission():
    demande = DemandeFactory(complete=True)
    demande.objectifs.filter(axe=Axe.SANTE).update(objectives="")

    with pytest.raises(WorkflowError) as error:
        workflow.submit(demande, user=demande.referent)

    assert set(error.value.details) == {f"objectif_{Axe.SANTE}"}


def test_person_in_employment_needs_the_contract_type():
    demande = DemandeFactory(complete=True, situation_emploi=SituationEmploi.EN_EMPLOI)

    with pytest.raises(WorkflowError) as error:
        workflow.submit(demande, user=demande.referent)

    assert set(error.value.details) == {"type_contrat"}


def test_renewal_needs_the_progress_report_of_each_axis():
    demande = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, complete=True)
    demande.objectifs.update(progress="")

    with pytest.raises(WorkflowError) as error:
        workflow.submit(demande, user=demande.referent)

    assert set(error.value.details) == {f"progres_{axe}" for axe in Axe.values}


def test_resubmission_after_complement_also_requires_a_complete_dossier():
    demande = DemandeFactory(state=S.COMPLEMENT_DEMANDE)

    with pytest.raises(WorkflowError) as error:
        workflow.resubmit(demande, user=demande.referent)

    assert "evaluation_association" in error.value.details
    demande.refresh_from_db()
    assert demande.state == S.COMPLEMENT_DEMANDE


# --- withdrawal -----------------------------------------------------------------------------------


def test_withdrawal_records_date_and_reason_and_frees_the_person_for_a_new_application():
    demande = DemandeFactory(complete=True, state=S.RECEVABLE)
    on = _today() - datetime.timedelta(days=1)

    workflow.withdraw(demande, user=demande.referent, on=on, reason="La personne a déménagé.")

    demande.refresh_from_db()
    assert (demande.state, demande.withdrawn_on, demande.withdrawal_reason) == (
        S.RETIREE,
        on,
        "La personne a déménagé.",
    )
    assert DemandeEvenement.objects.get(demande=demande).reason == "La personne a déménagé."
    again = workflow.create(
        beneficiaire=demande.beneficiaire,
        association=demande.association,
        commission=demande.commission,
        user=demande.referent,
    )
    assert again.state == S.BROUILLON


def test_withdrawal_needs_a_reason():
    demande = DemandeFactory(state=S.DEPOSEE)

    with pytest.raises(WorkflowError, match="motif"):
        workflow.withdraw(demande, user=demande.referent, on=_today(), reason="")

    demande.refresh_from_db()
    assert demande.state == S.DEPOSEE


def test_withdrawal_cannot_be_dated_in_the_future():
    demande = DemandeFactory(state=S.DEPOSEE)

    with pytest.raises(WorkflowError, match="futur"):
        workflow.withdraw(
            demande, user=demande.referent, on=_today() + datetime.timedelta(days=1), reason="Départ."
        )

    demande.refresh_from_db()
    assert demande.state == S.DEPOSEE
    assert demande.withdrawn_on is None


# --- decisions ------------------------------------------------------------------------------------


def _decide(demande, kind, **kwargs):
    kwargs.setdefault("signataire", _president(demande))
    kwargs.setdefault("signataire_title", "Pour la préfète et par délégation, la secrétaire générale")
    kwargs.setdefault("decided_on", _today())
    return workflow.decide(demande, kind=kind, **kwargs)


def _assert_nothing_decided(demande):
    demande.refresh_from_db()
    assert demande.state == S.AVIS_RENDU
    assert not Decision.objects.filter(demande=demande).exists()
    assert not DemandeEvenement.objects.filter(demande=demande).exists()


def test_authorisation_opens_a_pathway_with_a_first_six_month_term():
    demande = DemandeFactory(avis_rendu=True)
    start = D(2027, 8, 31)  # 31 August: the term's end is clamped to February (2028 is a leap year)

    decision = _decide(demande, DecisionKind.AUTORISATION, start=start)

    demande.refresh_from_db()
    assert demande.state == S.ACCEPTEE
    parcours = Parcours.objects.get(beneficiaire=demande.beneficiaire)
    assert demande.parcours == parcours
    assert (parcours.state, parcours.started_on, parcours.commission) == (
        ParcoursState.EN_COURS,
        start,
        demande.commission,
    )
    periode = parcours.periodes.get()
    # Six months from 31 August: the same date six months later is 28 February 2027; the term ends the day before.
    assert (periode.number, periode.start, periode.end, periode.months) == (1, start, D(2028, 2, 28), 6)
    assert periode.decision == decision
    assert parcours.current_term_end == periode.end


def _resident(person):
    """A foreign person lawfully resident (an APS valid today, recorded on an earlier pathway)."""
    TitreSejourFactory(
        parcours=ParcoursFactory(beneficiaire=person, termine=True),
        delivre=True,
        issued_on=_today() - datetime.timedelta(days=30),
        valid_until=_today() + datetime.timedelta(days=200),
    )
    return person


def test_authorisation_assesses_the_afis_for_the_first_term():
    demande = DemandeFactory(avis_rendu=True, beneficiaire__dependent_children=1)
    _resident(demande.beneficiaire)

    decision = _decide(demande, DecisionKind.AUTORISATION, start=_today())

    droit = DroitAfis.objects.get(periode__parcours__beneficiaire=demande.beneficiaire)
    assert droit.eligible
    assert droit.assessed_on == decision.decided_on
    assert droit.monthly_amount == Decimal("449.28")  # one child, scale of décret n° 2022-1340
    assert (droit.start, droit.end) == (droit.periode.start, droit.periode.end)


def test_authorisation_without_start_date_is_refused_and_writes_nothing():
    demande = DemandeFactory(avis_rendu=True)

    with pytest.raises(WorkflowError, match="début"):
        _decide(demande, DecisionKind.AUTORISATION, start=None)

    _assert_nothing_decided(demande)
    assert not Parcours.objects.exists()


@pytest.mark.parametrize("motifs", ["", "  \n"])
def test_refusal_without_motifs_is_refused(motifs):
    demande = DemandeFactory(avis_rendu=True)

    with pytest.raises(WorkflowError, match="motivée"):
        _decide(demande, DecisionKind.REFUS, motifs=motifs)

    _assert_nothing_decided(demande)


def test_refusal_with_motifs_closes_the_application_without_pathway():
    demande = DemandeFactory(avis_rendu=True)

    decision = _decide(
        demande, DecisionKind.REFUS, motifs="La personne n’a pas cessé l’activité prostitutionnelle."
    )

    demande.refresh_from_db()
    assert demande.state == S.REFUSEE
    assert decision.motifs.startswith("La personne")
    assert not Parcours.objects.exists()
    event = DemandeEvenement.objects.get(demande=demande)
    assert (event.from_state, event.to_state, event.reason) == (S.AVIS_RENDU, S.REFUSEE, DecisionKind.REFUS)


def test_renewal_adds_a_term_from_the_day_after_the_current_one():
    parcours = ParcoursFactory()  # started three months ago: its first term still runs
    _resident(parcours.beneficiaire)
    first_end = parcours.current_term_end
    demande = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True)

    decision = _decide(demande, DecisionKind.RENOUVELLEMENT)

    demande.refresh_from_db()
    assert demande.state == S.ACCEPTEE
    periode = parcours.periodes.get(number=2)
    assert periode.start == first_end + datetime.timedelta(days=1)
    assert (periode.end, periode.months, periode.decision) == (term_end(periode.start, 6), 6, decision)
    parcours.refresh_from_db()
    assert parcours.current_term_end == periode.end
    assert DroitAfis.objects.filter(periode=periode, eligible=True).exists()


def test_non_renewal_needs_motifs_and_leaves_the_pathway_to_end_at_its_term():
    demande = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, avis_rendu=True)
    with pytest.raises(WorkflowError, match="motivée"):
        _decide(demande, DecisionKind.NON_RENOUVELLEMENT)

    _decide(demande, DecisionKind.NON_RENOUVELLEMENT, motifs="Les engagements n’ont pas été tenus.")

    demande.refresh_from_db()
    demande.parcours.refresh_from_db()
    assert demande.state == S.REFUSEE
    assert demande.parcours.state == ParcoursState.EN_COURS
    assert demande.parcours.periodes.count() == 1


def test_early_end_decision_ends_the_pathway():
    demande = DemandeFactory(kind=DemandeKind.FIN_ANTICIPEE, avis_rendu=True)

    _decide(demande, DecisionKind.FIN_ANTICIPEE, motifs="Mise en danger de la personne accompagnée.")

    demande.parcours.refresh_from_db()
    assert demande.parcours.state == ParcoursState.TERMINE
    assert demande.parcours.end_reason == ParcoursEndReason.FIN_ANTICIPEE
    assert demande.parcours.ended_on == _today()


def test_keeping_the_pathway_after_an_early_end_proposal_changes_nothing_to_it():
    demande = DemandeFactory(kind=DemandeKind.FIN_ANTICIPEE, avis_rendu=True)

    _decide(demande, DecisionKind.MAINTIEN)

    demande.refresh_from_db()
    demande.parcours.refresh_from_db()
    assert demande.state == S.REFUSEE
    assert demande.parcours.state == ParcoursState.EN_COURS


def test_decision_requires_the_opinion_of_the_association():
    demande = DemandeFactory(avis_rendu=True, avis_association="")

    with pytest.raises(WorkflowError, match="avis de l’association"):
        _decide(demande, DecisionKind.AUTORISATION, start=_today())

    _assert_nothing_decided(demande)
    assert not Parcours.objects.exists()


def test_decision_requires_the_opinion_of_the_commission():
    demande = DemandeFactory(complete=True, state=S.INSCRITE, avis_association="favorable")

    with pytest.raises(WorkflowError, match="avis de la commission"):
        _decide(demande, DecisionKind.AUTORISATION, start=_today())

    assert not Decision.objects.exists()


WRONG_KINDS = [
    (demande_kind, decision_kind)
    for demande_kind, answers in workflow.DECISIONS.items()
    for decision_kind in DecisionKind.values
    if decision_kind not in answers
]


@pytest.mark.parametrize("demande_kind, decision_kind", WRONG_KINDS)
def test_decision_of_the_wrong_kind_for_the_application_is_refused(demande_kind, decision_kind):
    demande = DemandeFactory(kind=demande_kind, avis_rendu=True)

    with pytest.raises(WorkflowError, match="type de demande"):
        _decide(demande, decision_kind, motifs="Motifs.", start=_today())

    _assert_nothing_decided(demande)


def test_decision_cannot_be_dated_in_the_future():
    demande = DemandeFactory(avis_rendu=True)

    with pytest.raises(WorkflowError, match="futur"):
        _decide(
            demande,
            DecisionKind.AUTORISATION,
            decided_on=_today() + datetime.timedelta(days=1),
            start=_today(),
        )

    _assert_nothing_decided(demande)


def test_decision_names_its_signatory_and_their_title():
    demande = DemandeFactory(avis_rendu=True)
    with pytest.raises(WorkflowError, match="qualité du signataire"):
        _decide(demande, DecisionKind.AUTORISATION, signataire_title=" ", start=_today())
    president = _president(demande)

    decision = _decide(demande, DecisionKind.AUTORISATION, signataire=president, start=_today())

    assert (decision.signataire, decision.signataire_title) == (
        president,
        "Pour la préfète et par délégation, la secrétaire générale",
    )


def test_decision_dated_before_the_commission_opinion_is_refused():
    """A decision always follows the commission's opinion (CASF L121-9): it cannot predate it."""
    demande = DemandeFactory(avis_rendu=True, avis_commission_on=_today() - datetime.timedelta(days=1))

    with pytest.raises(WorkflowError):
        _decide(
            demande,
            DecisionKind.AUTORISATION,
            decided_on=_today() - datetime.timedelta(days=10),
            start=_today(),
        )

    _assert_nothing_decided(demande)


def test_a_second_decision_on_the_same_application_is_refused():
    demande = DemandeFactory(avis_rendu=True)
    _decide(demande, DecisionKind.AUTORISATION, start=_today())

    with pytest.raises(WorkflowError):
        _decide(demande, DecisionKind.REFUS, motifs="Motifs.")

    assert Decision.objects.filter(demande=demande).count() == 1


# --- one open application per person --------------------------------------------------------------


@pytest.mark.parametrize("open_state", [s for s in S.values if s not in (S.ACCEPTEE, S.REFUSEE, S.RETIREE)])
def test_database_refuses_a_second_open_application_for_the_same_person(open_state):
    first = DemandeFactory(state=open_state)

    with pytest.raises(IntegrityError), transaction.atomic():
        DemandeFactory(beneficiaire=first.beneficiaire, accompagnement=False)

    assert Demande.objects.filter(beneficiaire=first.beneficiaire).count() == 1


@pytest.mark.parametrize("closed_state", [S.ACCEPTEE, S.REFUSEE, S.RETIREE])
def test_closed_applications_do_not_prevent_a_new_one(closed_state):
    first = DemandeFactory(state=closed_state)

    second = DemandeFactory(beneficiaire=first.beneficiaire)

    assert Demande.objects.open().get(beneficiaire=first.beneficiaire) == second


def test_workflow_refuses_a_second_open_application_for_the_same_person():
    first = DemandeFactory(state=S.DEPOSEE)

    with pytest.raises(WorkflowError, match="déjà une demande en cours"):
        workflow.create(
            beneficiaire=first.beneficiaire,
            association=first.association,
            commission=first.commission,
            user=first.referent,
        )

    assert Demande.objects.filter(beneficiaire=first.beneficiaire).count() == 1


def test_initial_application_is_refused_while_a_pathway_is_in_progress():
    parcours = ParcoursFactory()
    association = DemandeFactory(state=S.ACCEPTEE, beneficiaire=parcours.beneficiaire).association

    with pytest.raises(WorkflowError, match="renouvellement"):
        workflow.create(
            beneficiaire=parcours.beneficiaire,
            association=association,
            commission=parcours.commission,
            user=None,
        )


def test_renewal_application_is_refused_once_the_pathway_reached_24_months():
    parcours = ParcoursFactory(periodes=4)
    previous = DemandeFactory(parcours=parcours, kind=DemandeKind.RENOUVELLEMENT, state=S.ACCEPTEE)

    with pytest.raises(WorkflowError, match="24 mois"):
        workflow.create(
            beneficiaire=parcours.beneficiaire,
            association=previous.association,
            commission=parcours.commission,
            user=None,
            kind=DemandeKind.RENOUVELLEMENT,
            parcours=parcours,
        )
    assert Demande.objects.filter(beneficiaire=parcours.beneficiaire).count() == 1


def test_renewal_application_must_name_a_pathway_of_that_person():
    someone_else = ParcoursFactory()
    person = BeneficiaireFactory(departement=someone_else.commission.departement)
    association = DemandeFactory(state=S.RETIREE, beneficiaire=person).association

    with pytest.raises(WorkflowError, match="parcours"):
        workflow.create(
            beneficiaire=person,
            association=association,
            commission=someone_else.commission,
            user=None,
            kind=DemandeKind.RENOUVELLEMENT,
            parcours=someone_else,
        )


def test_application_in_another_departement_than_the_person_is_refused():
    demande = DemandeFactory(state=S.RETIREE)
    other_commission = DemandeFactory().commission

    with pytest.raises(WorkflowError, match="département"):
        workflow.create(
            beneficiaire=demande.beneficiaire,
            association=demande.association,
            commission=other_commission,
            user=None,
        )


def test_renewal_of_a_pathway_that_ended_since_is_refused_at_decision_and_writes_nothing():
    demande = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, avis_rendu=True)
    Parcours.objects.filter(pk=demande.parcours.pk).update(
        state=ParcoursState.TERMINE, ended_on=_today(), end_reason=ParcoursEndReason.DEPART
    )

    with pytest.raises(WorkflowError):
        _decide(demande, DecisionKind.RENOUVELLEMENT)

    _assert_nothing_decided(demande)
    assert Periode.objects.filter(parcours=demande.parcours).count() == 1


def test_pathway_cannot_start_before_the_decision_that_authorises_it():
    demande = DemandeFactory(avis_rendu=True)
    with pytest.raises(WorkflowError, match="avant la décision"):
        _decide(demande, DecisionKind.AUTORISATION, start=_today() - datetime.timedelta(days=1))
    demande.refresh_from_db()
    assert demande.state == DemandeState.AVIS_RENDU
    assert not Decision.objects.filter(demande=demande).exists()


# --- renewability, the renewal's pre-fill, what awaits a decision -------------------------------------


def _granted(kind=DemandeKind.INITIALE, termine=False, **demande):
    pathway = ParcoursFactory(termine=termine)
    return DemandeFactory(
        beneficiaire=pathway.beneficiaire,
        parcours=pathway,
        kind=kind,
        complete=True,
        state=S.ACCEPTEE,
        situation_emploi=SituationEmploi.EN_EMPLOI,
        type_contrat="cdi",
        **demande,
    )


def test_a_granted_initial_application_or_renewal_offers_the_renewal_of_its_running_pathway():
    for kind in (DemandeKind.INITIALE, DemandeKind.RENOUVELLEMENT):
        demande = _granted(kind)
        assert workflow.renewable_parcours(demande) == demande.parcours, kind


@pytest.mark.parametrize(
    "change",
    [
        {"kind": DemandeKind.FIN_ANTICIPEE},
        {"state": S.REFUSEE},
        {"state": S.AVIS_RENDU},
    ],
)
def test_no_renewal_is_offered_from_a_refused_pending_or_early_end_application(change):
    demande = _granted()
    for name, value in change.items():
        setattr(demande, name, value)

    assert workflow.renewable_parcours(demande) is None


def test_no_renewal_is_offered_for_an_ended_pathway():
    demande = _granted(termine=True)

    assert workflow.renewable_parcours(demande) is None


def test_a_renewal_starts_from_the_last_granted_application_but_not_its_resources():
    demande = _granted(ressources_foyer=Decimal("120"))
    demande.objectifs.update(objectives="Trouver un logement.", actions="Dossier SIAO.", progress="Atteint.")
    user = UserFactory(organisation=demande.association, roles=[Role.REFERENT])

    renewal = workflow.start_renewal(demande.parcours, association=demande.association, user=user)

    assert (renewal.kind, renewal.state, renewal.parcours) == (
        DemandeKind.RENOUVELLEMENT,
        S.BROUILLON,
        demande.parcours,
    )
    assert (renewal.situation_emploi, renewal.type_contrat) == (SituationEmploi.EN_EMPLOI, "cdi")
    assert renewal.ressources_foyer is None and renewal.droit_rsa_ou_ada is None
    assert set(renewal.objectifs.values_list("objectives", "actions", "progress")) == {
        ("Trouver un logement.", "Dossier SIAO.", "")
    }
    assert renewal.evenements.get().transition == "create"


def test_only_applications_with_the_commission_opinion_await_a_decision():
    awaiting = DemandeFactory(state=S.AVIS_RENDU)
    DemandeFactory(state=S.INSCRITE)
    DemandeFactory(state=S.ACCEPTEE)

    assert list(workflow.awaiting_decision(Demande.objects.all())) == [awaiting]
    assert workflow.awaits_decision(awaiting)


@pytest.mark.parametrize(
    "kind, opens",
    [(DemandeKind.INITIALE, True), (DemandeKind.RENOUVELLEMENT, False), (DemandeKind.FIN_ANTICIPEE, False)],
)
def test_only_a_decision_on_an_initial_application_opens_a_pathway_and_asks_its_start(kind, opens):
    assert workflow.may_open_pathway(Demande(kind=kind)) is opens
