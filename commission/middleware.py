from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Reachable by a user who has given their password but not yet their second factor.
OPEN_BEFORE_SECOND_FACTOR = (
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_enrol",
    "two_factor_send_link",
    "two_factor_recovery_codes",
    "logout",
    "health",
)


class TwoFactorRequiredMiddleware:
    """Once the password is given, every page wants the second factor (TOTP or a recovery code)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_REQUIRED or not request.user.is_authenticated:
            return None
        if request.user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        from commission import two_factor

        target = "two_factor_verify" if two_factor.has_device(request.user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class RoleActorMiddleware:
    """Who is signed in, for the record of role changes (commission.roles), for this request only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from commission.roles import acting_as

        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)
