"""The whole first journey of a dossier in the browser, through the real pages only: a caseworker records
a new person, prepares the application step by step, attaches the two documents and files it; the
secretariat asks for a complement; the caseworker completes the dossier and files it again; the
secretariat declares it admissible. axe finds nothing that blocks a user on the pages along the way."""

import datetime
import re

import pytest
from playwright.sync_api import expect
from weasyprint import HTML

from commission.enums import OrganisationKind, Role
from parcours.enums import Axe, DemandeState, DocumentKind, MessageKind
from parcours.models import Demande
from tests.factories import (
    PASSWORD,
    AssociationFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.e2e

LAST_NAME = "Okonkwo-Testa"  # fictional person
COMPLEMENT = "La date de signature de l’engagement ne correspond pas à la pièce : vérifiez-la."
RESUBMISSION = "La date de l’engagement est corrigée d’après la pièce signée."
PROJET = {
    Axe.SECURITE_LOGEMENT: "Quitter l’hébergement d’urgence pour un logement temporaire.",
    Axe.SANTE: "Ouvrir les droits à l’assurance maladie, déclarer un médecin traitant.",
    Axe.ACCES_DROITS: "Obtenir l’autorisation provisoire de séjour, ouvrir un compte bancaire.",
    Axe.LANGUE_FORMATION: "Atteindre le niveau A2 en français.",
    Axe.EMPLOI: "Construire un projet professionnel dans la restauration collective.",
}


def _iso(days_ago):
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def _login(page, user):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def _logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


def _menu(page, name):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name, exact=True).click()


def _label(text):
    """A field by the start of its label: labels also hold « Obligatoire » and the help text, and Playwright
    matches a pattern against their text as written in the template, line breaks and indentation included."""
    return re.compile(r"^\s*" + r"\s+".join(map(re.escape, text.split())))


