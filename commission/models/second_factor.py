import hashlib
import hmac
import secrets
from base64 import b32encode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


def digest(value: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def normalize_code(value: str) -> str:
    return "".join(value.split()).replace("-", "").lower()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The user's single-use recovery codes, stored as salted SHA-256 digests only.

    django-otp's StaticToken keeps them in clear; here the database (and anyone reading it) holds no
    code that opens the account. The codes are 80 random bits, so a fast salted hash is enough: there
    is no dictionary to try. Failures are throttled like django-otp's own devices.
    """

    class Meta:
        verbose_name = _("codes de secours")
        verbose_name_plural = _("codes de secours")

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token):
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalize_code(token)
        match = next((c for c in self.codes.all() if c.matches(code)), None)
        if match is None:
            self.throttle_increment()
            return False
        match.delete()  # each code opens one session only
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    def replace_codes(self, count: int) -> list[str]:
        """New codes, shown once to the user; the previous ones stop working."""
        self.codes.all().delete()
        codes = [b32encode(secrets.token_bytes(10)).decode().lower() for _ in range(count)]
        RecoveryCode.objects.bulk_create(RecoveryCode.for_code(self, code) for code in codes)
        return ["-".join(code[i : i + 4] for i in range(0, len(code), 4)) for code in codes]


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("code de secours")

    def __str__(self):
        return f"{self.device_id}#{self.pk}"

    @classmethod
    def for_code(cls, device, code: str):
        salt = secrets.token_hex(16)
        return cls(device=device, salt=salt, digest=digest(normalize_code(code), salt))

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.digest, digest(normalize_code(code), self.salt))


class EnrolmentLinkQuerySet(models.QuerySet):
    def valid(self):
        age = timezone.timedelta(hours=settings.TWO_FACTOR_ENROLMENT_LINK_HOURS)
        return self.filter(used_at__isnull=True, created_at__gt=timezone.now() - age)


class EnrolmentLink(models.Model):
    """A one-time link, sent by e-mail, that lets its user enrol a first (or new) authenticator.

    The password alone enrols nothing: whoever knows it must also read the account's mailbox. Only a
    digest of the token is stored; the link works once and expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d’activation de la double authentification")

    def __str__(self):
        return f"{self.user_id}@{self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user) -> str:
        """A new token for `user`; the links sent before stop working."""
        cls.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        token = secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=digest(token))
        return token

    @classmethod
    def redeem(cls, user, token: str) -> bool:
        """True once for a valid, unexpired token of `user`; the link is spent from then on."""
        return bool(
            cls.objects.valid().filter(user=user, digest=digest(token)).update(used_at=timezone.now())
        )
