"""Two colleagues in their own browsers: the second save of a person's record, over the first one's
change, is refused and keeps what was typed; a message sent again with Back is written once."""

import datetime

import pytest
from playwright.sync_api import expect

from beneficiaires.models import Beneficiaire
from commission.enums import Role
from parcours.enums import DemandeState
from parcours.models import Message
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_dossier_journey import _label, _login
from tests.factories import AssociationFactory, BeneficiaireFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_two_colleagues_edit_one_person(page, other_page):
    association = AssociationFactory()
    alice = UserFactory(
        organisation=association, roles=[Role.REFERENT], first_name="Alice", last_name="Martin"
    )
    bruno = UserFactory(
        organisation=association, roles=[Role.REFERENT], first_name="Bruno", last_name="Petit"
    )
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    edit = f"/personnes/{person.pk}/modifier/"
    _login(page, alice)
    _login(other_page, bruno)
    page.goto(edit)
    other_page.goto(edit)

    page.get_by_label(_label("Téléphone")).fill("01 02 03 04 05")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les informations de la personne sont enregistrées.")).to_be_visible()

    address = other_page.get_by_label(_label("Adresse ou domiciliation"))
    address.fill("12 rue des Lilas")
    other_page.get_by_role("button", name="Enregistrer").click()
    expect(other_page.get_by_text("Alice Martin a modifié cette fiche le")).to_be_visible()
    expect(address).to_have_value("12 rue des Lilas")
    person.refresh_from_db()
    assert person.address != "12 rue des Lilas" and person.phone == "01 02 03 04 05"

    other_page.get_by_role("button", name="Enregistrer").click()
    expect(other_page.get_by_text("Les informations de la personne sont enregistrées.")).to_be_visible()
    assert Beneficiaire.objects.get(pk=person.pk).address == "12 rue des Lilas"


def test_a_message_sent_again_is_written_once(page):
    association = AssociationFactory()
    caseworker = UserFactory(organisation=association, roles=[Role.REFERENT])
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2),
    )
    _login(page, caseworker)
    page.goto(f"/dossiers/{demande.pk}/")
    form = page.locator("#fil-echanges form")
    form.locator("textarea").fill("Le rendez-vous est confirmé.")
    # What the browser sends again after Back or a second click: the very same form.
    sent = form.evaluate("form => Object.fromEntries(new FormData(form))")
    assert sent["form_token"]
    form.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Le rendez-vous est confirmé.").first).to_be_visible()

    again = page.request.post(
        f"/dossiers/{demande.pk}/messages/", form=sent, headers={"Referer": page.url}, max_redirects=0
    )
    assert again.status == 302
    # Led back to the thread; the unit tests (tests/test_double_post.py) check the message that says so.
    assert again.headers["location"].startswith(f"/dossiers/{demande.pk}/")
    assert Message.objects.filter(demande=demande).count() == 1
