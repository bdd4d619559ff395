from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commission import lockout


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

    def get_invalid_login_error(self):
        """The wrong login, then how many tries are left before the lockout (said the same way whether
        the account exists or not: the count is kept for any address typed)."""
        error = super().get_invalid_login_error()
        remaining = lockout.remaining(self.request, self.cleaned_data.get("username"))
        if remaining is None:
            return error
        return ValidationError([error, ValidationError(remaining.message(), code="attempts_left")])
