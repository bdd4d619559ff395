"""Second factor with django-otp: one confirmed TOTP device per user, and single-use recovery codes.

A first device is enrolled only through a one-time link e-mailed to the account (EnrolmentLink): the
password alone enrols nothing. Recovery codes are stored as digests (RecoveryCodeDevice)."""

import io
import math
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission.models import EnrolmentLink, RecoveryCodeDevice

RECOVERY_DEVICE_NAME = "recovery"
# The session key that says this browser opened the user's enrolment link.
ENROLMENT_SESSION_KEY = "two_factor_enrolment_user"


@dataclass(frozen=True)
class Attempt:
    """The outcome of a code typed by the user: accepted, refused, or not even checked because
    django-otp makes the user wait after failures (then `wait_seconds` > 0)."""

    ok: bool
    wait_seconds: int = 0


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being set up (created on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="application", confirmed=False)


def qr_svg(device) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _wait_seconds(device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def _try(request, devices, token: str) -> Attempt:
    waits = []
    for device in devices:
        wait = _wait_seconds(device)
        if wait:
            waits.append(wait)
            continue
        if device.verify_token(token):
            otp_login(request, device)
            return Attempt(ok=True)
    # A device that was not checked makes "wrong code" a lie: say how long to wait instead.
    return Attempt(ok=False, wait_seconds=max(waits, default=0))


# --- enrolment ------------------------------------------------------------------------------------


def may_enrol(request) -> bool:
    """A device is set up by a user who opened their e-mailed link in this session, or who is already
    verified with their current device (replacing it)."""
    user = request.user
    return request.session.get(ENROLMENT_SESSION_KEY) == user.pk or (has_device(user) and user.is_verified())


def open_enrolment_link(request, token: str) -> bool:
    if not EnrolmentLink.redeem(request.user, token):
        return False
    request.session[ENROLMENT_SESSION_KEY] = request.user.pk
    return True


def send_enrolment_link(user) -> None:
    """E-mail a new one-time link (the previous ones stop working), once the transaction commits."""
    token = EnrolmentLink.issue(user)
    url = settings.SITE_URL.rstrip("/") + reverse("two_factor_enrol", kwargs={"token": token})
    context = {"url": url, "hours": settings.TWO_FACTOR_ENROLMENT_LINK_HOURS}
    subject = render_to_string("registration/two_factor_enrolment_subject.txt", context).strip()
    body = render_to_string("registration/two_factor_enrolment_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


@transaction.atomic
def reset(user) -> None:
    """Forget every device of `user` and send a new enrolment link: their next sign-in needs it."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    send_enrolment_link(user)


@transaction.atomic
def confirm(request, device, token: str) -> tuple[Attempt, list[str] | None]:
    """Confirm the new device with a first code; returns the recovery codes to show once."""
    attempt = _try(request, [device], token.replace(" ", ""))
    if not attempt.ok:
        return attempt, None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    return attempt, new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    return device.replace_codes(settings.RECOVERY_CODES_COUNT)


def verify(request, token: str) -> Attempt:
    """A TOTP code, or a recovery code (each usable once). django-otp throttles repeated failures."""
    token = "".join(token.split())
    user = request.user
    # Digits are an application's code, anything else a recovery code: a typo in one does not slow
    # down the other.
    if token.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = RecoveryCodeDevice.objects.filter(user=user)
    return _try(request, list(devices), token)
