from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import Role, choice_label
from commission.models.audit import AppendOnlyError

# The two flags that open the Django admin, recorded like the role groups.
STAFF_FLAG = "is_staff"
SUPERUSER_FLAG = "is_superuser"
FLAG_LABELS = {
    STAFF_FLAG: _("Accès à l’administration"),
    SUPERUSER_FLAG: _("Super-administrateur·rice (tous les droits)"),
}


class RoleChange(models.Model):
    """One row per role given or taken away (a group, the admin's flags): who, to whom, what, when.

    Append-only, like the access log: the data-protection officer reads it to see who gave whom a way
    into the persons' files. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0009), so an
    account with a history of roles is deactivated, not deleted; elsewhere (the demo's SQLite, whose
    reset deletes its accounts) the rows go with the account. Written by signals on the user and its groups (commission.roles), so a
    change from the admin, a command or the shell is recorded alike.
    """

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Vide pour une commande ou une migration, sans utilisateur·rice connecté·e."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte concerné"),
        on_delete=models.CASCADE,
        related_name="role_changes",
    )
    role = models.CharField(_("rôle ou droit"), max_length=150)
    granted = models.BooleanField(_("accordé"), help_text=_("Faux si le rôle a été retiré."))

    class Meta:
        verbose_name = _("changement de rôle")
        verbose_name_plural = _("changements de rôles")
        ordering = ["-at", "-pk"]

    def __str__(self):
        sign = "+" if self.granted else "-"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {sign}{self.role} {self.user_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The role changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The role changes are append-only")

    @property
    def role_label(self):
        if self.role in FLAG_LABELS:
            return str(FLAG_LABELS[self.role])
        return choice_label(Role, self.role)
