import base64

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission import two_factor


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres de votre application, ou code de secours"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "home"


def two_factor_verify(request):
    if not two_factor.has_device(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error(
            "token",
            _("Code incorrect ou expiré. Saisissez le code affiché maintenant par votre application."),
        )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def two_factor_setup(request):
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return redirect("two_factor_verify")
    device = two_factor.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            request.session["recovery_codes"] = codes
            messages.success(request, _("La double authentification est activée."))
            return redirect("two_factor_recovery_codes")
        form.add_error(
            "token",
            _("Ce code ne correspond pas. Vérifiez l’heure de votre téléphone et saisissez le code affiché."),
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


def two_factor_recovery_codes(request):
    """Shown once, right after activation; the user keeps them somewhere safe."""
    codes = request.session.pop("recovery_codes", None)
    if codes is None:
        return redirect("home")
    return render(request, "registration/two_factor_recovery_codes.html", {"codes": codes})
