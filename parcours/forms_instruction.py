"""Forms of the secretariat's completeness check and of the dossier's thread."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commission.validators import CleanInputMixin

MESSAGE_MAX_LENGTH = 5000


class InstructionForm(CleanInputMixin, forms.Form):
    """The secretariat's answer to a submitted dossier: admissible, or a complement with a message.

    The action comes from the button pressed; the message and the confirmation are kept when the
    page comes back with an error."""

    RECEVABLE = "recevable"
    COMPLEMENT = "complement"

    action = forms.CharField(required=False, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message à l’association"),
        help_text=_(
            "Obligatoire pour demander un complément : dites précisément ce qui manque ou ce qui doit "
            "être corrigé. Facultatif si le dossier est recevable : il est alors ajouté au fil "
            "d’échanges. L’association est prévenue par un courriel qui ne contient aucune donnée "
            "personnelle."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    confirm = forms.BooleanField(
        label=_("Je déclare le dossier recevable bien que des éléments de la liste de contrôle manquent"),
        required=False,
    )

    def __init__(self, *args, checklist_complete: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist_complete = checklist_complete

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action not in (self.RECEVABLE, self.COMPLEMENT):
            raise forms.ValidationError(
                _("Choisissez : déclarer le dossier recevable, ou demander un complément.")
            )
        if action == self.COMPLEMENT and not cleaned.get("message") and "message" not in self.errors:
            self.add_error(
                "message",
                _(
                    "Précisez dans le message ce qui manque au dossier : l’association le lira pour le compléter."
                ),
            )
        if action == self.RECEVABLE and not self.checklist_complete and not cleaned.get("confirm"):
            self.add_error(
                "confirm",
                _(
                    "Des éléments de la liste de contrôle manquent : demandez un complément, ou cochez "
                    "cette case pour déclarer le dossier recevable malgré tout."
                ),
            )
        return cleaned


class MessageForm(CleanInputMixin, forms.Form):
    """A new message in the dossier's thread. The side is never a field: it follows from the user."""

    body = forms.CharField(
        label=_("Nouveau message"),
        help_text=_(
            "L’autre partie est prévenue par un courriel qui ne contient ni le message ni aucune donnée "
            "personnelle."
        ),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Le message est vide : écrivez votre message avant de l’envoyer.")},
    )
    # Where to come back after sending: the page that showed the thread.
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)
