from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A form's one-time token, spent by its first successful submission (commission.idempotency).

    The unique pair (user, token) is what makes a second submission of the same page — Back, a double
    click, a second tab — a no-op: the database refuses the second row, even while the first request
    is still running."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("utilisateur·rice"),
    )
    token = models.UUIDField(_("jeton du formulaire"))
    result_url = models.CharField(_("page du résultat"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("formulaire envoyé")
        verbose_name_plural = _("formulaires envoyés")
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_submission_once")]
        indexes = [models.Index(fields=["user", "created_at"], name="form_submission_age")]

    def __str__(self):
        return f"{self.token} ({self.created_at:%Y-%m-%d %H:%M})"
