"""Lockout after failed logins, on django-axes, with two limits (settings: the AXES_* section).

django-axes counts failures per account and client address together (`AXES_LOCKOUT_PARAMETERS`) and
holds them to its one limit, `AXES_FAILURE_LIMIT`. An address alone needs a second, much higher limit
(`LOCKOUT_ADDRESS_FAILURE_LIMIT`): axes has a single limit for all its parameters, so the handler
below adds that one check to axes' own database handler, on the rows axes already records.

Neither the count nor the pages say whether an account exists: an unknown address is counted, and
answered, like a known one.
"""

from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import ngettext

ACCOUNT = "account"  # this account from this address
ADDRESS = "address"  # this address, whatever the account


def username(request, credentials):
    """The login as axes counts it: e-mail addresses log in whatever their case, so "Alice@…" and
    "alice@…" are one account for the count too (`AXES_USERNAME_CALLABLE`)."""
    if credentials is not None:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return value.strip().lower() if isinstance(value, str) else value


def address_failures(request):
    """Failures from the request's client address within the cool-off, on every account."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the address-wide limit on top of axes' account+address one."""

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or (
            settings.AXES_LOCK_OUT_AT_FAILURE
            and address_failures(request) >= settings.LOCKOUT_ADDRESS_FAILURE_LIMIT
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if address_failures(request) >= settings.LOCKOUT_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def cooloff_minutes(request=None):
    return int(get_cool_off(request).total_seconds() // 60)


@dataclass(frozen=True)
class Remaining:
    """What stands before a lockout: `tries` more failures lock `scope` for `minutes`."""

    tries: int
    scope: str
    minutes: int

    def message(self):
        if self.scope == ADDRESS:
            text = ngettext(
                "Il vous reste %(tries)d essai avant le blocage de toute connexion depuis cette adresse "
                "pendant %(minutes)d minutes.",
                "Il vous reste %(tries)d essais avant le blocage de toute connexion depuis cette adresse "
                "pendant %(minutes)d minutes.",
                self.tries,
            )
        else:
            text = ngettext(
                "Il vous reste %(tries)d essai avant le blocage de ce compte depuis cette adresse "
                "pendant %(minutes)d minutes.",
                "Il vous reste %(tries)d essais avant le blocage de ce compte depuis cette adresse "
                "pendant %(minutes)d minutes.",
                self.tries,
            )
        return text % {"tries": self.tries, "minutes": self.minutes}


def remaining(request, login):
    """After a failed login as `login`: the nearer of the two limits, or None when axes is off (or
    the request never went through axes)."""
    if not settings.AXES_ENABLED or not hasattr(request, "axes_updated"):
        return None
    account = AxesProxyHandler.get_failures(request, get_credentials(login))
    address = address_failures(request)
    by_account = settings.AXES_FAILURE_LIMIT - account
    by_address = settings.LOCKOUT_ADDRESS_FAILURE_LIMIT - address
    if by_address < by_account:
        return Remaining(max(by_address, 0), ADDRESS, cooloff_minutes(request))
    return Remaining(max(by_account, 0), ACCOUNT, cooloff_minutes(request))


def lockout_response(request, original_response=None, credentials=None):
    """The page of a refused login (`AXES_LOCKOUT_CALLABLE`): what is locked, and for how long."""
    context = {
        # The wider lock first: an address locked is locked on every account.
        "address_locked": address_failures(request) >= settings.LOCKOUT_ADDRESS_FAILURE_LIMIT,
        "minutes": cooloff_minutes(request),
    }
    return render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
