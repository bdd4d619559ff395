import base64
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from commission import two_factor
from commission.enums import Role
from commission.models import EnrolmentLink, RoleChange
from commission.validators import safe_next

# A user asking for a new enrolment link gets at most one in this time (their mailbox is not a target).
RESEND_INTERVAL = timedelta(minutes=5)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres de votre application, ou code de secours"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, target) or "home"


def _throttled(form, attempt):
    form.add_error(
        "token",
        ngettext(
            "Trop de codes incorrects : pour protéger votre compte, attendez %(seconds)d seconde "
            "avant de saisir un nouveau code.",
            "Trop de codes incorrects : pour protéger votre compte, attendez %(seconds)d secondes "
            "avant de saisir un nouveau code.",
            attempt.wait_seconds,
        )
        % {"seconds": attempt.wait_seconds},
    )


def two_factor_verify(request):
    if not two_factor.has_device(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = two_factor.verify(request, form.cleaned_data["token"])
        if attempt.ok:
            return redirect(_next(request))
        if attempt.wait_seconds:
            _throttled(form, attempt)
        else:
            form.add_error(
                "token",
                _("Code incorrect ou expiré. Saisissez le code affiché maintenant par votre application."),
            )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def two_factor_setup(request):
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return redirect("two_factor_verify")
    if not two_factor.may_enrol(request):
        # The password alone enrols nothing: the link e-mailed to the account is the proof.
        return render(request, "registration/two_factor_enrol_by_email.html", {"email": request.user.email})
    device = two_factor.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt, codes = two_factor.confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            request.session["recovery_codes"] = codes
            messages.success(request, _("La double authentification est activée."))
            return redirect("two_factor_recovery_codes")
        if attempt.wait_seconds:
            _throttled(form, attempt)
        else:
            form.add_error(
                "token",
                _(
                    "Ce code ne correspond pas. Vérifiez l’heure de votre téléphone et saisissez le code "
                    "affiché."
                ),
            )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": base64.b32encode(device.bin_key).decode(),
            "device": device,
        },
    )


def two_factor_enrol(request, token):
    """The one-time link e-mailed to the user: opened once, it lets this session set up a device."""
    if two_factor.open_enrolment_link(request, token):
        return redirect("two_factor_setup")
    return render(request, "registration/two_factor_link_invalid.html")


@require_POST
def two_factor_send_link(request):
    """A user without a device asks for a new link (the first expired, or was lost): it goes to the
    account's own address, never elsewhere."""
    if two_factor.has_device(request.user):
        return redirect("two_factor_verify")
    recent = EnrolmentLink.objects.filter(
        user=request.user, created_at__gt=timezone.now() - RESEND_INTERVAL
    ).exists()
    if recent:
        messages.info(
            request,
            _(
                "Un lien vient de vous être envoyé. Consultez votre messagerie, ou réessayez dans quelques minutes."
            ),
        )
    else:
        two_factor.send_enrolment_link(request.user)
        messages.success(
            request,
            _("Un nouveau lien d’activation a été envoyé à %(email)s.") % {"email": request.user.email},
        )
    return redirect("two_factor_setup")


def two_factor_recovery_codes(request):
    """Shown once, right after activation; the user keeps them somewhere safe."""
    codes = request.session.pop("recovery_codes", None)
    if codes is None:
        return redirect("home")
    return render(request, "registration/two_factor_recovery_codes.html", {"codes": codes})


def role_changes(request):
    """The data-protection officer's list of every role given or taken away (who, to whom, when).
    Same readers as the access log."""
    if not request.user.has_role(Role.ADMINISTRATEUR):
        raise Http404
    changes = RoleChange.objects.select_related("actor", "user")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "commission/role_changes.html", {"page": page})
