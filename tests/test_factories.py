"""Each factory makes a saved object that passes the model's validation and keeps the data consistent."""

import pytest
from django.contrib.auth import authenticate

from commission.enums import OrganisationKind, Role
from parcours.enums import Axe, DecisionKind, DemandeKind, DemandeState, ParcoursState, TitreSejourState
from parcours.models import Periode
from tests import factories

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    factories.DepartementFactory,
    factories.OrganisationFactory,
    factories.AssociationFactory,
    factories.AgrementFactory,
    factories.CommissionFactory,
    factories.UserFactory,
    factories.MandatFactory,
    factories.SeanceFactory,
    factories.PointOrdreDuJourFactory,
    factories.ConvocationFactory,
    factories.PresenceFactory,
    factories.VoteFactory,
    factories.AvisFactory,
    factories.ProcesVerbalFactory,
    factories.BeneficiaireFactory,
    factories.AccompagnementFactory,
    factories.DemandeFactory,
    factories.ObjectifInsertionFactory,
    factories.DocumentFactory,
    factories.DemandeEvenementFactory,
    factories.ParcoursFactory,
    factories.PeriodeFactory,
    factories.ParcoursEvenementFactory,
    factories.DecisionFactory,
    factories.TitreSejourFactory,
    factories.DroitAfisFactory,
    factories.CourrierFactory,
    factories.RappelFactory,
]


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_saved_valid_object(factory_class):
    obj = factory_class()

    assert obj.pk is not None
    assert type(obj).objects.filter(pk=obj.pk).exists()
    obj.full_clean()


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_factory_can_make_two_objects_without_clash(factory_class):
    first, second = factory_class(), factory_class()

    assert first.pk != second.pk


def test_user_logs_in_with_the_test_password_and_has_the_roles_given():
    user = factories.UserFactory(roles=[Role.SECRETARIAT, Role.MEMBRE])

    assert authenticate(email=user.email, password=factories.PASSWORD) == user
    assert user.roles() == {Role.SECRETARIAT, Role.MEMBRE}


def test_user_without_roles_has_none():
    assert factories.UserFactory().roles() == set()


def test_association_is_approved_for_its_departement_for_three_years_started_a_year_ago():
    association = factories.AssociationFactory()

    agrement = association.agrements.get()
    assert association.kind == OrganisationKind.ASSOCIATION
    assert agrement.departement == association.departement
    assert agrement.is_valid()
    assert association.can_file_in(association.departement)
    assert (agrement.end - agrement.start).days in range(3 * 365 - 1, 3 * 366)


def test_association_without_agrement_cannot_file():
    association = factories.AssociationFactory(agrement=False)

    assert not association.agrements.exists()
    assert not association.can_file_in(association.departement)


def test_demande_keeps_person_commission_and_association_in_one_departement():
    demande = factories.DemandeFactory()

    departement = demande.commission.departement
    assert demande.beneficiaire.departement == departement
    assert demande.association.can_file_in(departement)
    assert demande.referent.organisation == demande.association
    assert demande.beneficiaire.current_accompagnement.association == demande.association


def test_demande_for_a_given_person_is_filed_in_their_departement():
    commission = factories.CommissionFactory()
    person = factories.BeneficiaireFactory(departement=commission.departement)

    demande = factories.DemandeFactory(beneficiaire=person)

    assert demande.commission == commission
    assert demande.association.can_file_in(commission.departement)


def test_demande_for_a_given_commission_concerns_a_person_of_its_departement():
    commission = factories.CommissionFactory()

    demande = factories.DemandeFactory(commission=commission)

    assert demande.beneficiaire.departement == commission.departement
    assert demande.association.can_file_in(commission.departement)


def test_renewal_for_a_given_pathway_concerns_its_person_and_commission():
    parcours = factories.ParcoursFactory()

    demande = factories.DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours)

    assert (demande.beneficiaire, demande.commission) == (parcours.beneficiaire, parcours.commission)


def test_draft_demande_has_one_empty_objective_per_axis_and_is_incomplete():
    demande = factories.DemandeFactory()

    assert demande.state == DemandeState.BROUILLON
    assert sorted(demande.objectifs.values_list("axe", flat=True)) == sorted(Axe.values)
    assert "evaluation_association" in demande.missing_parts()


