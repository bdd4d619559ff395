"""The foreigners' service reaches the letters addressed to it from the permit page, and the prefecture
from the pathway on the person's page; nobody is offered a letter they may not read."""

import pytest
from django.test import Client
from django.urls import reverse

from parcours.enums import CourrierKind
from tests.factories import CourrierFactory
from tests.matrix_world import World, _private

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    world = World()
    for side in ("own", "a2", "b"):
        decision = world.sides[side].decision
        world.sides[side].information = CourrierFactory(
            decision=decision, kind=CourrierKind.INFORMATION_ETRANGERS, **_private("courriers")
        )
    return world


def _client(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def _href(courrier):
    return f'href="{reverse("decisions:courrier", args=[courrier.pk])}"'


def test_the_foreigners_service_finds_the_letter_to_it_on_the_permit_page_and_opens_it(world):
    own = world.sides["own"]
    client = _client(world, "etrangers")

    page = client.get(reverse("decisions:titre", args=[own.titre.pk])).content.decode()

    assert "Courriers adressés au service des étrangers" in page
    assert _href(own.information) in page
    # The notification is the person's, handed by the association: not the service's letter.
    assert _href(own.courrier) not in page
    # Another pathway's letter is on that pathway's permit page, not this one.
    assert _href(world.sides["a2"].information) not in page
    response = client.get(reverse("decisions:courrier", args=[own.information.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_permit_without_letter_says_so(world):
    own = world.sides["own"]
    own.information.delete()
    client = _client(world, "etrangers")

    page = client.get(reverse("decisions:titre", args=[own.titre.pk])).content.decode()

    assert "Aucun courrier n’a encore été adressé au service des étrangers pour ce parcours." in page


def test_the_secretariat_finds_the_letter_to_the_foreigners_service_under_the_pathway(world):
    own = world.sides["own"]
    client = _client(world, "secretariat")

    page = client.get(reverse("beneficiaires:detail", args=[own.parcours.beneficiaire_id])).content.decode()

    assert _href(own.information) in page
    assert client.get(reverse("decisions:courrier", args=[own.information.pk])).status_code == 200


def test_the_association_is_not_offered_the_prefecture_s_internal_letter(world):
    own = world.sides["own"]
    client = _client(world, "referent")

    page = client.get(reverse("beneficiaires:detail", args=[own.parcours.beneficiaire_id])).content.decode()

    assert _href(own.information) not in page
    assert "Courriers adressés au service des étrangers" not in page
    assert client.get(reverse("decisions:courrier", args=[own.information.pk])).status_code == 404


def test_the_foreigners_service_of_another_departement_reaches_neither_page_nor_letter(world):
    b = world.sides["b"]
    client = _client(world, "etrangers")

    assert client.get(reverse("decisions:titre", args=[b.titre.pk])).status_code == 404
    assert client.get(reverse("decisions:courrier", args=[b.information.pk])).status_code == 404
