"""A caseworker records a new person, who chose their association: validation, duplicates, rights."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import Accompagnement, Beneficiaire
from commission.enums import OrganisationKind, Role
from tests.factories import (
    AgrementFactory,
    AssociationFactory,
    BeneficiaireFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("beneficiaires:create")


def today():
    return timezone.localdate()


def payload(**overrides):
    data = {
        "last_name": "Okafor",
        "first_names": "Adaeze Blessing",
        "usage_name": "",
        "sexe": "F",
        "birth_date": "1996-04-12",
        "birth_place": "Benin City (Nigeria)",
        "nationality": "NG",
        "second_nationality": "",
        "languages": "anglais, pidgin",
        "phone": "06 12 34 56 78",
        "address": "Domiciliée à l’association",
        "situation_familiale": "celibataire",
        "dependent_children": "1",
        "household_size": "2",
        "logement": "associatif",
        "ressources_type": "aucune",
        "ressources_mensuelles": "0",
        "consent_given_on": (today() - datetime.timedelta(days=3)).isoformat(),
        "chosen_on": (today() - datetime.timedelta(days=10)).isoformat(),
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


def test_new_person_is_recorded_with_the_association_the_person_chose(client, association, caseworker):
    response = client.post(URL, payload())
    person = Beneficiaire.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiaires:detail", args=[person.pk])
    assert person.departement == association.departement
    assert person.reference.startswith(f"PSP-{association.departement.code}-")
    assert [c.code for c in person.nationalities] == ["NG"]
    accompagnement = Accompagnement.objects.get(beneficiaire=person)
    assert accompagnement.association == association
    assert accompagnement.referent == caseworker
    assert accompagnement.chosen_on == today() - datetime.timedelta(days=10)
    assert accompagnement.start == today()
    assert accompagnement.end is None
    page = client.get(response["Location"]).content.decode()
    assert f"La personne est enregistrée sous la référence {person.reference}." in page


def test_resources_typed_with_a_decimal_comma_are_understood(client, association, caseworker):
    client.post(URL, payload(ressources_mensuelles="350,50"))
    assert str(Beneficiaire.objects.get().ressources_mensuelles) == "350.50"


def test_form_shows_labelled_fields_and_asks_the_date_the_person_chose_the_association(
    client, association, caseworker
):
    html = client.get(URL).content.decode()
    assert '<label class="fr-label" for="id_last_name">' in html
    assert "Date à laquelle la personne a choisi l’association" in html
    assert "id_departement" not in html  # approved in one département only: nothing to ask


def test_missing_fields_are_answered_in_french_and_what_was_typed_is_kept(client, association, caseworker):
    response = client.post(URL, payload(last_name="", sexe="", chosen_on="", birth_place="Lagos"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in html
    assert "Indiquez le nom de la personne." in html
    assert "Indiquez le sexe de la personne." in html
    assert "Indiquez la date à laquelle la personne a choisi votre association." in html
    assert 'value="Lagos"' in html
    assert 'value="Adaeze Blessing"' in html
    assert 'aria-describedby="id_last_name-erreurs"' in html
    assert not Beneficiaire.objects.exists()


def test_birth_date_in_the_future_is_refused(client, association, caseworker):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    html = client.post(URL, payload(birth_date=tomorrow)).content.decode()
    assert "La date de naissance doit être comprise entre le 01/01/1900 et aujourd’hui." in html
    assert f'value="{tomorrow}"' in html
    assert not Beneficiaire.objects.exists()


def test_choice_of_the_association_in_the_future_or_before_birth_is_refused(client, association, caseworker):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    html = client.post(URL, payload(chosen_on=tomorrow)).content.decode()
    assert "La date du choix ne peut pas être dans le futur : vérifiez-la." in html
    html = client.post(URL, payload(birth_date="2017-05-01", chosen_on="2017-01-01")).content.decode()
    assert "La date du choix ne peut pas précéder la date de naissance." in html
    assert not Beneficiaire.objects.exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("birth_date", "31/02/1996", "Saisissez une date de naissance valide, par exemple 14/07/1995."),
        ("sexe", "Z", "Sélectionnez un choix valide."),
        ("nationality", "XX", "Sélectionnez un choix valide."),
        ("dependent_children", "deux", "Indiquez un nombre entier d’enfants, 0 s’il n’y en a pas."),
        ("dependent_children", "-1", "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        (
            "household_size",
            "1",
            "Le foyer compte au moins la personne et ses enfants à charge : indiquez au moins 2.",
        ),
        ("ressources_mensuelles", "beaucoup", "Indiquez un montant en euros, par exemple 350,50."),
        ("ressources_mensuelles", "-5", "Indiquez un nombre positif ou nul."),
        ("phone", "appeler le soir", "Saisissez un numéro de téléphone fait de chiffres"),
        ("second_nationality", "NG", "Choisissez une nationalité différente de la première."),
        (
            "consent_given_on",
            (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "Le consentement ne peut pas être daté d’un jour à venir",
        ),
        ("consent_given_on", "2999-01-01", "La date doit être comprise entre le 01/01/2016"),
        (
            "birth_date",
            "1800-01-01",
            "La date de naissance doit être comprise entre le 01/01/1900 et aujourd’hui.",
        ),
    ],
)
def test_invalid_values_are_answered_in_french_and_kept(
    client, association, caseworker, field, value, message
):
    response = client.post(URL, payload(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'aria-describedby="id_{field}-erreurs"' in html
    if field not in ("sexe", "nationality", "second_nationality"):
        assert f'value="{value}"' in html
    assert not Beneficiaire.objects.exists()


def test_association_approved_in_several_departements_asks_which_one(client, association, caseworker):
    other = DepartementFactory()
    AgrementFactory(association=association, departement=other)
    response = client.post(URL, payload())
    assert "Choisissez le département où la personne est accompagnée." in response.content.decode()
    assert not Beneficiaire.objects.exists()
    client.post(URL, payload(departement=other.pk))
    assert Beneficiaire.objects.get().departement == other


def test_departement_where_the_association_is_not_approved_is_refused(client, association, caseworker):
    AgrementFactory(association=association, departement=DepartementFactory())
    elsewhere = DepartementFactory()
    html = client.post(URL, payload(departement=elsewhere.pk)).content.decode()
    assert "Choisissez l’un des départements où votre association est agréée." in html
    assert not Beneficiaire.objects.exists()


def test_association_without_a_valid_agrement_is_told_why_it_cannot_record_a_person(client):
    association = AssociationFactory()
    association.agrements.update(
        start=today() - datetime.timedelta(days=1200), end=today() - datetime.timedelta(days=1)
    )
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    html = client.get(URL).content.decode()
    assert "Votre association n’a pas d’agrément en cours de validité" in html
    assert "id_last_name" not in html
    client.post(URL, payload())
    assert not Beneficiaire.objects.exists()


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.PRESIDENT, Role.MEMBRE])
def test_only_a_caseworker_records_a_person(client, role):
    user = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT), roles=[role])
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, payload()).status_code == 404
    assert not Beneficiaire.objects.exists()


# --- probable duplicates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "last_name, first_names",
    [("Okafor", "Adaeze Blessing"), ("OKAFOR", "adaeze blessing"), ("Ökafor", "Adaèze  Blessing")],
)
def test_same_name_and_birth_date_in_the_association_is_a_probable_duplicate(
    client, association, caseworker, last_name, first_names
):
    existing = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=datetime.date(1996, 4, 12),
    )
    response = client.post(URL, payload(last_name=last_name, first_names=first_names))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cette personne est peut-être déjà enregistrée" in html
    assert existing.reference in html
    assert reverse("beneficiaires:detail", args=[existing.pk]) in html
    assert "Il s’agit bien d’une autre personne" in html
    assert f'value="{last_name}"' in html
    assert Beneficiaire.objects.count() == 1


def test_confirming_it_is_another_person_records_them(client, association, caseworker):
    existing = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=datetime.date(1996, 4, 12),
    )
    response = client.post(URL, payload(other_person="on", duplicates_seen=str(existing.pk)))
    assert response.status_code == 302
    assert Beneficiaire.objects.count() == 2


def test_ticking_the_box_without_having_seen_the_match_is_not_enough(client, association, caseworker):
    BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=datetime.date(1996, 4, 12),
    )
    response = client.post(URL, payload(other_person="on"))
    assert "Cette personne est peut-être déjà enregistrée" in response.content.decode()
    assert Beneficiaire.objects.count() == 1


def test_confirmation_is_kept_when_another_field_is_wrong(client, association, caseworker):
    existing = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=datetime.date(1996, 4, 12),
    )
    html = client.post(
        URL, payload(other_person="on", duplicates_seen=str(existing.pk), phone="le soir")
    ).content.decode()
    assert 'id="id_other_person" checked' in html
    assert f'name="duplicates_seen" value="{existing.pk}"' in html


def test_same_identity_in_another_association_is_not_revealed(client, association, caseworker):
    neighbour = AssociationFactory(departement=association.departement)
    stranger = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=neighbour,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=datetime.date(1996, 4, 12),
    )
    response = client.post(URL, payload())
    assert response.status_code == 302
    assert stranger.reference not in client.get(response["Location"]).content.decode()
    assert Beneficiaire.objects.count() == 2


def test_same_name_without_birth_date_is_not_claimed_a_duplicate(client, association, caseworker):
    BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        last_name="Okafor",
        first_names="Adaeze Blessing",
        birth_date=None,
    )
    assert client.post(URL, payload(birth_date="")).status_code == 302