@pytest.mark.parametrize(
    "kind", [DemandeKind.INITIALE, DemandeKind.RENOUVELLEMENT, DemandeKind.FIN_ANTICIPEE]
)
def test_complete_demande_lacks_nothing(kind):
    demande = factories.DemandeFactory(kind=kind, complete=True)

    assert demande.missing_parts() == {}


def test_renewal_demande_concerns_a_pathway_of_the_same_person():
    demande = factories.DemandeFactory(kind=DemandeKind.RENOUVELLEMENT)

    assert demande.parcours.beneficiaire == demande.beneficiaire
    assert demande.parcours.commission == demande.commission


def test_parcours_has_its_first_six_month_term():
    parcours = factories.ParcoursFactory()

    periode = parcours.periodes.get()
    assert (periode.number, periode.start, periode.months) == (1, parcours.started_on, 6)
    assert parcours.current_term_end == periode.end
    assert parcours.state == ParcoursState.EN_COURS


def test_parcours_with_several_terms_has_contiguous_terms():
    parcours = factories.ParcoursFactory(periodes=3)

    periodes = list(parcours.periodes.order_by("number"))
    assert [p.number for p in periodes] == [1, 2, 3]
    for previous, following in zip(periodes, periodes[1:], strict=False):
        assert (following.start - previous.end).days == 1
    assert parcours.current_term_end == periodes[-1].end


def test_periode_factory_appends_the_next_term():
    parcours = factories.ParcoursFactory()

    periode = factories.PeriodeFactory(parcours=parcours)

    parcours.refresh_from_db()
    assert periode.number == 2
    assert Periode.objects.filter(parcours=parcours).count() == 2
    assert parcours.current_term_end == periode.end


def test_ended_parcours_is_consistent():
    parcours = factories.ParcoursFactory(termine=True)

    assert parcours.state == ParcoursState.TERMINE
    assert parcours.ended_on and parcours.end_reason


@pytest.mark.parametrize(
    "kind, state",
    [
        (DecisionKind.AUTORISATION, DemandeState.ACCEPTEE),
        (DecisionKind.REFUS, DemandeState.REFUSEE),
        (DecisionKind.RENOUVELLEMENT, DemandeState.ACCEPTEE),
        (DecisionKind.NON_RENOUVELLEMENT, DemandeState.REFUSEE),
        (DecisionKind.FIN_ANTICIPEE, DemandeState.ACCEPTEE),
        (DecisionKind.MAINTIEN, DemandeState.REFUSEE),
    ],
)
def test_decision_answers_an_application_of_matching_kind_and_state(kind, state):
    decision = factories.DecisionFactory(kind=kind)

    decision.full_clean()
    assert decision.demande.state == state
    assert decision.demande.avis_commission and decision.demande.avis_association
    assert bool(decision.motifs) == (kind in factories.NEGATIVE_DECISIONS)


def test_issued_titre_has_number_and_dates():
    titre = factories.TitreSejourFactory(delivre=True)

    assert titre.state == TitreSejourState.DELIVRE
    assert titre.number and titre.issued_on < titre.valid_until


def test_droit_afis_amount_comes_from_the_scale_in_force():
    droit = factories.DroitAfisFactory(periode__parcours__beneficiaire__dependent_children=2)

    assert droit.eligible
    assert droit.monthly_amount == droit.bareme.amount_2


def test_ineligible_droit_afis_has_no_amount():
    droit = factories.DroitAfisFactory(ineligible=True)

    assert not droit.eligible and droit.monthly_amount == 0 and droit.ineligibility_reason


def test_suppleant_mandat_replaces_a_titulaire_of_the_same_organisation():
    mandat = factories.MandatFactory(suppleant=True)

    assert mandat.titulaire.organisation == mandat.organisation
    assert mandat.titulaire.commission == mandat.commission


def test_mayotte_departement_is_flagged():
    assert factories.DepartementFactory(mayotte=True).is_mayotte


def test_beneficiaire_can_be_given_the_association_they_chose():
    association = factories.AssociationFactory()

    person = factories.BeneficiaireFactory(departement=association.departement, accompagnement=association)

    assert person.current_accompagnement.association == association
    assert person.reference.startswith(f"PSP-{association.departement.code}-")
