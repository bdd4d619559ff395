"""The accompanying association corrects a person's record; nobody else can, whatever the id."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import Beneficiaire
from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(person):
    return reverse("beneficiaires:update", args=[person.pk])


def form_data(person, **overrides):
    data = {
        "last_name": person.last_name,
        "first_names": person.first_names,
        "usage_name": person.usage_name,
        "sexe": person.sexe,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_place": person.birth_place,
        "nationality": "NG",
        "second_nationality": "",
        "languages": person.languages,
        "phone": "06 12 34 56 78",
        "address": person.address,
        "situation_familiale": person.situation_familiale,
        "dependent_children": person.dependent_children,
        "household_size": person.household_size,
        "logement": person.logement,
        "ressources_type": person.ressources_type,
        "ressources_mensuelles": "0",
        "consent_given_on": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    user = UserFactory(organisation=association, roles=[Role.REFERENT])
    client.force_login(user)
    return user


@pytest.fixture
def person(association):
    return BeneficiaireFactory(departement=association.departement, accompagnement=association)


def test_form_shows_the_current_values(client, person, caseworker):
    html = client.get(url(person)).content.decode()
    assert f'value="{person.last_name}"' in html
    assert '<option value="NG" selected>Nigeria</option>' in html
    assert "id_chosen_on" not in html  # the choice of association is recorded once, at creation


def test_caseworker_corrects_the_situation(client, person, caseworker):
    response = client.post(url(person), form_data(person, logement="autonome", second_nationality="GH"))
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiaires:detail", args=[person.pk])
    person.refresh_from_db()
    assert person.logement == "autonome"
    assert {c.code for c in person.nationalities} == {"NG", "GH"}


def test_correcting_the_name_updates_the_identity_key(client, person, caseworker):
    client.post(url(person), form_data(person, last_name="Ézé"))
    person.refresh_from_db()
    assert person.identity_key.startswith("eze|")


def test_invalid_correction_keeps_what_was_typed_and_changes_nothing(client, person, caseworker):
    former_name = person.last_name
    response = client.post(url(person), form_data(person, last_name="Nouveau", birth_date="2999-01-01"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "La date de naissance doit être comprise entre le 01/01/1900 et aujourd’hui." in html
    assert 'value="Nouveau"' in html
    person.refresh_from_db()
    assert person.last_name == former_name


def test_becoming_identical_to_another_person_of_the_association_warns(
    client, association, person, caseworker
):
    other = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze",
        birth_date=datetime.date(1996, 4, 12),
    )
    data = form_data(person, last_name="OKAFOR", first_names="adaèze", birth_date="1996-04-12")
    html = client.post(url(person), data).content.decode()
    assert "Cette personne est peut-être déjà enregistrée" in html
    assert other.reference in html
    response = client.post(url(person), {**data, "other_person": "on", "duplicates_seen": str(other.pk)})
    assert response.status_code == 302


def test_saving_a_person_unchanged_does_not_warn_about_themself(client, person, caseworker):
    assert client.post(url(person), form_data(person)).status_code == 302


def test_another_associations_person_is_not_found_on_get_and_post(client, association, caseworker):
    stranger = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=AssociationFactory(departement=association.departement),
        last_name="Inchangé",
    )
    assert client.get(url(stranger)).status_code == 404
    assert client.post(url(stranger), form_data(stranger, last_name="Piraté")).status_code == 404
    assert client.get(reverse("beneficiaires:update", args=[987654])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.last_name == "Inchangé"


def test_secretariat_sees_the_person_but_cannot_change_them(client):
    demande = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    person = demande.beneficiaire
    client.force_login(
        UserFactory(
            organisation=OrganisationFactory(
                kind=OrganisationKind.SECRETARIAT, departement=person.departement
            ),
            roles=[Role.SECRETARIAT],
        )
    )
    assert client.get(reverse("beneficiaires:detail", args=[person.pk])).status_code == 200
    assert client.get(url(person)).status_code == 404
    assert client.post(url(person), form_data(person, last_name="Changé")).status_code == 404
    assert Beneficiaire.objects.get(pk=person.pk).last_name != "Changé"
