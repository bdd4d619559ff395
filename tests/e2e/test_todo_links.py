"""The secretariat follows its home page's rows to the work: a filed dossier's completeness check, its
documents, the dossier's page, where the agent takes the dossier; the home page then lists it as theirs.
axe finds nothing that blocks a user on the way."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState, DocumentKind
from parcours.models import Demande
from tests.factories import (
    PASSWORD,
    DemandeFactory,
    DepartementFactory,
    DocumentFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.matrix_world import PDF, _private

pytestmark = pytest.mark.e2e


def _login(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(live_server.url + "/")


def _section(page, title):
    return page.locator("section").filter(has=page.get_by_role("heading", name=title))


def test_the_secretariat_follows_its_home_rows_to_a_dossier_and_its_documents(
    page, live_server, axe_check, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    departement = DepartementFactory()
    demande = DemandeFactory(
        departement=departement,
        complete=True,
        pieces=False,  # the documents are attached below
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=4),
    )
    for kind in (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT):
        DocumentFactory(
            demande=demande,
            kind=kind,
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            **_private("demandes"),
        )
    agent = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
        first_name="Claire",
        last_name="Vasseur",
    )
    reference = demande.beneficiaire.reference

    _login(page, live_server, agent)
    # A newcomer finds the dossier nobody handles yet, and the dossier to check.
    expect(
        _section(page, "Dossiers en cours non attribués").get_by_role("link", name=reference)
    ).to_be_visible()
    assert axe_check(page) == []
    _section(page, "Dossiers déposés à instruire").get_by_role("link", name=reference).click()

    expect(page).to_have_url(f"{live_server.url}/dossiers/{demande.pk}/instruction/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    assert axe_check(page) == []
    checklist = page.locator("section").filter(has=page.get_by_role("heading", name="Liste de contrôle"))
    with page.expect_download() as download:
        checklist.get_by_role("link", name="Pièce d’identité").click()
    assert download.value.suggested_filename.endswith(".pdf")
    attached = page.locator("#pieces-jointes").get_by_role("link")
    expect(attached).to_have_count(2)

    page.get_by_role("link", name="Ouvrir la page du dossier").click()
    expect(page).to_have_url(f"{live_server.url}/dossiers/{demande.pk}/")
    expect(page.locator("#personne")).to_contain_text(demande.beneficiaire.full_name)
    page.get_by_label("Agent du secrétariat qui instruit le dossier").select_option(label="Claire Vasseur")
    page.get_by_role("button", name="Attribuer le dossier").click()
    expect(page.get_by_text("Le dossier est attribué à Claire Vasseur.")).to_be_visible()
    assert axe_check(page) == []
    assert Demande.objects.get(pk=demande.pk).instructeur == agent

    page.goto(live_server.url + "/")
    expect(_section(page, "Mes dossiers en cours").get_by_role("link", name=reference)).to_be_visible()
    expect(
        _section(page, "Dossiers en cours non attribués").get_by_role("link", name=reference)
    ).to_have_count(0)
