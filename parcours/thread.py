"""The dossier's thread between the association and the secretariat; each message notifies the other side."""

from django.utils.translation import gettext as _

from commission.jobs import enqueue
from parcours.enums import MessageKind, MessageSide
from parcours.models import Message
from parcours.workflow.errors import WorkflowError


def post(demande, *, author, side: str, body: str, kind: str = MessageKind.MESSAGE) -> Message:
    if not body.strip():
        raise WorkflowError(_("Le message est vide : écrivez votre message avant de l’envoyer."))
    if side not in MessageSide.values:
        raise WorkflowError(_("Expéditeur inconnu."))
    message = Message.objects.create(demande=demande, author=author, side=side, body=body.strip(), kind=kind)
    from parcours.tasks import notify_message

    enqueue(notify_message, message.pk)  # a broker that is down is logged, never a 500
    return message
