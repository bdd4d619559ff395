from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import MandatRole, MandatScope, SeanceKind


class MandatQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))

    def titulaires(self):
        return self.filter(role=MandatRole.TITULAIRE)

    def sitting_in(self, seance_kind):
        """Members entitled to sit in this kind of session (décret du 30 décembre 2025)."""
        if seance_kind == SeanceKind.POLITIQUE:
            return self
        return self.filter(scope=MandatScope.TOUTES)


class Mandat(models.Model):
    """A member's seat on a commission, appointed by prefectoral order (arrêté)."""

    commission = models.ForeignKey(
        "commission.Commission",
        verbose_name=_("commission"),
        on_delete=models.CASCADE,
        related_name="mandats",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("membre"), on_delete=models.PROTECT, related_name="mandats"
    )
    organisation = models.ForeignKey(
        "commission.Organisation",
        verbose_name=_("au titre de"),
        on_delete=models.PROTECT,
        related_name="mandats",
    )
    role = models.CharField(_("qualité"), max_length=20, choices=MandatRole.choices)
    titulaire = models.ForeignKey(
        "self",
        verbose_name=_("suppléant·e de"),
        on_delete=models.CASCADE,
        related_name="suppleants",
        null=True,
        blank=True,
    )
    voting = models.BooleanField(_("voix délibérative"), default=True)
    is_president = models.BooleanField(_("préside la commission"), default=False)
    scope = models.CharField(
        _("siège en"), max_length=20, choices=MandatScope.choices, default=MandatScope.TOUTES
    )
    start = models.DateField(_("début du mandat"))
    end = models.DateField(_("fin du mandat"), null=True, blank=True)
    arrete = models.CharField(_("arrêté de nomination"), max_length=100, blank=True)

    objects = MandatQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandat")
        ordering = ["commission", "organisation__name", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MandatRole.values), name="mandat_role_valid"),
            models.CheckConstraint(condition=Q(scope__in=MandatScope.values), name="mandat_scope_valid"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="mandat_end_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=MandatRole.SUPPLEANT, titulaire__isnull=False) | Q(role=MandatRole.TITULAIRE)
                ),
                name="mandat_suppleant_has_titulaire",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    def is_active(self, on=None):
        on = on or timezone.localdate()
        return self.start <= on and (self.end is None or self.end >= on)
