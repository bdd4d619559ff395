"""The pathway's and the residence permit's tables, as the domain lists them (shared/domain.md), walked
through the one transition engine (commission.transitions); and what the engine itself promises.

The tables are written out here, allowed and refused pairs alike, not read from the workflow modules:
a change to a module's table that the domain does not make fails here."""

import datetime

import pytest

from commission.transitions import UNCHANGED, Machine, Transition, WorkflowError
from parcours.enums import DemandeState, ParcoursEndReason, ParcoursState, TitreSejourState
from parcours.models import (
    Demande,
    DemandeEvenement,
    Parcours,
    ParcoursEvenement,
    TitreSejour,
    TitreSejourEvenement,
)
from parcours.workflow import parcours as parcours_workflow
from parcours.workflow import titres as titres_workflow
from tests.factories import (
    BeneficiaireFactory,
    DemandeFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

P = ParcoursState
T = TitreSejourState
D = datetime.date

# --- the pathway: authorised (term 1) → renewed … → ended (reason) --------------------------------

PARCOURS_TABLE = {
    "renew": {P.EN_COURS: P.EN_COURS},
    "end": {P.EN_COURS: P.TERMINE},
}
PARCOURS_REFUSED = {
    "renew": [P.TERMINE],
    "end": [P.TERMINE],
}


def test_the_pathway_table_names_every_transition_and_every_state_once():
    assert (
        set(PARCOURS_TABLE) == set(PARCOURS_REFUSED) == set(parcours_workflow.MACHINE.names) - {"authorise"}
    )
    for name in PARCOURS_TABLE:
        assert sorted([*PARCOURS_TABLE[name], *PARCOURS_REFUSED[name]]) == sorted(P.values), name


@pytest.mark.parametrize("name", PARCOURS_TABLE)
def test_the_engine_applies_each_allowed_pathway_pair_and_logs_it(name):
    parcours = ParcoursFactory()
    user = UserFactory()
    for state, target in PARCOURS_TABLE[name].items():
        extra = []
        if target == P.TERMINE:
            parcours.ended_on, parcours.end_reason = parcours.current_term_end, ParcoursEndReason.ECHEANCE
            extra = ["ended_on", "end_reason"]

        parcours_workflow.MACHINE.apply(parcours, name, user=user, reason="motif", extra_fields=extra)

        parcours.refresh_from_db()
        assert parcours.state == target
        event = ParcoursEvenement.objects.filter(parcours=parcours).latest("pk")
        assert (event.transition, event.from_state, event.to_state, event.user, event.reason) == (
            name,
            state,
            target,
            user,
            "motif",
        )


@pytest.mark.parametrize("state, name", [(s, n) for n, states in PARCOURS_REFUSED.items() for s in states])
def test_the_engine_refuses_each_refused_pathway_pair_naming_the_state(state, name):
    parcours = Parcours(state=state)

    with pytest.raises(WorkflowError) as error:
        parcours_workflow.MACHINE.apply(parcours, name, user=None)

    assert "« Terminé »" in error.value.message
    assert not ParcoursEvenement.objects.exists()


def test_authorising_creates_the_pathway_with_its_first_event():
    beneficiaire = BeneficiaireFactory()
    user = UserFactory()
    parcours = ParcoursFactory.build(
        beneficiaire=beneficiaire, commission__departement=beneficiaire.departement
    )
    parcours.commission.save()

    parcours_workflow.MACHINE.apply(parcours, "authorise", user=user)

    assert Parcours.objects.get(pk=parcours.pk).state == P.EN_COURS
    event = ParcoursEvenement.objects.get(parcours=parcours)
    assert (event.transition, event.from_state, event.to_state, event.user) == (
        "authorise",
        "",
        P.EN_COURS,
        user,
    )


# --- the residence permit: à délivrer → délivré → à renouveler → délivré … → expiré / non renouvelé ----

TITRE_TABLE = {
    "issue": {T.A_DELIVRER: T.DELIVRE, T.A_RENOUVELER: T.DELIVRE},
    "mark_to_renew": {T.DELIVRE: T.A_RENOUVELER, T.EXPIRE: T.A_RENOUVELER},
    "expire": {T.DELIVRE: T.EXPIRE},
    # The pathway ended: not issued or renewed on this ground; an issued permit keeps its dates.
    "close": {
        T.A_DELIVRER: T.NON_RENOUVELE,
        T.A_RENOUVELER: T.NON_RENOUVELE,
        T.DELIVRE: T.NON_RENOUVELE,
        T.EXPIRE: T.NON_RENOUVELE,
    },
    # A number or dates entered wrongly, corrected with a reason; the state stays.
    "correct": {T.DELIVRE: T.DELIVRE, T.EXPIRE: T.EXPIRE},
}
TITRE_REFUSED = {
    "issue": [T.DELIVRE, T.EXPIRE, T.NON_RENOUVELE],
    "mark_to_renew": [T.A_DELIVRER, T.A_RENOUVELER, T.NON_RENOUVELE],
    "expire": [T.A_DELIVRER, T.A_RENOUVELER, T.EXPIRE, T.NON_RENOUVELE],
    "close": [T.NON_RENOUVELE],
    "correct": [T.A_DELIVRER, T.A_RENOUVELER, T.NON_RENOUVELE],
}


def test_the_permit_table_names_every_transition_and_every_state_once():
    assert set(TITRE_TABLE) == set(TITRE_REFUSED) == set(titres_workflow.MACHINE.names) - {"open"}
    for name in TITRE_TABLE:
        assert sorted([*TITRE_TABLE[name], *TITRE_REFUSED[name]]) == sorted(T.values), name


@pytest.mark.parametrize("name", TITRE_TABLE)
def test_the_engine_applies_each_allowed_permit_pair_and_logs_it_with_the_permit(name):
    titre = TitreSejourFactory(delivre=True)  # a number and dates, which « délivré » needs
    user = UserFactory()
    for state, target in TITRE_TABLE[name].items():
        TitreSejour.objects.filter(pk=titre.pk).update(state=state)
        titre.state = state

        titres_workflow.MACHINE.apply(
            titre,
            name,
            user=user,
            extra_fields=["updated_at"],
            number=titre.number,
            issued_on=titre.issued_on,
        )

        titre.refresh_from_db()
        assert titre.state == target
        event = TitreSejourEvenement.objects.filter(titre=titre).latest("pk")
        assert (event.transition, event.from_state, event.to_state, event.user, event.number) == (
            name,
            state,
            target,
            user,
            titre.number,
        )


@pytest.mark.parametrize("state, name", [(s, n) for n, states in TITRE_REFUSED.items() for s in states])
def test_the_engine_refuses_each_refused_permit_pair_naming_the_state(state, name):
    titre = TitreSejour(state=state)

    with pytest.raises(WorkflowError) as error:
        titres_workflow.MACHINE.apply(titre, name, user=None)

    assert f"« {T(state).label} »" in error.value.message
    assert not TitreSejourEvenement.objects.exists()


def test_a_pathway_and_its_permit_walk_their_tables_with_one_event_per_step():
    """Authorised, permit issued, renewed (permit to renew, issued again), ended at its term."""
    beneficiaire = BeneficiaireFactory(nationalities=["NG"])
    parcours = parcours_workflow.authorise(
        beneficiaire=beneficiaire,
        commission=commission_for(beneficiaire.departement),
        start=D(2025, 1, 1),
    )
    titre = titres_workflow.current(parcours)
    titres_workflow.issue(titre, number="APS-1", issued_on=D(2025, 1, 10), valid_until=D(2025, 7, 9))
    parcours_workflow.renew(parcours)
    titres_workflow.issue(titre, number="APS-2", issued_on=D(2025, 7, 1), valid_until=D(2025, 12, 31))
    parcours_workflow.end(parcours, reason=ParcoursEndReason.ECHEANCE, on=D(2025, 12, 31))

    assert list(parcours.evenements.values_list("transition", "from_state", "to_state")) == [
        ("authorise", "", P.EN_COURS),
        ("renew", P.EN_COURS, P.EN_COURS),
        ("end", P.EN_COURS, P.TERMINE),
    ]
    assert list(titre.evenements.values_list("transition", "from_state", "to_state", "number")) == [
        ("open", "", T.A_DELIVRER, ""),
        ("issue", T.A_DELIVRER, T.DELIVRE, "APS-1"),
        ("mark_to_renew", T.DELIVRE, T.A_RENOUVELER, "APS-1"),
        ("issue", T.A_RENOUVELER, T.DELIVRE, "APS-2"),
        ("close", T.DELIVRE, T.NON_RENOUVELE, "APS-2"),
    ]
    # Not renewed on this ground, still valid until its date.
    assert TitreSejour.objects.get(pk=titre.pk).valid_until == D(2025, 12, 31)


# --- the engine ----------------------------------------------------------------------------------

S = DemandeState
SAMPLE = Machine(
    field="state",
    log_model="parcours.DemandeEvenement",
    log_fk="demande",
    transitions=[
        Transition("go", (S.BROUILLON,), S.DEPOSEE, "Aller"),
        Transition("choose", (S.BROUILLON,), (S.ACCEPTEE, S.REFUSEE), "Choisir"),
        Transition("note", (S.BROUILLON, S.DEPOSEE), UNCHANGED, "Noter"),
    ],
)


def test_allowed_and_can_answer_from_the_current_state_in_the_table_order():
    assert SAMPLE.allowed(Demande(state=S.BROUILLON)) == ["go", "choose", "note"]
    assert SAMPLE.allowed(Demande(state=S.DEPOSEE)) == ["note"]
    assert SAMPLE.can(Demande(state=S.DEPOSEE), "note")
    assert not SAMPLE.can(Demande(state=S.DEPOSEE), "go")


def test_a_transition_that_records_an_act_keeps_the_state_and_writes_its_event():
    demande = DemandeFactory()

    SAMPLE.apply(demande, "note", user=None, reason="Pourquoi")

    assert Demande.objects.get(pk=demande.pk).state == S.BROUILLON
    event = DemandeEvenement.objects.get(demande=demande)
    assert (event.transition, event.from_state, event.to_state, event.reason) == (
        "note",
        S.BROUILLON,
        S.BROUILLON,
        "Pourquoi",
    )


def test_a_transition_with_a_choice_of_targets_needs_one_of_them():
    demande = DemandeFactory()

    with pytest.raises(ValueError):
        SAMPLE.apply(demande, "choose", user=None)
    with pytest.raises(ValueError):
        SAMPLE.apply(demande, "choose", user=None, target=S.RETIREE)
    SAMPLE.apply(demande, "choose", user=None, target=S.REFUSEE)

    assert Demande.objects.get(pk=demande.pk).state == S.REFUSEE


def test_apply_saves_only_the_state_and_the_fields_named():
    demande = DemandeFactory()
    demande.formation = "Changée en mémoire, pas enregistrée"
    demande.evaluation_association = "Enregistrée avec la transition"

    SAMPLE.apply(demande, "go", user=None, extra_fields=["evaluation_association"])

    saved = Demande.objects.get(pk=demande.pk)
    assert (saved.state, saved.evaluation_association) == (S.DEPOSEE, "Enregistrée avec la transition")
    assert saved.formation != "Changée en mémoire, pas enregistrée"


def test_a_failure_after_the_state_is_saved_leaves_neither_state_nor_event():
    demande = DemandeFactory()
    broken = Machine(
        field="state",
        log_model="parcours.DemandeEvenement",
        log_fk="demande",
        transitions=[Transition("go", (S.BROUILLON,), S.DEPOSEE)],
    )

    with pytest.raises(TypeError):
        broken.apply(demande, "go", user=None, unknown_column="x")

    assert Demande.objects.get(pk=demande.pk).state == S.BROUILLON
    assert not DemandeEvenement.objects.exists()


def test_two_transitions_of_the_same_name_are_refused_when_the_table_is_declared():
    with pytest.raises(ValueError):
        Machine(
            field="state",
            log_model="parcours.DemandeEvenement",
            log_fk="demande",
            transitions=[
                Transition("go", (S.BROUILLON,), S.DEPOSEE),
                Transition("go", (S.DEPOSEE,), S.RETIREE),
            ],
        )


def test_workflow_error_is_still_importable_from_the_parcours_workflow():
    from parcours.workflow import WorkflowError as FromPackage
    from parcours.workflow.errors import WorkflowError as FromModule

    assert FromPackage is FromModule is WorkflowError
