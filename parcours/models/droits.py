import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.transitions import TransitionLog
from parcours.enums import AfisTerritoire, TitreSejourState

# A permit whose validity ends within this many days is shown as expiring to the foreigners' service.
EXPIRING_DAYS = 30
EXPIRING = "expirant"
# What the foreigners' service filters its list on: the permit's state, the issued ones still valid,
# and those expiring soon.
PERMIT_SITUATIONS = [
    (TitreSejourState.A_DELIVRER.value, _("À délivrer")),
    (TitreSejourState.A_RENOUVELER.value, _("À renouveler avec le renouvellement du parcours")),
    (TitreSejourState.DELIVRE.value, _("Délivrées")),
    (EXPIRING, _("Expirant dans les 30 jours")),
    (TitreSejourState.EXPIRE.value, _("Expirées")),
    (TitreSejourState.NON_RENOUVELE.value, _("Non renouvelées (fin du parcours)")),
]


class TitreSejourQuerySet(models.QuerySet):
    def in_situation(self, situation, today=None):
        """The permits in one of PERMIT_SITUATIONS on `today`."""
        today = today or timezone.localdate()
        if situation == EXPIRING:
            return self.expiring_within(EXPIRING_DAYS, today)
        if situation == TitreSejourState.EXPIRE:
            return self.expired(today)
        if situation == TitreSejourState.DELIVRE:
            return self.filter(state=TitreSejourState.DELIVRE, valid_until__gte=today)
        return self.filter(state=situation)

    def expiring_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.filter(
            state=TitreSejourState.DELIVRE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days),
        )

    def expired(self, today=None):
        """Marked expired, or issued with a validity already passed (the daily job marks them)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(state=TitreSejourState.EXPIRE) | Q(state=TitreSejourState.DELIVRE, valid_until__lt=today)
        )


class TitreSejour(models.Model):
    """Follow-up of the autorisation provisoire de séjour (CESEDA L425-4) tied to a pathway."""

    parcours = models.ForeignKey(
        "parcours.Parcours",
        verbose_name=_("parcours"),
        on_delete=models.PROTECT,
        related_name="titres_sejour",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=TitreSejourState.choices, default=TitreSejourState.A_DELIVRER
    )
    number = models.CharField(_("numéro"), max_length=50, blank=True)
    issued_on = models.DateField(_("délivré le"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu’au"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TitreSejourQuerySet.as_manager()

    class Meta:
        verbose_name = _("autorisation provisoire de séjour")
        verbose_name_plural = _("autorisations provisoires de séjour")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=TitreSejourState.values), name="titre_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=TitreSejourState.DELIVRE)
                | Q(issued_on__isnull=False, valid_until__isnull=False) & ~Q(number=""),
                name="titre_issued_has_number_and_dates",
            ),
        ]
        indexes = [models.Index(fields=["state", "valid_until"])]

    def __str__(self):
        return f"APS {self.pk} ({self.get_state_display()})"

    @property
    def is_issued(self) -> bool:
        return self.state == TitreSejourState.DELIVRE

    @property
    def awaits_issue(self) -> bool:
        """To issue for a new pathway, or to renew with the pathway's renewal."""
        return self.state in (TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER)


