from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.enums import CourrierKind, RappelKind


class Courrier(models.Model):
    """A letter generated from a decision; never edited by hand afterwards."""

    decision = models.ForeignKey("parcours.Decision", on_delete=models.PROTECT, related_name="courriers")
    kind = models.CharField(_("courrier"), max_length=20, choices=CourrierKind.choices)
    file_path = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("courrier")
        constraints = [
            # Idempotency: a job run twice makes one letter per decision and kind.
            models.UniqueConstraint(fields=["decision", "kind"], name="courrier_unique_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.decision_id})"


class Rappel(models.Model):
    """A reminder, sent once: `key` is the idempotency key of the daily job."""

    kind = models.CharField(_("rappel"), max_length=30, choices=RappelKind.choices)
    key = models.CharField(max_length=100, unique=True)
    commission = models.ForeignKey("commission.Commission", on_delete=models.CASCADE, related_name="rappels")
    organisation = models.ForeignKey(
        "commission.Organisation", on_delete=models.CASCADE, related_name="rappels", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rappels", null=True, blank=True
    )
    parcours = models.ForeignKey("parcours.Parcours", on_delete=models.CASCADE, null=True, blank=True)
    demande = models.ForeignKey("parcours.Demande", on_delete=models.CASCADE, null=True, blank=True)
    titre_sejour = models.ForeignKey("parcours.TitreSejour", on_delete=models.CASCADE, null=True, blank=True)
    due_on = models.DateField(_("échéance"))
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        ordering = ["due_on"]
        indexes = [models.Index(fields=["organisation", "done_at"])]

    def __str__(self):
        return self.key
