import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from beneficiaires.enums import AccompagnementEndReason, Logement, Sexe, SituationFamiliale, TypeRessources
from beneficiaires.identity import identity_key

# France, the other EU states, the EEA (Iceland, Liechtenstein, Norway) and Switzerland: no residence
# permit is needed, and they meet the AFIS nationality condition (CASF R121-12-13-1).
EU_EEA_CH = frozenset(
    [
        "FR",
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
        "CH",
    ]
)


class Beneficiaire(models.Model):
    """A person accompanied towards a pathway. Identity is shown only to those who need it."""

    departement = models.ForeignKey(
        "commission.Departement",
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="beneficiaires",
    )
    reference = models.CharField(
        _("référence"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("Référence pseudonyme utilisée devant la commission."),
    )
    # Civil identity
    last_name = models.CharField(_("nom"), max_length=150)
    first_names = models.CharField(_("prénoms"), max_length=150)
    usage_name = models.CharField(_("nom d’usage"), max_length=150, blank=True)
    sexe = models.CharField(_("sexe"), max_length=1, choices=Sexe.choices)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_place = models.CharField(_("lieu de naissance"), max_length=150, blank=True)
    nationalities = CountryField(_("nationalités"), multiple=True, blank=True)
    languages = models.CharField(
        _("langues parlées"), max_length=200, blank=True, help_text=_("Par exemple : anglais, pidgin, edo.")
    )
    # Contact (kept to a minimum, erased at anonymisation)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.TextField(_("adresse ou domiciliation"), blank=True)
    # Situation
    situation_familiale = models.CharField(
        _("situation familiale"), max_length=20, choices=SituationFamiliale.choices, blank=True
    )
    dependent_children = models.PositiveSmallIntegerField(_("enfants à charge"), default=0)
    household_size = models.PositiveSmallIntegerField(
        _("personnes au foyer"), default=1, validators=[MinValueValidator(1)]
    )
    logement = models.CharField(_("logement"), max_length=20, choices=Logement.choices, blank=True)
    ressources_type = models.CharField(
        _("nature des ressources"), max_length=20, choices=TypeRessources.choices, blank=True
    )
    ressources_mensuelles = models.DecimalField(
        _("ressources mensuelles du foyer (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Consent to the processing of personal data (RGPD art. 9: sensitive data)
    consent_given_on = models.DateField(_("consentement recueilli le"), null=True, blank=True)
    consent_withdrawn_on = models.DateField(_("consentement retiré le"), null=True, blank=True)
    # Normalised names and birth date, to warn of probable duplicates (see beneficiaires.identity).
    identity_key = models.CharField(max_length=400, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("bénéficiaire")
        ordering = ["last_name", "first_names"]
        indexes = [models.Index(fields=["departement", "last_name", "birth_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(sexe__in=Sexe.values), name="beneficiaire_sexe_valid"),
            models.CheckConstraint(
                condition=Q(ressources_mensuelles__isnull=True) | Q(ressources_mensuelles__gte=0),
                name="beneficiaire_ressources_not_negative",
            ),
            # No birth date before 1900 (commission.validators): "not in the future" moves with the
            # days, so only the form checks it.
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | Q(birth_date__gte=datetime.date(1900, 1, 1)),
                name="beneficiaire_birth_date_plausible",
            ),
        ]

    def __str__(self):
        # Never the name: str() ends up in logs and admin messages.
        return self.reference

    def save(self, *args, **kwargs):
        self.identity_key = identity_key(self.last_name, self.first_names, self.birth_date)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"last_name", "first_names", "birth_date"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "identity_key"}
        if self.reference:
            super().save(*args, **kwargs)
            return
        # Two persons created at the same moment may compute the same next number: the unique
        # constraint refuses the second, which takes the following number.
        for attempt in range(5):
            self.reference = self._next_reference()
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                self.reference = ""
                if attempt == 4:
                    raise

    @property
    def full_name(self):
        return f"{self.last_name.upper()} {self.first_names}"

    def age(self, on=None):
        if not self.birth_date:
            return None
        on = on or timezone.localdate()
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )

    def is_eu_eea_swiss_or_french(self) -> bool:
        return any(country.code in EU_EEA_CH for country in self.nationalities)

    def needs_residence_permit(self) -> bool:
        return bool(self.nationalities) and not self.is_eu_eea_swiss_or_french()

    def _next_reference(self):
        """PSP-<département>-<year>-<sequence>: reveals nothing of the person."""
        year = timezone.localdate().year
        prefix = f"PSP-{self.departement.code}-{year}-"
        last = (
            Beneficiaire.objects.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")  # 10000 after 9999
            .values_list("reference", flat=True)
            .first()
        )
        sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        return f"{prefix}{sequence:04d}"

    @property
    def current_accompagnement(self):
        return next((a for a in self.accompagnements.all() if a.end is None), None)


class Accompagnement(models.Model):
    """The association the person chose, and the caseworker, over a dated period (CASF L121-9)."""

    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name=_("bénéficiaire"), on_delete=models.CASCADE, related_name="accompagnements"
    )
    association = models.ForeignKey(
        "commission.Organisation",
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="accompagnements",
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent·e"),
        on_delete=models.PROTECT,
        related_name="accompagnements",
        null=True,
        blank=True,
    )
    chosen_on = models.DateField(_("date du choix de l’association par la personne"))
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif de fin"), max_length=20, choices=AccompagnementEndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("accompagnement")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiaire"], condition=Q(end__isnull=True), name="accompagnement_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="accompagnement_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["association", "end"])]

    def __str__(self):
        return f"{self.beneficiaire} – {self.association}"
