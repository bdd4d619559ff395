"""The report in the browser: the secretariat chooses a period with the keyboard, reads charts with
their tables, and downloads the CSV; axe finds nothing that blocks a user on the page."""

import datetime

import pytest
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from parcours.enums import AvisChoice, DecisionKind
from tests.factories import (
    PASSWORD,
    CommissionFactory,
    DecisionFactory,
    DemandeFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e


def test_secretariat_reads_and_downloads_the_report(page, live_server, axe_check):
    commission = CommissionFactory()
    for index in range(6):
        demande = DemandeFactory(
            commission=commission,
            avis_rendu=True,
            avis_commission=AvisChoice.FAVORABLE if index else AvisChoice.DEFAVORABLE,
            avis_commission_on=datetime.date(2025, 6, 10),
        )
        if index:
            DecisionFactory(
                demande=demande, kind=DecisionKind.AUTORISATION, decided_on=datetime.date(2025, 6, 18)
            )
    secretariat = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SECRETARIAT, departement=commission.departement
        ),
        roles=[Role.SECRETARIAT],
    )
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(secretariat.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + "/bilan/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bilan du parcours de sortie de la prostitution"
    )
    page.get_by_role("textbox", name="Du").fill("2025-01-01")
    page.get_by_role("textbox", name="Au").fill("2025-12-31")
    page.get_by_role("textbox", name="Au").press("Enter")

    expect(page.get_by_role("img", name="Demandes d’engagement dans le parcours")).to_be_visible()
    table = page.get_by_role("table", name="Tableau : Demandes d’engagement dans le parcours")
    expect(table.get_by_role("row", name="Autorisées par le préfet")).to_contain_text("5")
    assert axe_check(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-20250101-20251231.csv")
    content = download.path().read_text(encoding="utf-8-sig")
    assert "Demandes d’engagement dans le parcours;Examinées par la commission;Nombre;6" in content
    assert "Demandes d’engagement dans le parcours;Refusées par le préfet;Nombre;0" in content
