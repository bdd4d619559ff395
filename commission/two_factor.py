"""Second factor with django-otp: one confirmed TOTP device per user, and single-use recovery codes."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_DEVICE_NAME = "recovery"


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


@transaction.atomic
def confirm(request, device, token: str) -> list[str] | None:
    """Confirm the new device with a first code; returns the recovery codes to show once."""
    if not device.verify_token(token.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def verify(request, token: str) -> bool:
    """A TOTP code, or a recovery code (each usable once). django-otp throttles repeated failures."""
    token = token.replace(" ", "").strip()
    user = request.user
    for device in list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME)
    ):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    return False
