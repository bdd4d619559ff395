from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.enums import MessageKind, MessageSide


class Message(models.Model):
    """The dossier's thread between the association and the secretariat."""

    demande = models.ForeignKey("parcours.Demande", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("de la part de"), max_length=20, choices=MessageSide.choices)
    kind = models.CharField(
        _("nature"), max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=MessageSide.values), name="message_side_valid"),
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="message_kind_valid"),
        ]

    def __str__(self):
        return f"{self.demande_id}/{self.pk}"
