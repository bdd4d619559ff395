from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import AuditAction


class AppendOnlyError(Exception):
    pass


class AccessLog(models.Model):
    """One row per read, download, export or letter of personal data: who, when, from where, which object.

    Append-only: the application never updates or deletes a row (save and delete refuse it), and on
    PostgreSQL a trigger refuses UPDATE and DELETE on the table (migration 0006).
    """

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur·rice"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Vide pour une tâche automatique (anonymisation planifiée)."),
    )
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("type d’objet"), max_length=50)
    object_id = models.CharField(_("identifiant"), max_length=40)
    person_id = models.BigIntegerField(
        _("personne concernée (identifiant)"), null=True, blank=True, db_index=True
    )
    path = models.CharField(_("adresse consultée"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("journal des accès")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="accesslog_action_valid")
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only")
