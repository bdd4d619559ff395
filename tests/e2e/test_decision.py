"""In the browser: the president authorises a pathway from an opinion, the letter appears on the dossier
and downloads as a PDF; the foreigners' service records the residence permit; the secretariat's page
of a session's letters follows the jobs without reloading."""

import io
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from commission.seances.enums import PointState
from parcours.enums import DecisionKind, ProductionState, TitreSejourState
from parcours.models import ProductionCourriers, TitreSejour
from parcours.workflow import demandes as workflow
from tests.factories import (
    PASSWORD,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    PointOrdreDuJourFactory,
    SeanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e


def _login(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def _staff(departement, kind, role, **kwargs):
    return UserFactory(
        organisation=OrganisationFactory(kind=kind, departement=departement), roles=[role], **kwargs
    )


def test_the_president_authorises_and_the_foreigners_service_records_the_permit(page, live_server, axe_check):
    departement = DepartementFactory()
    demande = DemandeFactory(departement=departement, avis_rendu=True)
    person = demande.beneficiaire
    president = _staff(departement, OrganisationKind.SECRETARIAT, Role.PRESIDENT, title="Préfète")
    service = _staff(departement, OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS)

    # The president finds the opinion awaiting a decision.
    _login(page, live_server, president)
    page.goto(live_server.url + "/decisions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Décisions à prendre")
    assert axe_check(page) == []
    page.get_by_role("link", name=f"Décider – dossier {person.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Décision sur le dossier {person.reference}")
    assert axe_check(page) == []

    # With the keyboard: choose « authorise », then submit from the last field.
    page.get_by_label("Autorisation d’engagement dans le parcours").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Autorisation d’engagement dans le parcours")).to_be_checked()
    title = page.get_by_label("Qualité du signataire")
    expect(title).to_have_value("Préfète")
    title.focus()
    page.keyboard.press("Enter")
    # Enter submits the form without confirming: the confirmation page says what will happen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer la décision ?")
    expect(page.get_by_text("Cette action ne peut pas être annulée.")).to_be_visible()
    page.get_by_role("button", name="Confirmer la décision").click()

    # The dossier shows the decision and its letters.
    expect(page).to_have_url(live_server.url + f"/dossiers/{demande.pk}/")
    expect(
        page.get_by_text("La décision « Autorisation d’engagement dans le parcours » est enregistrée.")
    ).to_be_visible()
    panel = page.locator("#decision")
    expect(panel.get_by_role("heading", name="Décision du préfet")).to_be_visible()
    link = panel.get_by_role("link", name="Notification de la décision à la personne")
    expect(link).to_be_visible()
    assert axe_check(page) == []
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith(f"notification-{person.reference}")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages).split())
    assert person.full_name in text
    assert "je vous autorise à vous engager dans le parcours" in text

    # The foreigners' service records the permit.
    page.get_by_role("button", name="Se déconnecter").click()
    _login(page, live_server, service)
    page.goto(live_server.url + "/autorisations-de-sejour/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Autorisations provisoires de séjour")
    assert axe_check(page) == []
    page.get_by_role("link", name=f"Enregistrer la délivrance – {person.reference}").click()
    assert axe_check(page) == []
    page.get_by_label("Numéro de l’autorisation").fill("3126543210")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("L’autorisation provisoire de séjour n° 3126543210 est enregistrée.")
    ).to_be_visible()
    expect(page.get_by_role("table").get_by_text("3126543210")).to_be_visible()
    titre = TitreSejour.objects.get(parcours__beneficiaire=person)
    assert titre.state == TitreSejourState.DELIVRE
    assert titre.valid_until == titre.parcours.current_term_end


def test_the_sessions_letters_page_follows_the_jobs_without_reloading(page, live_server, axe_check):
    departement = DepartementFactory()
    demande = DemandeFactory(departement=departement, avis_rendu=True)
    seance = SeanceFactory(commission=demande.commission)
    PointOrdreDuJourFactory(seance=seance, demande=demande, state=PointState.CLOS)
    president = _staff(departement, OrganisationKind.SECRETARIAT, Role.PRESIDENT)
    decision = workflow.decide(
        demande,
        kind=DecisionKind.REFUS,
        signataire=president,
        signataire_title="Préfète",
        decided_on=timezone.localdate(),
        motifs="Motif.",
    )
    job, _created = ProductionCourriers.objects.update_or_create(
        decision=decision, defaults={"state": ProductionState.EN_COURS, "attempts": 1}
    )
    secretariat = _staff(departement, OrganisationKind.SECRETARIAT, Role.SECRETARIAT)

    _login(page, live_server, secretariat)
    page.goto(live_server.url + f"/seances/{seance.pk}/courriers/")
    expect(page.get_by_text("0 / 1")).to_be_visible()
    expect(page.get_by_text("Production en cours")).to_be_visible()
    assert axe_check(page) == []
    # A worker finishes the job: the page shows it within a few seconds, without a reload.
    job.state = ProductionState.TERMINEE
    job.save(update_fields=["state"])
    marker = page.evaluate("() => (window.__notReloaded = true)")
    expect(page.get_by_text("1 / 1")).to_be_visible(timeout=8_000)
    expect(page.get_by_text("Production en cours")).to_have_count(0)
    assert marker is True and page.evaluate("() => window.__notReloaded") is True
    assert axe_check(page) == []
