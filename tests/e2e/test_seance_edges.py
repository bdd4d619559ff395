"""Issue 16, in a browser: a session convened for a later date cannot be opened today; rescheduled to
today with urgency (after a confirmation step), it is held, and the item is decided the same day."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from commission.seances import workflow as seances
from commission.seances.models import SeanceEvenement
from parcours.enums import DemandeState
from parcours.models import Demande
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


def _session_in_eight_days():
    departement = DepartementFactory()
    commission = commission_for(departement)
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    members = [MandatFactory(commission=commission, is_president=(i == 0)) for i in range(3)]
    demande = DemandeFactory(
        departement=departement,
        association=AssociationFactory(departement=departement),
        complete=True,
        state=DemandeState.RECEVABLE,
        submitted_at=timezone.now(),
        admissible_at=timezone.now(),
    )
    seance = seances.create_seance(
        commission=commission,
        starts_at=timezone.now() + datetime.timedelta(days=8),
        place="Préfecture, salle 2",
    )
    point = seances.add_point(seance, demande=demande, user=secretariat)
    seances.convene(seance, user=secretariat)
    return secretariat, members, seance, point


def test_a_later_session_rescheduled_to_today_with_urgency_is_held_and_decides_the_same_day(
    page, live_server, axe_check
):
    secretariat, members, seance, point = _session_in_eight_days()
    _login(page, live_server, secretariat)
    page.goto(f"{live_server.url}/seances/{seance.pk}/")

    # Not today: the page says why and offers the way out.
    expect(page.get_by_text("elle ne peut être ouverte que ce jour-là")).to_be_visible()
    expect(page.get_by_role("button", name="Ouvrir la séance")).to_have_count(0)
    assert axe_check(page) == []
    page.get_by_role("link", name="Reporter la séance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporter la séance")
    assert axe_check(page) == []

    # Rescheduled to later today: the five days' notice cannot be kept, so urgency is declared.
    later = timezone.localtime() + datetime.timedelta(hours=1)
    if later.date() != timezone.localdate():
        later = timezone.localtime().replace(hour=23, minute=59)
    page.get_by_label("Date de la séance").fill(later.date().isoformat())
    page.get_by_label("Heure").fill(later.strftime("%H:%M"))
    page.get_by_label("Motif du report").fill("Titre de séjour expirant : dossier à examiner sans délai.")
    page.get_by_role("button", name="Vérifier le report").click()
    expect(page.get_by_text("Confirmez-vous ?")).to_be_visible()
    page.get_by_role("button", name="Confirmer le report").click()
    # Without urgency the convocation's notice refuses it, and what was typed is kept.
    expect(page.get_by_text("au moins 5 jours avant la séance")).to_be_visible()
    expect(page.get_by_label("Motif du report")).to_have_value(
        "Titre de séjour expirant : dossier à examiner sans délai."
    )
    page.locator("label", has_text="Séance convoquée en urgence").click()
    page.get_by_label("Motif de l’urgence").fill("Titre de séjour expirant dans trois jours.")
    page.get_by_role("button", name="Vérifier le report").click()
    expect(page.get_by_text("la convocation leur est envoyée de nouveau")).to_be_visible()
    assert axe_check(page) == []
    page.get_by_role("button", name="Confirmer le report").click()
    expect(page.get_by_text("La séance est reportée")).to_be_visible()
    assert SeanceEvenement.objects.filter(seance=seance, transition="reschedule").count() == 1

    # Held today: attendance, opening, the item decided by show of hands.
    page.get_by_role("link", name="Relever la présence").click()
    for mandat in members:
        page.get_by_label(f"Présence de {mandat.user.get_full_name()}").select_option("present")
    page.get_by_role("button", name="Enregistrer la feuille de présence").click()
    expect(page.get_by_text("La feuille de présence est enregistrée")).to_be_visible()
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer l’ouverture").click()
    expect(page.get_by_text("La séance est ouverte")).to_be_visible()
    page.get_by_role("link", name=point.demande.beneficiaire.reference).click()
    page.locator("#id_main-levee-favorable").fill("3")
    page.get_by_role("button", name="Enregistrer le décompte à main levée").click()
    expect(
        page.get_by_text("Le point est clos : avis favorable (3 pour, 0 contre, 0 abstention(s)).")
    ).to_be_visible()

    demande = Demande.objects.get(pk=point.demande_id)
    assert demande.state == DemandeState.AVIS_RENDU
    assert demande.avis_commission_on == timezone.localdate()
