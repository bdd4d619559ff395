"""Forms for the person: identity and situation, the association's choice, and the search of the lists."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from beneficiaires.access import approved_departement_ids
from beneficiaires.duplicates import probable_duplicates
from beneficiaires.identity import normalise_name
from beneficiaires.models import Beneficiaire
from beneficiaires.workflow import CHANGE_REASONS
from commission.models import Departement, Organisation
from commission.validators import CleanInputMixin
from commission.versions import VersionedFormMixin

MAX_SEARCH_WORDS = 6

phone_validator = RegexValidator(
    r"^\+?[0-9 ().-]{6,30}$",
    _(
        "Saisissez un numéro de téléphone fait de chiffres, d’espaces et éventuellement du signe +, "
        "par exemple 06 12 34 56 78 ou +234 803 123 4567."
    ),
)


def approved_departements(association):
    """The départements where the association holds a valid agrément today: the only places it may
    accompany a new person (CASF R121-12-1). The same rule as the caseworker's scope, so a person
    created here is always visible to the association."""
    return Departement.objects.filter(pk__in=approved_departement_ids(association)).order_by("code")


def search_filter(text, prefix=""):
    """Every word typed must match the reference or a name, whatever its accents or case.

    Accents and case are compared on the identity key (normalised names); names of a person without
    a birth date, and the name of use, are compared as typed, case aside.
    """
    condition = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        word_condition = (
            Q(**{f"{prefix}reference__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}first_names__icontains": word})
            | Q(**{f"{prefix}usage_name__icontains": word})
        )
        normalised = normalise_name(word)
        if normalised:
            word_condition |= Q(**{f"{prefix}identity_key__contains": normalised})
        condition &= word_condition
    return condition


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # ISO format: what a date input shows and sends back, so a typed date is never lost.
        super().__init__(attrs, format="%Y-%m-%d")


def _not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)


class BeneficiaireForm(VersionedFormMixin, CleanInputMixin, forms.ModelForm):
    """Identity and situation of a person. Warns of a probable duplicate among `candidates`, the
    persons the user may see: the warning never reveals another association's person."""

    nationality = forms.ChoiceField(
        label=_("Nationalité"),
        required=False,
        help_text=_("Laissez vide si elle n’est pas connue."),
    )
    second_nationality = forms.ChoiceField(label=_("Autre nationalité"), required=False)
    other_person = forms.BooleanField(
        label=_("Il s’agit bien d’une autre personne"),
        required=False,
        help_text=_("Cochez cette case seulement après avoir vérifié la ou les fiches ci-dessus."),
    )
    # The ids of the probable duplicates shown when the box was offered: a confirmation holds for them only.
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Beneficiaire
        fields = [
            "last_name",
            "first_names",
            "usage_name",
            "sexe",
            "birth_date",
            "birth_place",
            "languages",
            "phone",
            "address",
            "situation_familiale",
            "dependent_children",
            "household_size",
            "logement",
            "ressources_type",
            "ressources_mensuelles",
            "consent_given_on",
        ]
        widgets = {
            "last_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "first_names": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "usage_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "birth_date": DateInput,
            "birth_place": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TelInput(attrs={"autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "ressources_mensuelles": forms.TextInput(attrs={"inputmode": "decimal"}),
            "consent_given_on": DateInput,
        }
        localized_fields = ["ressources_mensuelles"]
        labels = {
            "consent_given_on": _("Consentement au traitement de ses données recueilli le"),
        }
        help_texts = {
            "first_names": _("Tous les prénoms, dans l’ordre de l’état civil."),
            "birth_date": _(
                "Laissez vide si elle n’est pas connue : aucun doublon ne pourra alors être signalé."
            ),
            "dependent_children": _("Enfants dont la personne a la charge, au foyer ou non."),
            "household_size": _("La personne comprise."),
            "ressources_mensuelles": _(
                "Montant en euros, par exemple 350,50. Laissez vide s’il n’est pas connu."
            ),
        }
        error_messages = {
            "last_name": {"required": _("Indiquez le nom de la personne.")},
            "first_names": {"required": _("Indiquez le ou les prénoms de la personne.")},
            "sexe": {"required": _("Indiquez le sexe de la personne.")},
            "birth_date": {"invalid": _("Saisissez une date de naissance valide, par exemple 14/07/1995.")},
            "consent_given_on": {"invalid": _("Saisissez une date valide, par exemple 02/03/2026.")},
            "dependent_children": {"invalid": _("Indiquez un nombre entier d’enfants, 0 s’il n’y en a pas.")},
            "household_size": {"invalid": _("Indiquez un nombre entier de personnes, au moins 1.")},
            "ressources_mensuelles": {"invalid": _("Indiquez un montant en euros, par exemple 350,50.")},
        }

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.duplicates = []
        country_choices = [("", _("Non renseignée")), *countries]
        self.fields["nationality"].choices = country_choices
        self.fields["second_nationality"].choices = [("", _("Aucune")), *countries]
        current = [country.code for country in self.instance.nationalities]
        self.fields["nationality"].initial = current[0] if current else ""
        self.fields["second_nationality"].initial = current[1] if len(current) > 1 else ""
        self.fields["phone"].validators.append(phone_validator)
        for name in ("sexe", "situation_familiale", "logement", "ressources_type"):
            field = self.fields[name]
            empty_label = _("Choisir") if field.required else _("Non renseigné")
            field.choices = [("", empty_label), *(choice for choice in field.choices if choice[0] != "")]

    @property
    def duplicate_ids(self):
        return ",".join(str(person.pk) for person in self.duplicates)

    def clean_consent_given_on(self):
        consent_given_on = self.cleaned_data["consent_given_on"]
        _not_in_future(
            consent_given_on, _("Le consentement ne peut pas être daté d’un jour à venir : vérifiez la date.")
        )
        return consent_given_on

    def clean_duplicates_seen(self):
        raw = self.cleaned_data["duplicates_seen"]
        return {int(part) for part in raw.split(",") if part.strip().isdigit()}

    def clean(self):
        cleaned = super().clean()
        nationality, second = cleaned.get("nationality"), cleaned.get("second_nationality")
        if second and not nationality:
            self.add_error("nationality", _("Indiquez d’abord la nationalité principale."))
        elif second and second == nationality:
            self.add_error("second_nationality", _("Choisissez une nationalité différente de la première."))
        children, household = cleaned.get("dependent_children"), cleaned.get("household_size")
        if children is not None and household is not None and household < children + 1:
            self.add_error(
                "household_size",
                _("Le foyer compte au moins la personne et ses enfants à charge : indiquez au moins %(n)s.")
                % {"n": children + 1},
            )
        self._check_duplicates(cleaned)
        return cleaned

    def _check_duplicates(self, cleaned):
        if not {"last_name", "first_names", "birth_date"} <= cleaned.keys():
            return
        matches = list(
            probable_duplicates(
                self.candidates,
                cleaned["last_name"],
                cleaned["first_names"],
                cleaned["birth_date"],
                exclude_pk=self.instance.pk,
            )
        )
        # Shown even once confirmed, so that the ticked box stays on the page if another field is wrong.
        self.duplicates = matches
        seen = cleaned.get("duplicates_seen", set())
        if not matches or (cleaned.get("other_person") and {m.pk for m in matches} <= seen):
            return
        self.add_error(
            "other_person",
            _(
                "Votre association accompagne déjà une personne de mêmes nom, prénoms et date de naissance. "
                "Ouvrez sa fiche pour vérifier ; s’il s’agit bien d’une autre personne, cochez cette case "
                "puis enregistrez à nouveau."
            ),
        )

    def _save_nationalities(self, beneficiaire):
        chosen = [
            code
            for code in (self.cleaned_data["nationality"], self.cleaned_data["second_nationality"])
            if code
        ]
        # A third nationality entered elsewhere (admin) is kept: this form shows two.
        former = [country.code for country in self.instance.nationalities][2:]
        beneficiaire.nationalities = chosen + [code for code in former if code not in chosen]

    def save(self, commit=True):
        beneficiaire = super().save(commit=False)
        self._save_nationalities(beneficiaire)
        if commit:
            beneficiaire.save()
        return beneficiaire


class BeneficiaireCreateForm(BeneficiaireForm):
    """A new person, and the date they chose the caseworker's association (CASF L121-9: the person
    chooses the association; the choice and its date are recorded by
    `beneficiaires.workflow.start_accompaniment`)."""

    chosen_on = forms.DateField(
        label=_("Date à laquelle la personne a choisi l’association"),
        widget=DateInput,
        error_messages={
            "required": _("Indiquez la date à laquelle la personne a choisi votre association."),
            "invalid": _("Saisissez une date valide, par exemple 02/03/2026."),
        },
    )
    departement = forms.ModelChoiceField(
        label=_("Département où la personne est accompagnée"),
        queryset=Departement.objects.none(),
        help_text=_("Votre association est agréée dans plusieurs départements."),
        error_messages={
            "required": _("Choisissez le département où la personne est accompagnée."),
            "invalid_choice": _("Choisissez l’un des départements où votre association est agréée."),
        },
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        departements = list(departements)
        if len(departements) > 1:
            self.fields["departement"].queryset = Departement.objects.filter(
                pk__in=[d.pk for d in departements]
            )
            self.sole_departement = None
        else:
            del self.fields["departement"]
            self.sole_departement = departements[0]

    def clean_chosen_on(self):
        chosen_on = self.cleaned_data["chosen_on"]
        _not_in_future(chosen_on, _("La date du choix ne peut pas être dans le futur : vérifiez-la."))
        return chosen_on

    def clean(self):
        cleaned = super().clean()
        birth_date, chosen_on = cleaned.get("birth_date"), cleaned.get("chosen_on")
        if birth_date and chosen_on and chosen_on < birth_date:
            self.add_error("chosen_on", _("La date du choix ne peut pas précéder la date de naissance."))
        return cleaned

    def save(self, commit=True):
        """The person only: the accompaniment is opened by `beneficiaires.workflow.start_accompaniment`."""
        beneficiaire = super().save(commit=False)
        beneficiaire.departement = self.cleaned_data.get("departement") or self.sole_departement
        if commit:
            beneficiaire.save()
        return beneficiaire


class ChangeAssociationForm(CleanInputMixin, forms.Form):
    """The person chose another approved association: which one, when, and why the current
    accompaniment ends (CASF L121-9). The dates are checked again by `workflow.change_association`."""

    association = forms.ModelChoiceField(
        label=_("Nouvelle association choisie par la personne"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choisir"),
        help_text=_("Seules les associations agréées pour le département de la personne sont proposées."),
        error_messages={
            "required": _("Choisissez l’association qui accompagnera désormais la personne."),
            "invalid_choice": _(
                "Choisissez l’une des associations proposées : agréées pour le département de la "
                "personne, autres que celle qui l’accompagne aujourd’hui."
            ),
        },
    )
    chosen_on = forms.DateField(
        label=_("Date à laquelle la personne a choisi cette association"),
        widget=DateInput,
        error_messages={
            "required": _("Indiquez la date à laquelle la personne a choisi la nouvelle association."),
            "invalid": _("Saisissez une date valide, par exemple 02/03/2026."),
        },
    )
    on = forms.DateField(
        label=_("Date du changement"),
        widget=DateInput,
        help_text=_(
            "L’accompagnement en cours prend fin ce jour-là et le nouveau commence le même jour. "
            "Aujourd’hui au plus tard."
        ),
        error_messages={
            "required": _("Indiquez la date du changement d’association."),
            "invalid": _("Saisissez une date valide, par exemple 02/03/2026."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Motif de fin de l’accompagnement en cours"),
        choices=[(reason.value, reason.label) for reason in CHANGE_REASONS],
        initial=CHANGE_REASONS[0],
        error_messages={
            "required": _("Choisissez le motif du changement."),
            "invalid_choice": _("Choisissez l’un des motifs proposés."),
        },
    )

    def __init__(self, *args, associations, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["association"].queryset = associations
        self.fields["on"].initial = timezone.localdate()

    def clean_chosen_on(self):
        chosen_on = self.cleaned_data["chosen_on"]
        _not_in_future(chosen_on, _("La date du choix ne peut pas être dans le futur : vérifiez-la."))
        return chosen_on

    def clean_on(self):
        on = self.cleaned_data["on"]
        _not_in_future(
            on, _("La date du changement ne peut pas être dans le futur : enregistrez-le le jour venu.")
        )
        if self.current is not None and on < self.current.start:
            raise forms.ValidationError(
                _(
                    "Le changement ne peut pas précéder le début de l’accompagnement en cours, le "
                    "%(start)s : vérifiez la date."
                ),
                params={"start": date_format(self.current.start, "SHORT_DATE_FORMAT")},
            )
        return on

    def clean(self):
        cleaned = super().clean()
        chosen_on, on = cleaned.get("chosen_on"), cleaned.get("on")
        if chosen_on and on and chosen_on > on:
            self.add_error(
                "chosen_on", _("La personne choisit l’association au plus tard le jour du changement.")
            )
        return cleaned
