"""Two-factor login, lockout after repeated failures, security headers."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission.enums import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_login(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def test_without_a_device_the_user_must_set_one_up_before_any_page(client, two_factor):
    user = UserFactory(roles=[Role.SECRETARIAT])
    _password_login(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "<svg" in page
    assert "Activer la double authentification" in page


def test_setup_confirmed_with_a_code_shows_recovery_codes_once(client, two_factor):
    user = UserFactory()
    _password_login(client, user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(
        reverse("two_factor_setup"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "Ce code ne correspond pas" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a failure; the test does not wait
    response = client.post(reverse("two_factor_setup"), {"token": _code(device)}, follow=True)
    page = response.content.decode()
    assert "Vos codes de secours" in page
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("two_factor_recovery_codes")).status_code == 302  # not shown twice
    assert client.get(reverse("home")).status_code == 200


def test_login_with_a_device_asks_for_the_code_then_reaches_home(client, two_factor):
    user = UserFactory(roles=[Role.SECRETARIAT])
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _password_login(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))
    bad = client.post(reverse("two_factor_verify"), {"token": "12345a"})
    assert "Code incorrect ou expiré" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(reverse("two_factor_verify"), {"token": _code(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once(client, two_factor):
    from commission import two_factor as tf

    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    code = tf.new_recovery_codes(user)[0]
    _password_login(client, user)
    assert client.post(reverse("two_factor_verify"), {"token": code}).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, user)
    again = client.post(reverse("two_factor_verify"), {"token": code})
    assert again.status_code == 200
    assert "Code incorrect" in again.content.decode()


def test_next_parameter_cannot_send_the_user_elsewhere(client, two_factor):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _password_login(client, user)
    response = client.post(
        reverse("two_factor_verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_account_is_locked_after_the_configured_failures(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(3):
        client.post(reverse("login"), {"username": user.email, "password": "mauvais-mot-de-passe"})
    locked = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Compte temporairement bloqué" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_carry_a_strict_content_security_policy_and_deny_frames(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_short_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="12 caractères"):
        validate_password("Court-1234")
