"""The secretariat checks a dossier in the browser, asks for a complement, and the caseworker answers in the
thread; axe finds nothing that blocks a user on these pages, errors included."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState, DocumentKind
from tests.factories import (
    PASSWORD,
    DemandeFactory,
    DepartementFactory,
    DocumentFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e


def _login(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(live_server.url + "/")


def test_secretariat_asks_for_a_complement_and_the_caseworker_answers(page, live_server, axe_check):
    departement = DepartementFactory()
    demande = DemandeFactory(
        departement=departement,
        complete=True,
        pieces=False,  # the documents are attached below
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=20),
    )
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)  # the signed commitment is missing
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    reference = demande.beneficiaire.reference

    _login(page, live_server, secretariat)
    page.goto(live_server.url + "/instruction/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers déposés à instruire")
    assert axe_check(page) == []
    page.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_text("Manquant :")).to_have_count(1)
    assert axe_check(page) == []

    page.get_by_role("button", name="Demander un complément").click()
    expect(page.get_by_text("Précisez dans le message ce qui manque au dossier")).to_be_visible()
    assert axe_check(page) == []
    page.get_by_label("Message à l’association").fill("Joignez l’engagement signé par la personne.")
    page.get_by_role("button", name="Demander un complément").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers déposés à instruire")
    expect(page.get_by_text(f"La demande de complément du dossier {reference}")).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    _login(page, live_server, demande.referent)
    page.goto(f"{live_server.url}/dossiers/{demande.pk}/")
    thread = page.locator("#fil-echanges")
    expect(thread.get_by_text("Joignez l’engagement signé par la personne.")).to_be_visible()
    expect(thread.get_by_text("Demande de complément")).to_be_visible()
    thread.get_by_label("Nouveau message").fill("L’engagement signé sera joint demain.")
    thread.get_by_role("button", name="Envoyer le message").click()
    expect(page).to_have_url(f"{live_server.url}/dossiers/{demande.pk}/#fil-echanges")
    expect(thread.get_by_text("L’engagement signé sera joint demain.")).to_be_visible()
    assert axe_check(page, context="#fil-echanges") == []
