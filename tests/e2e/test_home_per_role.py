"""Each role logs in through the browser, reaches its home page, and axe finds nothing that blocks a user."""

import pytest
from playwright.sync_api import expect

from commission.enums import OrganisationKind, Role
from tests.factories import PASSWORD, AssociationFactory, DepartementFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.e2e

# role → (kind of organisation, a heading the home page shows for that role)
ROLES = {
    Role.REFERENT: (None, "Dossiers en préparation"),
    Role.SECRETARIAT: (OrganisationKind.SECRETARIAT, "Dossiers déposés à instruire"),
    Role.MEMBRE: (OrganisationKind.SERVICE_ETAT, "Prochaines séances"),
    Role.PRESIDENT: (OrganisationKind.SECRETARIAT, "Avis rendus en attente de décision"),
    Role.ETRANGERS: (OrganisationKind.SERVICE_ETRANGERS, "Autorisations provisoires de séjour à délivrer"),
    Role.ADMINISTRATEUR: (OrganisationKind.SERVICE_ETAT, "Agréments d’associations arrivant à échéance"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_and_sees_its_home_page_without_blocking_accessibility_issue(
    page, live_server, axe_check, role
):
    departement = DepartementFactory()
    kind, heading = ROLES[role]
    organisation = (
        AssociationFactory(departement=departement)
        if kind is None
        else OrganisationFactory(kind=kind, departement=departement)
    )
    user = UserFactory(organisation=organisation, roles=[role])

    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/connexion/?next=/")
    assert axe_check(page) == []

    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert axe_check(page) == []


def test_keyboard_user_reaches_the_content_through_the_skip_link(page, live_server):
    # The login page puts the focus in the e-mail field; the reset page starts at the top like others.
    page.goto(live_server.url + "/mot-de-passe/oubli/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/mot-de-passe/oubli/#contenu")
