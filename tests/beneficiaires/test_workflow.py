"""The accompaniment (CASF L121-9): the person chooses the association, the choice and its date are
recorded; a change of association is dated, keeps the history, and leaves one current accompaniment."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from beneficiaires import workflow
from beneficiaires.enums import AccompagnementEndReason
from beneficiaires.models import Accompagnement
from commission.enums import Role
from parcours.enums import DemandeState
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def person():
    return BeneficiaireFactory(
        accompagnement=True,
        accompagnement__chosen_on=datetime.date(2025, 9, 1),
        accompagnement__start=datetime.date(2025, 9, 1),
    )


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT])


def test_start_records_the_association_the_person_chose_and_the_date_of_the_choice():
    person = BeneficiaireFactory()
    association = AssociationFactory(departement=person.departement)
    caseworker = UserFactory(organisation=association, roles=[Role.REFERENT])
    accompagnement = workflow.start_accompaniment(
        person, association, chosen_on=datetime.date(2026, 3, 2), user=caseworker, referent=caseworker
    )
    assert (accompagnement.association, accompagnement.referent) == (association, caseworker)
    assert (accompagnement.chosen_on, accompagnement.start, accompagnement.end) == (
        datetime.date(2026, 3, 2),
        TODAY,
        None,
    )


def test_start_is_refused_when_an_association_already_accompanies_the_person(person, secretariat):
    other = AssociationFactory(departement=person.departement)
    with pytest.raises(workflow.AccompanimentError, match="changement d’association"):
        workflow.start_accompaniment(person, other, chosen_on=TODAY, user=secretariat)


def test_an_association_without_agrement_for_the_departement_cannot_accompany():
    person = BeneficiaireFactory()
    elsewhere = AssociationFactory()  # approved for its own département only
    with pytest.raises(workflow.AccompanimentError, match="agrément valide"):
        workflow.start_accompaniment(person, elsewhere, chosen_on=TODAY, user=None)
    assert not person.accompagnements.exists()


def test_change_ends_the_current_accompaniment_and_opens_the_new_one_on_the_same_day(person, secretariat):
    former = person.accompagnements.get()
    new_association = AssociationFactory(departement=person.departement)
    current = workflow.change_association(
        person,
        new_association,
        on=datetime.date(2026, 3, 5),
        chosen_on=datetime.date(2026, 3, 1),
        reason=AccompagnementEndReason.CHOIX_PERSONNE,
        user=secretariat,
    )
    former.refresh_from_db()
    assert (former.end, former.end_reason) == (
        datetime.date(2026, 3, 5),
        AccompagnementEndReason.CHOIX_PERSONNE,
    )
    assert (current.association, current.chosen_on, current.start, current.end) == (
        new_association,
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 5),
        None,
    )
    assert list(person.accompagnements.order_by("start").values_list("association", "end")) == [
        (former.association_id, datetime.date(2026, 3, 5)),
        (new_association.pk, None),
    ]


def test_a_second_change_keeps_every_dated_accompaniment(person, secretariat):
    second = AssociationFactory(departement=person.departement)
    third = AssociationFactory(departement=person.departement)
    workflow.change_association(person, second, on=datetime.date(2026, 1, 5), user=secretariat)
    workflow.change_association(person, third, on=TODAY, user=secretariat)
    history = list(person.accompagnements.order_by("start").values_list("start", "end"))
    assert history == [
        (datetime.date(2025, 9, 1), datetime.date(2026, 1, 5)),
        (datetime.date(2026, 1, 5), TODAY),
        (TODAY, None),
    ]


@pytest.mark.parametrize(
    ("on", "chosen_on", "message"),
    [
        (TODAY + datetime.timedelta(days=1), None, "date future"),
        (datetime.date(2025, 8, 31), None, "précéder le début"),
        (TODAY, TODAY + datetime.timedelta(days=1), "vérifiez les dates"),
    ],
)
def test_change_with_impossible_dates_is_refused_and_changes_nothing(
    person, secretariat, on, chosen_on, message
):
    new_association = AssociationFactory(departement=person.departement)
    with pytest.raises(workflow.AccompanimentError, match=message):
        workflow.change_association(person, new_association, on=on, chosen_on=chosen_on, user=secretariat)
    assert person.accompagnements.get().end is None


def test_change_to_the_same_association_is_refused(person, secretariat):
    with pytest.raises(workflow.AccompanimentError, match="accompagne déjà"):
        workflow.change_association(
            person, person.current_accompagnement.association, on=TODAY, user=secretariat
        )


def test_change_to_an_association_not_approved_for_the_departement_is_refused(person, secretariat):
    with pytest.raises(workflow.AccompanimentError, match="agrément valide"):
        workflow.change_association(person, AssociationFactory(), on=TODAY, user=secretariat)
    assert person.accompagnements.count() == 1


def test_change_without_a_current_accompaniment_is_refused(secretariat):
    person = BeneficiaireFactory()
    new_association = AssociationFactory(departement=person.departement)
    with pytest.raises(workflow.AccompanimentError, match="enregistrez d’abord son choix"):
        workflow.change_association(person, new_association, on=TODAY, user=secretariat)


def test_the_end_of_the_pathway_is_not_a_reason_to_change_association(person, secretariat):
    new_association = AssociationFactory(departement=person.departement)
    with pytest.raises(workflow.AccompanimentError, match="motif"):
        workflow.change_association(
            person, new_association, on=TODAY, reason=AccompagnementEndReason.FIN_PARCOURS, user=secretariat
        )


def test_the_database_refuses_a_second_current_accompaniment(person):
    with pytest.raises(IntegrityError):
        Accompagnement.objects.create(
            beneficiaire=person,
            association=AssociationFactory(departement=person.departement),
            chosen_on=TODAY,
            start=TODAY,
        )


def test_receiving_associations_are_the_approved_ones_of_the_departement_but_the_current(person):
    other = AssociationFactory(departement=person.departement)
    AssociationFactory(departement=person.departement, agrement=False)
    AssociationFactory()  # another département
    assert list(workflow.receiving_associations(person)) == [other]


def test_the_open_application_follows_the_person_with_a_dated_event(person, secretariat):
    former_association = person.current_accompagnement.association
    demande = DemandeFactory(
        beneficiaire=person, association=former_association, departement=person.departement, complete=True
    )
    closed = DemandeFactory(
        beneficiaire=person,
        association=former_association,
        departement=person.departement,
        state=DemandeState.RETIREE,
    )
    new_association = AssociationFactory(departement=person.departement)
    workflow.change_association(person, new_association, on=datetime.date(2026, 3, 5), user=secretariat)
    demande.refresh_from_db()
    closed.refresh_from_db()
    assert demande.association == new_association
    assert demande.referent is None  # until the new association names its caseworker
    assert demande.state == DemandeState.BROUILLON
    event = demande.evenements.get(transition="change_association")
    assert (event.user, event.from_state, event.to_state) == (secretariat, demande.state, demande.state)
    assert new_association.name in event.reason and former_association.name in event.reason
    assert "05/03/2026" in event.reason
    assert closed.association == former_association  # the record of what was decided stays


def test_a_refused_change_leaves_the_application_where_it_was(person, secretariat):
    demande = DemandeFactory(
        beneficiaire=person,
        association=person.current_accompagnement.association,
        departement=person.departement,
    )
    with pytest.raises(workflow.AccompanimentError):
        workflow.change_association(person, AssociationFactory(), on=TODAY, user=secretariat)
    demande.refresh_from_db()
    assert demande.association == person.current_accompagnement.association
    assert not demande.evenements.filter(transition="change_association").exists()
