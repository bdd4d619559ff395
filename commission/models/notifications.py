from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What someone is told about: each kind is something they are waiting on."""

    MESSAGE = "message", _("Nouveau message")
    COMPLEMENT_DEMANDE = "complement_demande", _("Complément demandé")
    DOSSIER_REDEPOSE = "dossier_redepose", _("Dossier déposé à nouveau")
    INSCRIT_ORDRE_DU_JOUR = "inscrit_odj", _("Dossier inscrit à l’ordre du jour")
    AVIS_RENDU = "avis_rendu", _("Avis de la commission rendu")
    DECISION_PRISE = "decision_prise", _("Décision du préfet")
    EXPORT_PRET = "export_pret", _("Export prêt")
    TITRE_A_DELIVRER = "titre_a_delivrer", _("Autorisation de séjour à délivrer")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one user is told, in the header's list and (once) by e-mail. The text names the
    dossier by its pseudonymous reference only, never a person: it goes out by e-mail as it is."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("type"), max_length=30, choices=NotificationKind.choices)
    text = models.CharField(_("texte"), max_length=255)
    # A path inside the site ("/dossiers/12/"); the e-mail prefixes SITE_URL.
    url = models.CharField(_("lien"), max_length=500)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    # Set once the e-mail left: the sending task skips the rows already e-mailed (safe to run twice).
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    # Stamped by commission.outbox when the e-mail leaves.
    OUTBOX_SENT_FIELD = "emailed_at"

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(condition=Q(url__startswith="/"), name="notification_url_is_local"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "created_at"]),
        ]

    def __str__(self):
        return f"Notification {self.pk} ({self.kind}) for user {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
