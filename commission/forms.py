from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "spellcheck": "false"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie, en respectant les "
            "majuscules du mot de passe, puis réessayez."
        ),
        "inactive": _("Ce compte est désactivé. Adressez-vous au secrétariat de la commission."),
    }
