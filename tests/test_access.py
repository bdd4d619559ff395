"""Who sees what, across two départements and two associations: the scopes every view uses."""

import datetime

import pytest
from django.utils import timezone

from beneficiaires import access as beneficiaires_access
from commission.enums import OrganisationKind, Role
from commission.seances.access import seances_visible_to
from parcours import access as parcours_access
from parcours.enums import DemandeState
from tests.factories import (
    AccompagnementFactory,
    AssociationFactory,
    ConvocationFactory,
    DemandeFactory,
    DepartementFactory,
    MandatFactory,
    OrganisationFactory,
    ParcoursFactory,
    SeanceFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two départements; in the first, two associations, each with a submitted dossier and a draft."""
    dep_a, dep_b = DepartementFactory(), DepartementFactory()
    asso_1, asso_2 = AssociationFactory(departement=dep_a), AssociationFactory(departement=dep_a)
    asso_b = AssociationFactory(departement=dep_b)
    submitted_1 = DemandeFactory(
        association=asso_1,
        departement=dep_a,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now(),
    )
    draft_1 = DemandeFactory(association=asso_1, departement=dep_a)
    submitted_2 = DemandeFactory(
        association=asso_2,
        departement=dep_a,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now(),
    )
    submitted_b = DemandeFactory(
        association=asso_b,
        departement=dep_b,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now(),
    )

    def staff(kind, role, departement):
        return UserFactory(organisation=OrganisationFactory(kind=kind, departement=departement), roles=[role])

    return {
        "dep_a": dep_a,
        "dep_b": dep_b,
        "submitted_1": submitted_1,
        "draft_1": draft_1,
        "submitted_2": submitted_2,
        "submitted_b": submitted_b,
        "referent_1": UserFactory(organisation=asso_1, roles=[Role.REFERENT]),
        "referent_2": UserFactory(organisation=asso_2, roles=[Role.REFERENT]),
        "secretariat_a": staff(OrganisationKind.SECRETARIAT, Role.SECRETARIAT, dep_a),
        "president_a": staff(OrganisationKind.SECRETARIAT, Role.PRESIDENT, dep_a),
        "etrangers_a": staff(OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS, dep_a),
        "asso_2": asso_2,
    }


def test_caseworker_sees_only_own_association_people_and_dossiers(world):
    demandes = set(parcours_access.demandes_visible_to(world["referent_1"]))
    assert demandes == {world["submitted_1"], world["draft_1"]}
    people = set(beneficiaires_access.visible_to(world["referent_1"]))
    assert people == {world["submitted_1"].beneficiaire, world["draft_1"].beneficiaire}


def test_secretariat_sees_submitted_dossiers_of_its_departement_only(world):
    demandes = set(parcours_access.demandes_visible_to(world["secretariat_a"]))
    assert demandes == {world["submitted_1"], world["submitted_2"]}
    assert world["draft_1"] not in demandes
    assert world["submitted_b"] not in demandes
    people = set(beneficiaires_access.visible_to(world["secretariat_a"]))
    assert world["draft_1"].beneficiaire not in people
    assert world["submitted_b"].beneficiaire not in people


def test_president_sees_as_the_secretariat(world):
    assert set(parcours_access.demandes_visible_to(world["president_a"])) == {
        world["submitted_1"],
        world["submitted_2"],
    }


def test_member_and_foreigners_service_see_no_dossier(world):
    member = UserFactory(roles=[Role.MEMBRE])
    assert not parcours_access.demandes_visible_to(member).exists()
    assert not beneficiaires_access.visible_to(member).exists()
    assert not parcours_access.demandes_visible_to(world["etrangers_a"]).exists()


def test_user_without_role_sees_nothing_even_in_an_association(world):
    no_role = UserFactory(organisation=world["referent_1"].organisation)
    assert not parcours_access.demandes_visible_to(no_role).exists()
    assert not beneficiaires_access.visible_to(no_role).exists()


def test_rights_move_with_the_person_when_the_association_changes(world):
    demande = world["submitted_1"]
    current = demande.beneficiaire.accompagnements.get(end__isnull=True)
    current.end = timezone.localdate()
    current.end_reason = "choix"
    current.save()
    AccompagnementFactory(beneficiaire=demande.beneficiaire, association=world["asso_2"])
    assert demande not in parcours_access.demandes_visible_to(world["referent_1"])
    assert demande in parcours_access.demandes_visible_to(world["referent_2"])


def test_caseworker_of_an_association_whose_agrement_lapsed_keeps_seeing_its_persons(world):
    """A lapsed approval closes filing, not the files (issue 16: tests/parcours/test_lapsed_approval.py)."""
    association = world["referent_1"].organisation
    before = set(beneficiaires_access.visible_to(world["referent_1"]))
    association.agrements.update(
        end=timezone.localdate() - datetime.timedelta(days=1),
        start=timezone.localdate() - datetime.timedelta(days=400),
    )
    assert before and set(beneficiaires_access.visible_to(world["referent_1"])) == before


def test_foreigners_service_sees_pathways_of_its_departement_only(world):
    mine = ParcoursFactory(departement=world["dep_a"])
    other = ParcoursFactory(departement=world["dep_b"])
    visible = set(parcours_access.parcours_visible_to(world["etrangers_a"]))
    assert mine in visible
    assert other not in visible


def test_member_sees_only_sessions_they_are_convened_to(world):
    commission_a = commission_for(world["dep_a"])
    mandat = MandatFactory(commission=commission_a)
    convened = SeanceFactory(commission=commission_a)
    not_convened = SeanceFactory(commission=commission_a)
    other_departement = SeanceFactory(commission=commission_for(world["dep_b"]))
    ConvocationFactory(seance=convened, mandat=mandat)
    assert set(seances_visible_to(mandat.user)) == {convened}
    secretariat_sessions = set(seances_visible_to(world["secretariat_a"]))
    assert {convened, not_convened} <= secretariat_sessions
    assert other_departement not in secretariat_sessions


def test_a_prefecture_role_on_the_wrong_kind_of_organisation_opens_nothing(world):
    from commission.enums import OrganisationKind as Kind

    misconfigured = UserFactory(
        organisation=OrganisationFactory(kind=Kind.SERVICE_ETRANGERS, departement=world["dep_a"]),
        roles=[Role.SECRETARIAT],
    )
    assert not parcours_access.demandes_visible_to(misconfigured).exists()
    assert not beneficiaires_access.visible_to(misconfigured).exists()
    assert not seances_visible_to(misconfigured).exists()
