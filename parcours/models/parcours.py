import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.transitions import TransitionLog
from parcours.enums import DecisionKind, ParcoursEndReason, ParcoursState


class RegleParcours(models.Model):
    """The procedure's legal durations, dated data: term length and cap of a pathway (CASF L121-9,
    décret n° 2016-1467), the minimum validity of the residence permit (CESEDA L425-4) and the notice of
    a convocation (CRPA R133-8). No message writes them as literals: they are read from the rule in
    force."""

    effective_from = models.DateField(_("en vigueur à partir du"), unique=True)
    term_months = models.PositiveSmallIntegerField(_("durée d’une période (mois)"))
    cap_months = models.PositiveSmallIntegerField(_("durée maximale du parcours (mois)"))
    permit_min_months = models.PositiveSmallIntegerField(
        _("durée minimale de l’autorisation provisoire de séjour (mois)"), default=6
    )
    notice_days = models.PositiveSmallIntegerField(_("délai de convocation des membres (jours)"), default=5)
    legal_reference = models.CharField(_("référence"), max_length=200)

    class Meta:
        verbose_name = _("règle de durée du parcours")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cap_months__gte=models.F("term_months")) & Q(term_months__gt=0),
                name="regle_cap_ge_term",
            )
        ]

    def __str__(self):
        return f"{self.term_months}/{self.cap_months} ({self.effective_from})"

    @classmethod
    def in_force(cls, on):
        rule = cls.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
        if rule is None:
            raise ObjectDoesNotExist(f"No pathway rule in force on {on}")
        return rule


class ParcoursQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=ParcoursState.EN_COURS)

    def term_ending_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.active().filter(
            current_term_end__gte=today, current_term_end__lte=today + datetime.timedelta(days)
        )


class Parcours(models.Model):
    """An authorised pathway, made of 6-month terms (Periode) up to the cap."""

    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire",
        verbose_name=_("bénéficiaire"),
        on_delete=models.PROTECT,
        related_name="parcours",
    )
    commission = models.ForeignKey(
        "commission.Commission",
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        related_name="parcours",
    )
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=ParcoursState.choices,
        default=ParcoursState.EN_COURS,
        editable=False,
    )
    started_on = models.DateField(_("début"))
    # Denormalised from the last Periode so that reminders are one indexed query.
    current_term_end = models.DateField(_("fin de la période en cours"))
    ended_on = models.DateField(_("terminé le"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif de fin"), max_length=30, choices=ParcoursEndReason.choices, blank=True
    )

    objects = ParcoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ParcoursState.values), name="parcours_state_valid"),
            models.UniqueConstraint(
                fields=["beneficiaire"], condition=Q(state=ParcoursState.EN_COURS), name="parcours_one_active"
            ),
            models.CheckConstraint(
                condition=Q(state=ParcoursState.EN_COURS, ended_on__isnull=True, end_reason="")
                | (Q(state=ParcoursState.TERMINE, ended_on__isnull=False) & ~Q(end_reason="")),
                name="parcours_end_consistent",
            ),
        ]
        indexes = [models.Index(fields=["state", "current_term_end"])]

    def __str__(self):
        return f"Parcours {self.pk} ({self.beneficiaire_id})"

    @property
    def is_running(self) -> bool:
        return self.state == ParcoursState.EN_COURS

    def deadlines(self) -> list[dict]:
        """What comes next on a running pathway: the end of its current term and its residence
        permits' validity; a permit still to issue or renew has no date (see `next_deadlines`)."""
        if not self.is_running:
            return []
        deadlines = [{"on": self.current_term_end, "label": _("Fin de la période en cours du parcours")}]
        for titre in self.titres_sejour.all():
            if titre.is_issued and titre.valid_until:
                deadlines.append(
                    {
                        "on": titre.valid_until,
                        "label": _("Fin de validité de l’autorisation provisoire de séjour"),
                    }
                )
            elif titre.awaits_issue:
                deadlines.append(
                    {
                        "on": None,
                        "label": _("Autorisation provisoire de séjour : %(state)s")
                        % {"state": titre.get_state_display()},
                    }
                )
        return deadlines


def next_deadlines(parcours_list) -> list[dict]:
    """The deadlines of a person's pathways, what has no date first (a permit to issue is overdue by
    nature), then by date."""
    deadlines = [deadline for parcours in parcours_list for deadline in parcours.deadlines()]
    return sorted(
        deadlines, key=lambda deadline: (deadline["on"] is not None, deadline["on"] or datetime.date.min)
    )


class Periode(models.Model):
    """One authorised term of the pathway (first authorisation or a renewal)."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="periodes")
    number = models.PositiveSmallIntegerField(_("numéro"))
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    months = models.PositiveSmallIntegerField(_("durée (mois)"))
    decision = models.OneToOneField(
        "parcours.Decision", on_delete=models.PROTECT, related_name="periode", null=True, blank=True
    )

    class Meta:
        verbose_name = _("période")
        ordering = ["parcours", "number"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "number"], name="periode_unique_number"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="periode_end_after_start"),
        ]

    def __str__(self):
        return f"{self.parcours_id} #{self.number}"


class ParcoursEvenement(TransitionLog):
    """One row per transition of a pathway: who, when, from, to, why."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="evenements")
    from_state = models.CharField(
        _("état de départ"), max_length=20, choices=ParcoursState.choices, blank=True
    )
    to_state = models.CharField(_("état d’arrivée"), max_length=20, choices=ParcoursState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("évènement du parcours")

    def __str__(self):
        return f"{self.parcours_id}: {self.from_state} → {self.to_state}"


class Decision(models.Model):
    """The prefect's decision on an application, after the commission's and the association's opinions."""

    # One current decision per application (constraint below); a corrected one stays, superseded by the
    # decision that corrects it, with its letters (CRPA: an act is corrected by another act).
    demande = models.ForeignKey(
        "parcours.Demande", verbose_name=_("demande"), on_delete=models.PROTECT, related_name="decisions"
    )
    # The decision this one corrects, and when a decision was superseded by another (set on the first).
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrige la décision"),
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
    )
    superseded_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)
    correction_reason = models.TextField(_("motif de la correction"), blank=True)
    kind = models.CharField(_("décision"), max_length=30, choices=DecisionKind.choices)
    decided_on = models.DateField(_("date de la décision"))
    signataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signataire"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    signataire_title = models.CharField(_("qualité du signataire"), max_length=200)
    motifs = models.TextField(_("motifs"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("décision du préfet")
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid"),
            models.CheckConstraint(
                condition=~Q(
                    kind__in=[DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.FIN_ANTICIPEE]
                )
                | ~Q(motifs=""),
                name="decision_negative_has_motifs",
            ),
            models.UniqueConstraint(
                fields=["demande"], condition=Q(superseded_at__isnull=True), name="decision_one_current"
            ),
            # A correcting decision says why it replaces the first.
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="decision_correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.demande_id})"
