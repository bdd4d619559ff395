"""Issue 17, point 3, in a browser: convening the members (an action that cannot be undone) asks first.
With DSFR's script, a modal opened from the keyboard says what will happen and to whom, Escape closes it
without a change, and its button convenes; without JavaScript, the same button leads to a confirmation
page with the same text. No inline script: the Content-Security-Policy refuses nothing."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from commission.seances import workflow as seances
from commission.seances.enums import SeanceState
from commission.seances.models import Convocation, Seance
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

TEXT = "Les 3 membres convoqués recevront un courriel de convocation avec l’ordre du jour (2 dossiers)."


def _login(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(live_server.url + "/")


def _prepared_session():
    """A session in ten days, two items on its agenda, three members to convene, not convened yet."""
    departement = DepartementFactory()
    commission = commission_for(departement)
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    for i in range(3):
        MandatFactory(commission=commission, is_president=(i == 0))
    association = AssociationFactory(departement=departement)
    seance = seances.create_seance(
        commission=commission,
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="Préfecture, salle 2",
    )
    for _i in range(2):
        demande = DemandeFactory(
            departement=departement,
            association=association,
            complete=True,
            state=DemandeState.RECEVABLE,
            submitted_at=timezone.now(),
            admissible_at=timezone.now(),
        )
        seances.add_point(seance, demande=demande, user=secretariat)
    return secretariat, seance


def test_convening_asks_in_a_modal_opened_from_the_keyboard_then_convenes(page, live_server, axe_check):
    secretariat, seance = _prepared_session()
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    _login(page, live_server, secretariat)
    page.goto(f"{live_server.url}/seances/{seance.pk}/")

    # From the keyboard: the button opens the modal, which takes the focus and says what will happen.
    button = page.get_by_role("button", name="Convoquer les membres")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Convoquer les membres ?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text(TEXT)).to_be_visible()
    expect(dialog.get_by_text("Cette action ne peut pas être annulée.")).to_be_visible()
    page.wait_for_function(
        "document.getElementById('confirmer-convocation').contains(document.activeElement)",
        timeout=TIMEOUT_MS,
    )
    # DSFR fades the modal in: axe measures contrast once it is fully opaque, as a user reads it.
    expect(page.locator("#confirmer-convocation")).to_have_css("opacity", "1")
    assert axe_check(page) == []

    # Escape closes it, the focus comes back to the button, nothing is sent.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    assert not Convocation.objects.exists()

    # Opened again, its confirming button convenes.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    confirm = dialog.get_by_role("button", name="Confirmer l’envoi de la convocation")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("La convocation est envoyée à 3 membres")).to_be_visible()
    assert Seance.objects.get(pk=seance.pk).state == SeanceState.CONVOQUEE
    assert Convocation.objects.filter(seance=seance).count() == 3
    assert refused == []


def test_without_javascript_the_same_button_leads_to_a_confirmation_page(
    browser, live_server, django_db_serialized_rollback
):
    # Its own context, scripts off (the `page` fixture's has them on); same database handling.
    secretariat, seance = _prepared_session()
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _login(page, live_server, secretariat)
        page.goto(f"{live_server.url}/seances/{seance.pk}/")
        page.get_by_role("button", name="Convoquer les membres").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Convoquer les membres ?")
        expect(page.get_by_text(TEXT)).to_be_visible()
        assert not Convocation.objects.exists()
        page.get_by_role("button", name="Confirmer l’envoi de la convocation").click()
        expect(page.get_by_text("La convocation est envoyée à 3 membres")).to_be_visible()
        assert Convocation.objects.filter(seance=seance).count() == 3
    finally:
        context.close()
