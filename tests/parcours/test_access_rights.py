"""The yes/no rights the parcours pages ask parcours.access (no view checks a role itself)."""

import pytest

from commission.enums import OrganisationKind, Role
from parcours import access
from tests.factories import DemandeFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _users(demande):
    secretariat = demande.commission.secretariat
    return {
        "caseworker": UserFactory(organisation=demande.association, roles=[Role.REFERENT]),
        "secretariat": UserFactory(organisation=secretariat, roles=[Role.SECRETARIAT]),
        "president": UserFactory(organisation=secretariat, roles=[Role.PRESIDENT]),
        "foreigners": UserFactory(
            organisation=OrganisationFactory(
                kind=OrganisationKind.SERVICE_ETRANGERS, departement=secretariat.departement
            ),
            roles=[Role.ETRANGERS],
        ),
    }


def test_only_a_caseworker_changes_dossiers_and_only_those_of_their_people():
    demande = DemandeFactory(complete=True)
    users = _users(demande)

    assert [name for name, user in users.items() if access.changes_dossiers(user)] == ["caseworker"]
    assert list(access.demandes_changeable_by(users["caseworker"])) == [demande]
    assert not access.demandes_changeable_by(users["secretariat"]).exists()
    other = UserFactory(organisation=OrganisationFactory(departement=demande.association.departement))
    assert not access.demandes_changeable_by(other).exists()


def test_only_the_president_decides_and_only_the_foreigners_service_records_permits():
    users = _users(DemandeFactory())

    assert [name for name, user in users.items() if access.decides(user)] == ["president"]
    assert [name for name, user in users.items() if access.records_permits(user)] == ["foreigners"]
    assert [name for name, user in users.items() if access.answers_access_requests(user)] == ["secretariat"]


def test_the_annual_report_reaches_the_own_commission_of_secretariat_and_president_only():
    demande = DemandeFactory()
    users = _users(demande)

    for name in ("secretariat", "president"):
        commissions, national = access.reachable_commissions(users[name])
        assert (list(commissions), national) == ([demande.commission], False), name
    for name in ("caseworker", "foreigners"):
        commissions, national = access.reachable_commissions(users[name])
        assert (list(commissions), national) == ([], False), name
    commissions, national = access.reachable_commissions(UserFactory(roles=[Role.ADMINISTRATEUR]))
    assert national and demande.commission in commissions