def test_a_dossier_goes_from_a_new_person_to_admissible_through_a_complement(
    page, axe_check, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    departement = DepartementFactory()
    commission_for(departement)
    caseworker = UserFactory(organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT])
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    pdfs = {}
    for kind in (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT):
        pdfs[kind] = tmp_path / f"{kind}.pdf"
        HTML(string=f"<p>{kind.label} — pièce de test</p>").write_pdf(pdfs[kind])

    def no_blocking_issue():
        assert axe_check(page) == []

    # The caseworker records the person.
    _login(page, caseworker)
    _menu(page, "Personnes accompagnées")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnes accompagnées")
    page.get_by_role("link", name="Nouvelle personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    no_blocking_issue()
    page.get_by_label(_label("Nom Obligatoire")).fill(LAST_NAME)
    page.get_by_label(_label("Prénoms")).fill("Blessing Adaeze")
    page.get_by_label(_label("Sexe")).select_option(label="Féminin")
    page.get_by_label(_label("Date de naissance")).fill("1996-04-12")
    page.get_by_label(_label("Lieu de naissance")).fill("Benin City (Nigeria)")
    page.get_by_label(_label("Nationalité")).select_option("NG")
    page.get_by_label(_label("Langues parlées")).fill("anglais, pidgin")
    page.get_by_label(_label("Téléphone")).fill("06 00 00 00 00")
    page.get_by_label(_label("Adresse ou domiciliation")).fill("Domiciliée à l’association")
    page.get_by_label(_label("Situation familiale")).select_option(label="Célibataire")
    page.get_by_label(_label("Enfants à charge")).fill("0")
    page.get_by_label(_label("Personnes au foyer")).fill("1")
    page.get_by_label(_label("Logement")).select_option(label="Hébergement d’urgence")
    page.get_by_label(_label("Nature des ressources")).select_option(label="Aucune ressource")
    page.get_by_label(_label("Ressources mensuelles du foyer")).fill("0")
    page.get_by_label(_label("Date à laquelle la personne a choisi l’association")).fill(_iso(30))
    page.get_by_label(_label("Consentement au traitement de ses données")).fill(_iso(30))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{LAST_NAME.upper()} Blessing Adaeze")

    # The guided application, step by step.
    page.get_by_role("button", name="Préparer une demande").click()
    expect(page.get_by_text("Le brouillon de la demande est créé.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Situation de la personne"))).to_be_visible()
    reference = re.search(r"PSP-\S+", page.get_by_role("heading", level=1).inner_text()).group()
    no_blocking_issue()
    page.get_by_label(_label("Situation professionnelle")).select_option(label="En formation")
    page.get_by_label(_label("Logement")).select_option(label="Hébergement d’urgence")
    page.get_by_label(_label("Formation suivie")).fill("Cours de français, 12 heures par semaine.")
    page.get_by_label(_label("Ressources du foyer")).fill("0")
    page.get_by_label(_label("Perçoit ou peut prétendre au RSA")).select_option(label="Non")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", name=re.compile("Projet d’insertion"))).to_be_visible()
    for axe, objectives in PROJET.items():
        group = page.get_by_role("group", name=str(axe.label))
        group.get_by_label(_label("Objectifs")).fill(objectives)
        group.get_by_label(_label("Actions engagées")).fill("Accompagnement hebdomadaire par la référente.")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", name=re.compile("Engagement et évaluation"))).to_be_visible()
    page.get_by_label(_label("Engagement à cesser la prostitution signé le")).fill(_iso(12))
    page.get_by_label(_label("Évaluation de l’association")).fill(
        "Personne motivée, présente à chaque rendez-vous."
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", name=re.compile("Avis de l’association"))).to_be_visible()
    page.get_by_label(_label("Avis de l’association")).select_option(label="Favorable")
    page.get_by_label(_label("Motifs de l’avis")).fill("Les engagements sont tenus depuis trois mois.")
    page.get_by_role("button", name="Enregistrer et revenir au dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {reference}")
    dossier_url = page.url

    # The two documents, then the filing.
    for kind, path in pdfs.items():
        page.get_by_role("link", name="Ajouter une pièce").click()
        page.get_by_label(_label("Type de pièce")).select_option(label=str(kind.label))
        page.get_by_label(_label("Fichier")).set_input_files(path)
        page.get_by_role("button", name="Ajouter la pièce").click()
        expect(page.get_by_text(f"La pièce « {kind.label} » est ajoutée au dossier.")).to_be_visible()
    expect(page.get_by_text("Le dossier est complet")).to_be_visible()
    no_blocking_issue()
    page.get_by_role("button", name="Déposer le dossier", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer le dépôt").click()
    expect(page.get_by_text("Le dossier est déposé")).to_be_visible()
    _logout(page)

    # The secretariat asks for a complement.
    _login(page, secretariat)
    _menu(page, "Dossiers à instruire")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Instruction du dossier {reference}")
    expect(page.get_by_text("Manquant :")).to_have_count(0)
    expect(page.get_by_role("button", name="Déclarer le dossier recevable")).to_be_visible()
    no_blocking_issue()
    page.get_by_label(_label("Message à l’association")).fill(COMPLEMENT)
    page.get_by_role("button", name="Demander un complément").click()
    expect(page.get_by_text(f"La demande de complément du dossier {reference}")).to_be_visible()
    _logout(page)

    # The caseworker reads the request, corrects the commitment step and files the dossier again.
    _login(page, caseworker)
    _menu(page, "Personnes accompagnées")
    page.get_by_role("link", name=f"{LAST_NAME.upper()} Blessing Adaeze").click()
    page.get_by_role("link", name="Demande initiale").click()
    expect(page).to_have_url(dossier_url)
    thread = page.locator("#fil-echanges")
    expect(thread.get_by_text(COMPLEMENT)).to_be_visible()
    expect(thread.get_by_text("Demande de complément")).to_be_visible()
    page.get_by_role("link", name="Engagement et évaluation de l’association").click()
    corrected_on = datetime.date.today() - datetime.timedelta(days=10)
    page.get_by_label(_label("Engagement à cesser la prostitution signé le")).fill(corrected_on.isoformat())
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    page.get_by_role("link", name=f"Retour au dossier {reference}").click()
    page.get_by_label(_label("Message au secrétariat")).fill(RESUBMISSION)
    page.get_by_role("button", name="Déposer le dossier complété").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer le dépôt").click()
    expect(page.get_by_text("Le dossier complété est de nouveau déposé")).to_be_visible()
    expect(thread.get_by_text(RESUBMISSION)).to_be_visible()
    _logout(page)

    # The secretariat declares it admissible.
    _login(page, secretariat)
    _menu(page, "Dossiers à instruire")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#fil-echanges").get_by_text(RESUBMISSION)).to_be_visible()
    page.get_by_role("button", name="Déclarer le dossier recevable").click()
    expect(page.get_by_text(f"Le dossier {reference} est déclaré recevable")).to_be_visible()

    demande = Demande.objects.get(beneficiaire__reference=reference)
    assert demande.state == DemandeState.RECEVABLE
    assert list(demande.evenements.order_by("at", "pk").values_list("transition", flat=True)) == [
        "create",
        "record_association_avis",  # the association's opinion is an act of the dossier's history
        "submit",
        "request_complement",
        "resubmit",
        "mark_admissible",
    ]
    assert sorted(demande.documents.values_list("kind", flat=True)) == sorted(
        [DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT]
    )
    assert list(demande.messages.order_by("created_at", "pk").values_list("kind", "body")) == [
        (MessageKind.COMPLEMENT, COMPLEMENT),
        (MessageKind.RESUBMISSION, RESUBMISSION),
    ]
    assert demande.engagement_signed_on == corrected_on
