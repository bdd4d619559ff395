"""Only an association with a valid agrément for the département files a dossier (CASF R121-12-1)."""

import datetime

import pytest
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from parcours.models import Demande, DemandeEvenement
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from tests.factories import (
    AgrementFactory,
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    OrganisationFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

YESTERDAY = datetime.timedelta(days=-1)
TOMORROW = datetime.timedelta(days=1)


def _today():
    return timezone.localdate()


def _create(association, beneficiaire=None):
    departement = (beneficiaire or association).departement
    beneficiaire = beneficiaire or BeneficiaireFactory(departement=departement)
    return workflow.create(
        beneficiaire=beneficiaire,
        association=association,
        commission=commission_for(departement),
        user=UserFactory(organisation=association, roles=[Role.REFERENT]),
    )


def _lapsed(association):
    association.agrements.update(end=_today() + YESTERDAY)


def _revoked(association):
    association.agrements.update(revoked_on=_today() + YESTERDAY)


def _not_yet_started(association):
    association.agrements.update(start=_today() + TOMORROW, end=_today() + datetime.timedelta(days=1000))


INVALID_AGREMENTS = {"lapsed": _lapsed, "revoked": _revoked, "not_yet_started": _not_yet_started}


def test_association_with_valid_agrement_creates_a_draft():
    association = AssociationFactory()

    demande = _create(association)

    assert demande.state == DemandeState.BROUILLON
    assert demande.association == association
    assert demande.objectifs.count() == 5


@pytest.mark.parametrize("invalidate", INVALID_AGREMENTS.values(), ids=INVALID_AGREMENTS.keys())
def test_association_without_valid_agrement_cannot_create_a_dossier(invalidate):
    association = AssociationFactory()
    invalidate(association)

    with pytest.raises(WorkflowError) as error:
        _create(association)

    assert "agrément" in error.value.message
    assert "ne peut pas déposer" in error.value.message
    assert not Demande.objects.exists()


def test_agrement_for_another_departement_does_not_allow_filing_here():
    association = AssociationFactory()  # approved for its own département only
    elsewhere = BeneficiaireFactory()

    assert elsewhere.departement != association.departement
    with pytest.raises(WorkflowError, match="agrément"):
        _create(association, beneficiaire=elsewhere)
    assert not Demande.objects.exists()


def test_agrement_for_the_commission_departement_allows_an_association_seated_elsewhere():
    association = AssociationFactory()
    person = BeneficiaireFactory()
    AgrementFactory(association=association, departement=person.departement)

    demande = _create(association, beneficiaire=person)

    assert demande.commission.departement == person.departement


def test_agrement_is_valid_on_its_last_day():
    association = AssociationFactory()
    association.agrements.update(end=_today())

    assert _create(association).state == DemandeState.BROUILLON


def test_agrement_is_valid_from_its_first_day():
    association = AssociationFactory()
    association.agrements.update(start=_today())

    assert _create(association).state == DemandeState.BROUILLON


def test_a_renewed_agrement_lets_an_association_with_a_lapsed_one_file():
    association = AssociationFactory()
    _lapsed(association)
    AgrementFactory(association=association, departement=association.departement, start=_today())

    assert _create(association).state == DemandeState.BROUILLON


def test_organisation_that_is_not_an_association_cannot_file():
    service = OrganisationFactory(kind=OrganisationKind.SERVICE_ETAT)
    AgrementFactory(association=service, departement=service.departement)

    with pytest.raises(WorkflowError, match="agrément"):
        _create(service)


def test_association_with_valid_agrement_submits_a_complete_dossier():
    demande = DemandeFactory(complete=True)

    workflow.submit(demande, user=demande.referent)

    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE
    assert demande.submitted_at is not None


@pytest.mark.parametrize("invalidate", INVALID_AGREMENTS.values(), ids=INVALID_AGREMENTS.keys())
def test_association_whose_agrement_is_no_longer_valid_cannot_submit(invalidate):
    demande = DemandeFactory(complete=True)
    invalidate(demande.association)

    with pytest.raises(WorkflowError) as error:
        workflow.submit(demande, user=demande.referent)

    assert "agrément" in error.value.message
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON
    assert demande.submitted_at is None
    assert not DemandeEvenement.objects.filter(demande=demande).exists()


def test_association_whose_agrement_lapsed_cannot_resubmit_after_a_complement_request():
    demande = DemandeFactory(complete=True, state=DemandeState.COMPLEMENT_DEMANDE)
    _lapsed(demande.association)

    with pytest.raises(WorkflowError, match="agrément"):
        workflow.resubmit(demande, user=demande.referent)

    demande.refresh_from_db()
    assert demande.state == DemandeState.COMPLEMENT_DEMANDE


def test_association_approved_only_elsewhere_cannot_submit_here():
    demande = DemandeFactory(complete=True)
    demande.association.agrements.update(departement=AgrementFactory().departement)

    with pytest.raises(WorkflowError, match="agrément"):
        workflow.submit(demande, user=demande.referent)
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON
