from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailKind(models.TextChoices):
    CONVOCATION = "convocation", _("Convocation")
    ANNULATION = "annulation", _("Annulation de séance")
    NOTIFICATION = "notification", _("Notification")
    RAPPELS = "rappels_du_jour", _("Rappels du jour")


class OutboundEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)


class OutboundEmail(models.Model):
    """One e-mail to one address, written in the transaction of the event it tells (so an event rolled
    back sends nothing, and an event committed is never lost with a broker that is down), then sent by
    commission.outbox. The subject and body name dossiers by their pseudonymous reference only."""

    # One logical message, once: "convocation:<convocation pk>:<version>", "notification:<pk>"…
    key = models.CharField(_("clé"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=EmailKind.choices)
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    # What the e-mail is about, if anything: its model may name, in OUTBOX_SENT_FIELD, the date field
    # stamped when the e-mail actually leaves (a convocation's sent_at, a notification's emailed_at).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # The error's type only ("SMTPServerDisconnected"): an error's text may quote the address.
    last_error = models.CharField(_("dernière erreur"), max_length=100, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EmailKind.values), name="outboundemail_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["attempts", "id"], condition=Q(sent_at__isnull=True), name="outbox_unsent"),
            models.Index(fields=["content_type", "object_id"], name="outbox_related"),
        ]

    def __str__(self):
        return f"OutboundEmail {self.pk} ({self.kind})"
