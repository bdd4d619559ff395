"""Forms of the session screens. They check the shape of what is typed; the procedure's rules (notice,
quorum, proxies, majority…) are checked by commission.seances.workflow, whose messages the views show."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commission.enums import SeanceKind
from commission.seances.enums import PresenceStatus, VoteChoice
from commission.seances.workflow import required_notice_days
from commission.validators import CleanInputMixin
from commission.versions import VersionedFormMixin

TEXT_MAX_LENGTH = 2000


class SeanceForm(CleanInputMixin, forms.Form):
    """A new session: day and time, place or video link, urgency with its reason."""

    day = forms.DateField(
        label=_("Date de la séance"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    kind = forms.ChoiceField(
        label=_("Type de séance"), choices=SeanceKind.choices, initial=SeanceKind.INDIVIDUELLE
    )
    place = forms.CharField(
        label=_("Lieu"),
        help_text=_("Salle et adresse. Indiquez un lieu, un lien de visioconférence, ou les deux."),
        required=False,
        max_length=255,
    )
    video_link = forms.URLField(
        label=_("Lien de visioconférence"),
        help_text=_("Adresse complète, commençant par https://"),
        required=False,
        assume_scheme="https",
    )
    urgent = forms.BooleanField(
        label=_("Séance convoquée en urgence"),
        # The notice in days is a dated rule: said in __init__ (see SeanceForm.__init__).
        required=False,
    )
    urgency_reason = forms.CharField(
        label=_("Motif de l’urgence"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgent"].help_text = gettext(
            "Permet de convoquer moins de %(days)s jours avant la séance. Le motif figurera au procès-verbal."
        ) % {"days": required_notice_days(timezone.localdate())}

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))

    def workflow_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": self.starts_at(),
            "place": data["place"],
            "video_link": data["video_link"],
            "urgent": data["urgent"],
            "urgency_reason": data["urgency_reason"],
        }


class ReconveneForm(SeanceForm):
    """A new convocation on the same agenda after a lack of quorum: same kind of session."""

    kind = None


class ConfirmStepMixin:
    """A form asked twice: its first valid submission shows what will happen, the second (with
    `confirmed`) acts. The confirmation page sends the fields again, hidden."""

    def carried_fields(self):
        return [field for field in self if field.name != "confirmed"]

    def is_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirmed"))


class RescheduleForm(VersionedFormMixin, ConfirmStepMixin, ReconveneForm):
    """A session not yet opened moves to a new date, place or link; the members are convened again."""

    reason = forms.CharField(
        label=_("Motif du report"),
        help_text=_("Il figure dans l’historique de la séance, avec l’ancienne et la nouvelle date."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif du report.")},
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def workflow_kwargs(self) -> dict:
        return {**super().workflow_kwargs(), "reason": self.cleaned_data["reason"]}


class CancelForm(ConfirmStepMixin, CleanInputMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de l’annulation"),
        help_text=_(
            "Il figure dans l’historique de la séance ; les dossiers inscrits reviennent à inscrire."
        ),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif de l’annulation.")},
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class InterestForm(CleanInputMixin, forms.Form):
    """The secretariat records a member's personal interest in an item."""

    mandat = forms.ModelChoiceField(
        label=_("Membre ayant un intérêt personnel à ce dossier"),
        queryset=None,
        empty_label=_("— Choisissez un membre —"),
        error_messages={
            "required": _("Choisissez le membre."),
            "invalid_choice": _("Ce membre n’est pas convoqué à la séance."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandat"].queryset = candidates
        self.fields["mandat"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} ({m.organisation.name})"
        )


class DeclareInterestForm(CleanInputMixin, forms.Form):
    """A member declares their own personal interest in an item."""

    confirm = forms.BooleanField(
        label=_(
            "Je déclare avoir un intérêt personnel à ce dossier : je ne prends part ni au débat ni au vote."
        ),
        error_messages={"required": _("Cochez la case pour confirmer votre déclaration.")},
    )


class AgendaAddForm(CleanInputMixin, forms.Form):
    demande = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Ce dossier n’est plus recevable ou ne relève pas de cette commission.")
        },
    )

    def __init__(self, *args, admissible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demande"].queryset = admissible


class AttendanceRowForm(VersionedFormMixin, CleanInputMixin, forms.Form):
    """One titular member's line of the attendance sheet."""

    status = forms.ChoiceField(label=_("Présence"), required=False)
    substitute = forms.TypedChoiceField(
        label=_("Suppléant·e qui siège"), required=False, coerce=int, empty_value=None
    )
    proxy_to = forms.TypedChoiceField(label=_("Mandat donné à"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, mandat, substitutes, holders, recorded, **kwargs):
        super().__init__(*args, **kwargs)
        self.mandat = mandat
        # A recorded attendance can be changed, not erased.
        blank = [] if recorded else [("", _("— Non relevée —"))]
        self.fields["status"].choices = blank + list(PresenceStatus.choices)
        self.fields["substitute"].choices = [("", _("— Aucun —"))] + [
            (m.pk, m.user.get_full_name()) for m in substitutes
        ]
        self.fields["proxy_to"].choices = [("", _("— Aucun —"))] + [
            (m.pk, m.user.get_full_name()) for m in holders
        ]


class VoteForm(CleanInputMixin, forms.Form):
    choice = forms.ChoiceField(
        label=_("Vote"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez favorable, défavorable ou abstention.")},
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        help_text=_("Facultatif. Il reste avec votre vote ; il ne figure pas au procès-verbal."),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _dissent_field():
    return forms.CharField(
        label=_("Désaccords à consigner au procès-verbal"),
        help_text=_("Facultatif : un membre peut demander que son désaccord avec l’avis soit consigné."),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _president_choice_field():
    return forms.ChoiceField(
        label=_("En cas de partage des voix, vote du président ou de la présidente de séance"),
        choices=[
            ("", _("Pas de partage")),
            (VoteChoice.FAVORABLE, VoteChoice.FAVORABLE.label),
            (VoteChoice.DEFAVORABLE, VoteChoice.DEFAVORABLE.label),
        ],
        required=False,
        widget=forms.RadioSelect,
    )


class CloseItemForm(ConfirmStepMixin, CleanInputMixin, forms.Form):
    """Closing the vote, asked twice: first the seats that have not voted are shown, then the
    secretariat confirms. In a room voting partly by show of hands, the hand count of the seats that
    did not vote online completes the tally."""

    hands_favorable = forms.IntegerField(label=_("Voix favorables à main levée"), min_value=0, required=False)
    hands_defavorable = forms.IntegerField(
        label=_("Voix défavorables à main levée"), min_value=0, required=False
    )
    hands_abstentions = forms.IntegerField(label=_("Abstentions à main levée"), min_value=0, required=False)
    president_choice = _president_choice_field()
    dissent = _dissent_field()
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def hands(self):
        data = self.cleaned_data
        return (
            data["hands_favorable"] or 0,
            data["hands_defavorable"] or 0,
            data["hands_abstentions"] or 0,
        )


class PostponeForm(CleanInputMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de l’ajournement"),
        help_text=_(
            "Il figurera au procès-verbal ; le dossier revient dans la liste des dossiers à inscrire."
        ),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif de l’ajournement : il figurera au procès-verbal.")},
    )


class ShowOfHandsForm(CleanInputMixin, forms.Form):
    favorable = forms.IntegerField(label=_("Voix favorables"), min_value=0, initial=0)
    defavorable = forms.IntegerField(label=_("Voix défavorables"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    president_choice = _president_choice_field()
    dissent = _dissent_field()
