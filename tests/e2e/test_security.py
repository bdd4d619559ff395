"""In the browser: login with a TOTP code, and lockout after the configured failures."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from commission.enums import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def _fill_login(page, email, password):
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_login_with_password_then_totp_code(page, live_server, settings, axe_check):
    settings.TWO_FACTOR_REQUIRED = True
    user = UserFactory(roles=[Role.SECRETARIAT])
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)

    page.goto(live_server.url + "/connexion/")
    _fill_login(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")
    assert axe_check(page) == []
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.get_by_label("Code à 6 chiffres").fill(code)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def test_account_locked_after_the_configured_failures(page, live_server, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    page.goto(live_server.url + "/connexion/")
    for _ in range(2):
        _fill_login(page, user.email, "pas-le-bon-mot-de-passe")
        expect(page.get_by_text("Adresse électronique ou mot de passe incorrect")).to_be_visible()
    _fill_login(page, user.email, "pas-le-bon-mot-de-passe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte temporairement bloqué")
    # Even the right password is refused now.
    page.goto(live_server.url + "/connexion/")
    _fill_login(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte temporairement bloqué")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/connexion/?next=/")
