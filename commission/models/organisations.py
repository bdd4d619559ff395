import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import OrganisationKind


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    is_mayotte = models.BooleanField(
        _("Mayotte"), default=False, help_text=_("Mayotte a son propre barème d’AFIS.")
    )

    class Meta:
        verbose_name = _("département")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class OrganisationQuerySet(models.QuerySet):
    def associations(self):
        return self.filter(kind=OrganisationKind.ASSOCIATION)

    def approved_for(self, departement, on=None):
        """Associations whose agrément for `departement` is valid on `on` (CASF R121-12-1)."""
        on = on or timezone.localdate()
        return (
            self.associations()
            .filter(
                agrements__departement=departement,
                agrements__start__lte=on,
                agrements__end__gte=on,
                agrements__revoked_on__isnull=True,
            )
            .distinct()
        )


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département de rattachement"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("Département du siège (association) ou du service."),
    )
    email = models.EmailField(_("adresse électronique de contact"), blank=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.UniqueConstraint(fields=["departement", "name"], name="organisation_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_association(self):
        return self.kind == OrganisationKind.ASSOCIATION

    def valid_agrement(self, departement, on=None):
        on = on or timezone.localdate()
        return (
            self.agrements.filter(
                departement=departement, start__lte=on, end__gte=on, revoked_on__isnull=True
            )
            .order_by("-end")
            .first()
        )

    def can_file_in(self, departement, on=None) -> bool:
        """Only an association with a valid agrément for the département files a dossier."""
        return self.is_association and self.valid_agrement(departement, on) is not None

    def approval_ended_on(self, departement, on=None):
        """The day the association's approval for the département ended, when it had one and has none
        valid on `on` (lapsed or revoked); None otherwise. Its caseworkers keep seeing their persons
        and drafts; filing waits for the renewal (CASF R121-12-1)."""
        on = on or timezone.localdate()
        if not self.is_association or self.valid_agrement(departement, on) is not None:
            return None
        ends = [
            min(agrement.end, agrement.revoked_on or agrement.end)
            for agrement in self.agrements.all()
            if agrement.departement_id == getattr(departement, "pk", departement) and agrement.start <= on
        ]
        return max(ends) if ends else None

    def lapsed_approvals(self, on=None) -> list[tuple]:
        """(département, day its approval ended) for each département where it lapsed: what every page
        of the association's caseworkers says. One query."""
        on = on or timezone.localdate()
        if not self.is_association:
            return []
        by_departement = {}
        for agrement in self.agrements.filter(start__lte=on).select_related("departement"):
            by_departement.setdefault(agrement.departement, []).append(agrement)
        lapsed = []
        for departement, agrements in by_departement.items():
            if not any(agrement.is_valid(on) for agrement in agrements):
                ended = max(min(a.end, a.revoked_on or a.end) for a in agrements)
                lapsed.append((departement, ended))
        return sorted(lapsed, key=lambda item: item[0].code)


class Agrement(models.Model):
    """The prefect's approval of an association, for three years, per département (CASF R121-12-1)."""

    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.CASCADE, related_name="agrements"
    )
    departement = models.ForeignKey(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, related_name="agrements"
    )
    number = models.CharField(_("numéro d’agrément"), max_length=50)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    revoked_on = models.DateField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("agrément")
        ordering = ["-end"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="agrement_end_after_start"),
            models.UniqueConstraint(fields=["departement", "number"], name="agrement_unique_number"),
        ]

    def __str__(self):
        return f"{self.number} ({self.departement.code})"

    def is_valid(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.revoked_on is None and self.start <= on <= self.end

    @staticmethod
    def default_end(start: datetime.date) -> datetime.date:
        from commission.dates import term_end

        return term_end(start, 36)


class Commission(models.Model):
    """A département's commission (CASF R121-12-6); one per département."""

    departement = models.OneToOneField(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, related_name="commission"
    )
    name = models.CharField(_("nom"), max_length=200)
    secretariat = models.ForeignKey(
        Organisation,
        verbose_name=_("secrétariat"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    waiting_alert_days = models.PositiveSmallIntegerField(
        _("délai d’alerte pour un dossier recevable en attente (jours)"), default=45
    )

    class Meta:
        verbose_name = _("commission")

    def __str__(self):
        return self.name
