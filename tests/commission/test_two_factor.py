"""Two-factor login, lockout after repeated failures, security headers."""

import importlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission.enums import Role
from commission.models import RecoveryCodeDevice
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_login(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def _enrol_link(mailoutbox):
    """The enrolment link of the last e-mail sent."""
    match = re.search(r"https?://\S+/securite/activation/(\S+)/", mailoutbox[-1].body)
    assert match, mailoutbox[-1].body
    return reverse("two_factor_enrol", kwargs={"token": match.group(1)})


def test_without_a_device_the_user_is_told_to_use_the_emailed_link(client, two_factor):
    user = UserFactory(roles=[Role.SECRETARIAT])
    _password_login(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    page = client.get(reverse("two_factor_setup")).content.decode()
    # The password alone shows no QR code nor secret: the e-mailed link is required.
    assert "<svg" not in page
    assert "lien personnel envoyé par courriel" in page
    assert not TOTPDevice.objects.filter(user=user).exists()
    refused = client.post(reverse("two_factor_setup"), {"token": "123456"})
    assert "<svg" not in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_setup_through_the_emailed_link_shows_recovery_codes_once(
    client, two_factor, mailoutbox, django_capture_on_commit_callbacks
):
    from commission import two_factor as tf

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tf.send_enrolment_link(user)
    assert mailoutbox[-1].to == [user.email]
    _password_login(client, user)
    assert client.get(_enrol_link(mailoutbox))["Location"] == reverse("two_factor_setup")
    assert "<svg" in client.get(reverse("two_factor_setup")).content.decode()
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


def test_the_enrolment_link_works_once(client, two_factor, mailoutbox, django_capture_on_commit_callbacks):
    from commission import two_factor as tf

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tf.send_enrolment_link(user)
    link = _enrol_link(mailoutbox)
    _password_login(client, user)
    assert client.get(link).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, user)
    again = client.get(link)
    assert again.status_code == 200
    assert "Lien d’activation non valable" in again.content.decode()
    assert "<svg" not in client.get(reverse("two_factor_setup")).content.decode()


def test_the_enrolment_link_expires(
    client, two_factor, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from commission import two_factor as tf
    from commission.models import EnrolmentLink

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tf.send_enrolment_link(user)
    EnrolmentLink.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(hours=settings.TWO_FACTOR_ENROLMENT_LINK_HOURS, minutes=1)
    )
    _password_login(client, user)
    expired = client.get(_enrol_link(mailoutbox))
    assert "Lien d’activation non valable" in expired.content.decode()
    assert "<svg" not in client.get(reverse("two_factor_setup")).content.decode()


def test_someone_elses_enrolment_link_opens_nothing_and_stays_valid(
    client, two_factor, mailoutbox, django_capture_on_commit_callbacks
):
    from commission import two_factor as tf

    owner, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tf.send_enrolment_link(owner)
    link = _enrol_link(mailoutbox)
    _password_login(client, other)
    assert "Lien d’activation non valable" in client.get(link).content.decode()
    client.post(reverse("logout"))
    _password_login(client, owner)
    assert client.get(link)["Location"] == reverse("two_factor_setup")


def test_a_new_link_replaces_the_previous_one(
    client, two_factor, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    _password_login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_send_link"))
    first = _enrol_link(mailoutbox)
    assert mailoutbox[-1].to == [user.email]
    # A second request within minutes sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_send_link"))
    assert len(mailoutbox) == 1
    from commission import two_factor as tf

    with django_capture_on_commit_callbacks(execute=True):
        tf.send_enrolment_link(user)
    assert "Lien d’activation non valable" in client.get(first).content.decode()
    assert client.get(_enrol_link(mailoutbox))["Location"] == reverse("two_factor_setup")


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


def test_recovery_codes_are_stored_as_digests_only(client, two_factor):
    from commission import two_factor as tf
    from commission.models import RecoveryCode

    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    codes = tf.new_recovery_codes(user)
    stored = " ".join(f"{c.salt} {c.digest}" for c in RecoveryCode.objects.filter(device__user=user))
    assert RecoveryCode.objects.filter(device__user=user).count() == len(codes)
    for code in codes:
        bare = code.replace("-", "")
        assert bare not in stored
        assert code not in stored
    assert not StaticToken.objects.exists()
    # Typed with spaces or in capitals, a code still works.
    _password_login(client, user)
    typed = codes[3].upper().replace("-", " ")
    assert client.post(reverse("two_factor_verify"), {"token": typed}).status_code == 302
    assert client.get(reverse("home")).status_code == 200  # the session is verified by that device
    assert RecoveryCode.objects.filter(device__user=user).count() == len(codes) - 1


def test_codes_stored_in_clear_are_migrated_to_digests_and_still_work_once(client, two_factor):
    from django.apps import apps

    from commission.models import RecoveryCode, RecoveryCodeDevice

    migration = importlib.import_module("commission.migrations.0010_hashed_recovery_codes")
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery")
    StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in ("abcdefgh", "ijklmnop"))
    migration.hash_clear_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert not StaticDevice.objects.exists()
    assert RecoveryCodeDevice.objects.get(user=user).codes.count() == 2
    assert not RecoveryCode.objects.filter(digest__contains="abcdefgh").exists()
    _password_login(client, user)
    assert client.post(reverse("two_factor_verify"), {"token": "abcdefgh"}).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, user)
    assert client.post(reverse("two_factor_verify"), {"token": "abcdefgh"}).status_code == 200


def test_a_throttled_device_says_how_long_to_wait_instead_of_wrong_code(client, two_factor):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _password_login(client, user)
    wrong = "000000" if _code(device) != "000000" else "111111"
    first = client.post(reverse("two_factor_verify"), {"token": wrong}).content.decode()
    assert "Code incorrect ou expiré" in first
    # Five failures in a row: django-otp asks for 16 seconds before the next try.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    device.refresh_from_db()
    throttled = client.post(reverse("two_factor_verify"), {"token": _code(device)}).content.decode()
    assert "Trop de codes incorrects" in throttled
    assert "attendez 16 secondes" in throttled or "attendez 15 secondes" in throttled
    assert "Code incorrect ou expiré" not in throttled
    assert client.get(reverse("home")).status_code == 302  # even the right code waits
    device.throttle_reset()
    assert client.post(reverse("two_factor_verify"), {"token": _code(device)}).status_code == 302


def test_an_admin_reset_deletes_the_devices_and_emails_a_new_link(
    client, two_factor, mailoutbox, django_capture_on_commit_callbacks
):
    from commission import two_factor as tf

    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    tf.new_recovery_codes(user)
    with django_capture_on_commit_callbacks(execute=True):
        tf.reset(user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    assert mailoutbox[-1].to == [user.email]
    _password_login(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))
    assert client.get(_enrol_link(mailoutbox))["Location"] == reverse("two_factor_setup")
    assert "<svg" in client.get(reverse("two_factor_setup")).content.decode()


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