class TitreSejourEvenement(TransitionLog):
    """One row per transition of a residence permit, with the number and dates it then had: the
    history of the permits issued."""

    titre = models.ForeignKey(TitreSejour, on_delete=models.CASCADE, related_name="evenements")
    from_state = models.CharField(
        _("état de départ"), max_length=20, choices=TitreSejourState.choices, blank=True
    )
    to_state = models.CharField(_("état d’arrivée"), max_length=20, choices=TitreSejourState.choices)
    number = models.CharField(_("numéro"), max_length=50, blank=True)
    issued_on = models.DateField(_("délivré le"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu’au"), null=True, blank=True)

    class Meta(TransitionLog.Meta):
        verbose_name = _("évènement de l’autorisation de séjour")

    def __str__(self):
        return f"{self.titre_id}: {self.from_state} → {self.to_state}"

    @property
    def is_correction(self) -> bool:
        """A correction of a wrong entry (parcours.workflow.titres.correct), beside the entry it fixes."""
        return self.transition == "correct"


class BaremeAfis(models.Model):
    """A dated AFIS scale by number of dependent children (décret n° 2017-542, n° 2022-1340)."""

    territoire = models.CharField(_("territoire"), max_length=20, choices=AfisTerritoire.choices)
    effective_from = models.DateField(_("en vigueur à partir du"))
    amount_0 = models.DecimalField(
        _("personne seule (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount_1 = models.DecimalField(
        _("avec un enfant (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount_2 = models.DecimalField(
        _("avec deux enfants (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount_3 = models.DecimalField(
        _("avec trois enfants (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    increment_per_child = models.DecimalField(
        _("par enfant supplémentaire (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    legal_reference = models.CharField(_("texte"), max_length=200)

    class Meta:
        verbose_name = _("barème de l’AFIS")
        verbose_name_plural = _("barèmes de l’AFIS")
        ordering = ["territoire", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["territoire", "effective_from"], name="bareme_unique_date"),
            models.CheckConstraint(
                condition=Q(territoire__in=AfisTerritoire.values), name="bareme_territoire_valid"
            ),
            # An amount is never negative: the database refuses it whatever the form or the admin did.
            models.CheckConstraint(
                condition=Q(amount_0__gte=0, amount_1__gte=0, amount_2__gte=0, amount_3__gte=0)
                & Q(increment_per_child__gte=0),
                name="bareme_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_territoire_display()} – {self.effective_from}"

    @classmethod
    def in_force(cls, territoire, on):
        bareme = (
            cls.objects.filter(territoire=territoire, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
        if bareme is None:
            raise ObjectDoesNotExist(f"No AFIS scale for {territoire} on {on}")
        return bareme

    def monthly_amount(self, children: int) -> Decimal:
        rows = [self.amount_0, self.amount_1, self.amount_2, self.amount_3]
        if children < len(rows):
            return rows[children]
        return self.amount_3 + self.increment_per_child * (children - 3)


class ForfaitRsa(models.Model):
    """The RSA lump sum for one person, dated: the AFIS resource ceiling (CASF R121-12-13-1)."""

    territoire = models.CharField(_("territoire"), max_length=20, choices=AfisTerritoire.choices)
    effective_from = models.DateField(_("en vigueur à partir du"))
    amount = models.DecimalField(
        _("montant forfaitaire pour une personne (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    legal_reference = models.CharField(_("texte"), max_length=200)

    class Meta:
        verbose_name = _("montant forfaitaire du RSA")
        verbose_name_plural = _("montants forfaitaires du RSA")
        ordering = ["territoire", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["territoire", "effective_from"], name="forfait_rsa_unique_date"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="forfait_rsa_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.amount} € ({self.effective_from})"

    @classmethod
    def in_force(cls, territoire, on):
        forfait = (
            cls.objects.filter(territoire=territoire, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
        if forfait is None:
            raise ObjectDoesNotExist(f"No RSA lump sum for {territoire} on {on}")
        return forfait


class DroitAfis(models.Model):
    """The AFIS assessed on the day of a decision, for the term it authorises."""

    periode = models.OneToOneField(
        "parcours.Periode", verbose_name=_("période"), on_delete=models.CASCADE, related_name="afis"
    )
    eligible = models.BooleanField(_("éligible"))
    # "À compléter": reference data (RSA lump sum, scale) is missing for the date or the territory. The
    # assessment waits for the secretariat to enter it; it is never a refusal (domain: AFIS).
    pending = models.BooleanField(_("à compléter"), default=False)
    ineligibility_reason = models.CharField(_("motif d’inéligibilité"), max_length=255, blank=True)
    assessed_on = models.DateField(_("appréciée le"))
    dependent_children = models.PositiveSmallIntegerField(_("enfants à charge"), default=0)
    bareme = models.ForeignKey(BaremeAfis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    monthly_amount = models.DecimalField(
        _("montant mensuel (€)"), max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    # The pathway ended before the term (withdrawal, departure, early end): the right ends that day.
    ended_on = models.DateField(_("droit terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("droit à l’AFIS")
        verbose_name_plural = _("droits à l’AFIS")
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible=True, bareme__isnull=False) | Q(eligible=False, monthly_amount=0),
                name="afis_amount_consistent",
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="afis_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(pending=False) | Q(eligible=False), name="afis_pending_not_eligible"
            ),
        ]

    def __str__(self):
        return f"AFIS {self.periode_id}"

    @property
    def last_day(self):
        """The last day the right is paid: the term's end, or the day the pathway ended before it."""
        return min(self.end, self.ended_on) if self.ended_on else self.end
