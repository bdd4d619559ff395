"""Two colleagues edit the same record: the second save, based on an older version, is refused with who
changed what and when, keeps its input, and goes through when sent again (commission/versions.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commission.enums import Role
from parcours.models import Demande
from tests.beneficiaires.test_beneficiaire_update import form_data
from tests.factories import AssociationFactory, BeneficiaireFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def hidden(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


@pytest.fixture
def association():
    return AssociationFactory()


def colleague(association, first_name, last_name):
    client = Client()
    client.force_login(
        UserFactory(
            organisation=association, roles=[Role.REFERENT], first_name=first_name, last_name=last_name
        )
    )
    return client


@pytest.fixture
def alice(association):
    return colleague(association, "Alice", "Martin")


@pytest.fixture
def bob(association):
    return colleague(association, "Bruno", "Petit")


def test_the_second_save_of_a_person_is_refused_then_kept_input_saves(association, alice, bob):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    url = reverse("beneficiaires:update", args=[person.pk])
    alice_version = hidden(alice.get(url).content.decode(), "version")
    bob_version = hidden(bob.get(url).content.decode(), "version")
    assert alice_version == bob_version

    saved = alice.post(url, form_data(person, phone="01 02 03 04 05", version=alice_version))
    assert saved.status_code == 302

    refused = bob.post(url, form_data(person, address="12 rue des Lilas", version=bob_version))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Alice Martin a modifié cette fiche le" in html
    assert "téléphone" in re.search(r"\(champs : ([^)]*)\)", html).group(1)
    assert "Vos saisies sont conservées ci-dessous" in html
    assert "12 rue des Lilas" in html  # Bruno's input is on the page
    person.refresh_from_db()
    assert person.phone == "01 02 03 04 05" and person.address != "12 rue des Lilas"

    new_version = hidden(html, "version")
    assert int(new_version) > int(bob_version)
    again = bob.post(url, form_data(person, address="12 rue des Lilas", version=new_version))
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.address == "12 rue des Lilas"


def test_a_save_based_on_the_current_version_is_not_refused(association, alice):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    url = reverse("beneficiaires:update", args=[person.pk])
    version = hidden(alice.get(url).content.decode(), "version")
    assert alice.post(url, form_data(person, phone="01 02 03 04 05", version=version)).status_code == 302
    version = hidden(alice.get(url).content.decode(), "version")
    assert alice.post(url, form_data(person, phone="01 02 03 04 06", version=version)).status_code == 302
    assert Beneficiaire.objects.get(pk=person.pk).phone == "01 02 03 04 06"


def _engagement(version, text):
    return {
        "engagement_signed_on": "",
        "evaluation_association": text,
        "action": "brouillon",
        "version": version,
    }


def test_the_same_step_of_an_application_edited_by_two_colleagues(association, alice, bob):
    demande = DemandeFactory(association=association, departement=association.departement)
    url = reverse("parcours:dossier_edit", args=[demande.pk, "engagement"])
    alice_version = hidden(alice.get(url).content.decode(), "version")
    bob_version = hidden(bob.get(url).content.decode(), "version")

    assert alice.post(url, _engagement(alice_version, "Évaluation d’Alice")).status_code == 302
    refused = bob.post(url, _engagement(bob_version, "Évaluation de Bruno"))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Alice Martin a modifié cette fiche" in html
    assert "Évaluation de Bruno" in html
    assert Demande.objects.get(pk=demande.pk).evaluation_association == "Évaluation d’Alice"

    assert bob.post(url, _engagement(hidden(html, "version"), "Évaluation de Bruno")).status_code == 302
    assert Demande.objects.get(pk=demande.pk).evaluation_association == "Évaluation de Bruno"


def test_a_colleague_s_change_to_another_step_does_not_stand_in_the_way(association, alice, bob):
    demande = DemandeFactory(association=association, departement=association.departement)
    engagement = reverse("parcours:dossier_edit", args=[demande.pk, "engagement"])
    bob_version = hidden(bob.get(engagement).content.decode(), "version")
    # Alice writes the association's projet meanwhile: other records, other fields.
    projet = reverse("parcours:dossier_edit", args=[demande.pk, "projet"])
    page = alice.get(projet).content.decode()
    data = {"action": "brouillon", "version": hidden(page, "version")}
    data.update(dict.fromkeys(re.findall(r'name="([a-z_]+-objectives)"', page), "Trouver un logement"))
    assert alice.post(projet, data).status_code == 302

    assert bob.post(engagement, _engagement(bob_version, "Évaluation de Bruno")).status_code == 302
    assert Demande.objects.get(pk=demande.pk).evaluation_association == "Évaluation de Bruno"


def test_the_projet_step_edited_by_two_colleagues(association, alice, bob):
    demande = DemandeFactory(association=association, departement=association.departement)
    url = reverse("parcours:dossier_edit", args=[demande.pk, "projet"])
    alice_page = alice.get(url).content.decode()
    bob_page = bob.get(url).content.decode()
    names = re.findall(r'name="([a-z_]+-objectives)"', alice_page)
    assert names

    def data(page, text):
        return {"action": "brouillon", "version": hidden(page, "version"), **dict.fromkeys(names, text)}

    assert alice.post(url, data(alice_page, "Objectif d’Alice")).status_code == 302
    refused = bob.post(url, data(bob_page, "Objectif de Bruno"))
    assert refused.status_code == 200
    assert "Alice Martin a modifié cette fiche" in refused.content.decode()
    assert bob.post(url, data(refused.content.decode(), "Objectif de Bruno")).status_code == 302
    assert {o.objectives for o in demande.objectifs.all()} == {"Objectif de Bruno"}
