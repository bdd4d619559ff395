"""Done when of issue 5: the secretariat opens a session and records attendance, two members vote in their
own browsers, the tally updates on the secretariat's screen without a reload, the item is closed and the
minutes PDF is downloaded; axe finds nothing that blocks a user on the pages visited."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from commission.seances import workflow as seances
from parcours.enums import DemandeState
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import (
    PASSWORD,
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    MandatFactory,
    OrganisationFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.e2e


def _login(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(live_server.url + "/")


def _convened_session():
    departement = DepartementFactory()
    commission = commission_for(departement)
    association = AssociationFactory(departement=departement)
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    members = [MandatFactory(commission=commission, is_president=(i == 0)) for i in range(3)]
    demande = DemandeFactory(
        departement=departement,
        association=association,
        complete=True,
        state=DemandeState.RECEVABLE,
        submitted_at=timezone.now(),
        admissible_at=timezone.now(),
    )
    # Held later today, convened ten days ago with due notice: a session opens on its day only.
    end_of_day = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(23, 59)))
    seance = seances.create_seance(
        commission=commission,
        starts_at=min(timezone.now() + datetime.timedelta(hours=1), end_of_day),
        place="Préfecture, salle 2",
    )
    point = seances.add_point(seance, demande=demande, user=secretariat)
    seances.convene(seance, user=secretariat, now=timezone.now() - datetime.timedelta(days=10))
    return secretariat, members, seance, point


def test_session_attendance_live_tally_closing_and_minutes(page, browser, live_server, axe_check):
    secretariat, members, seance, point = _convened_session()
    reference = point.demande.beneficiaire.reference

    # The strict Content-Security-Policy holds: htmx works without inline script or style.
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )

    # The secretariat opens the session page and records attendance.
    _login(page, live_server, secretariat)
    page.goto(f"{live_server.url}/seances/{seance.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Séance du")
    assert axe_check(page) == []
    page.get_by_role("link", name="Relever la présence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feuille de présence")
    assert axe_check(page) == []
    for mandat in members:
        page.get_by_label(f"Présence de {mandat.user.get_full_name()}").select_option("present")
    page.get_by_role("button", name="Enregistrer la feuille de présence").click()
    expect(page.get_by_text("La feuille de présence est enregistrée")).to_be_visible()
    expect(page.get_by_role("heading", name="Le quorum est atteint")).to_be_visible()
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer l’ouverture").click()
    expect(page.get_by_text("La séance est ouverte")).to_be_visible()
    assert axe_check(page) == []

    # The secretariat's screen of the item, left open while the members vote.
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"dossier {reference}")
    tally = page.locator("#decompte")
    expect(tally).to_contain_text("Votes exprimés : 0 sur 3 sièges pouvant voter")
    assert axe_check(page) == []
    page.evaluate("window.sansRechargement = true")

    contexts = []
    try:
        for mandat, choice, expected in ((members[1], "Favorable", 1), (members[2], "Favorable", 2)):
            context = browser.new_context(
                base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris"
            )
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            member = context.new_page()
            _login(member, live_server, mandat.user)
            member.goto(f"{live_server.url}/seances/{seance.pk}/points/{point.pk}/")
            expect(member.get_by_role("heading", level=1)).to_contain_text(reference)
            expect(member.get_by_text(point.demande.beneficiaire.last_name)).to_have_count(0)
            assert axe_check(member) == []
            # DSFR draws the radio on its label, which takes the click (as it does for a user).
            member.locator("label", has_text=choice).filter(has_not_text="Dé").click()
            expect(member.get_by_role("radio", name=choice, exact=True)).to_be_checked()
            member.get_by_label("Commentaire").fill("Projet cohérent.")
            member.get_by_role("button", name="Enregistrer le vote").click()
            expect(member.get_by_text("Votre vote « Favorable » est enregistré.")).to_be_visible()
            expect(member.get_by_text("Vote actuel : Favorable")).to_be_visible()
            assert axe_check(member) == []
            # The secretariat's screen follows without being reloaded.
            expect(page.locator("#decompte-favorable")).to_have_text(f"Favorable : {expected}")
            expect(tally).to_contain_text(f"Votes exprimés : {expected} sur 3 sièges pouvant voter")
    finally:
        for context in contexts:
            context.close()
    assert page.evaluate("window.sansRechargement") is True

    # The secretariat closes the item, then the session, and downloads the minutes.
    page.get_by_role("button", name="Clore le vote").click()
    # The president has not voted: the page names the seat and asks for confirmation.
    expect(page.get_by_text(members[0].user.get_full_name(), exact=False).first).to_be_visible()
    page.get_by_role("button", name="Confirmer la clôture et rendre l’avis").click()
    expect(
        page.get_by_text("Le point est clos : avis favorable (2 pour, 0 contre, 0 abstention(s)).")
    ).to_be_visible()
    page.get_by_role("link", name="Retour à la séance").click()
    page.get_by_role("button", name="Clore la séance").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer la clôture de la séance").click()
    expect(page.get_by_text("La séance est close.")).to_be_visible()
    assert axe_check(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le procès-verbal").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert refused == []
