"""Who is told what about a dossier: the notifications (header list and e-mail, see
commission.notifications) of the thread's messages, of the steps someone waits on (agenda, opinion,
decision) and of a residence permit to issue. They carry the pseudonymous reference and a link, never a
person's name nor the outcome of an opinion or a decision."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _

from commission.enums import OrganisationKind, Role
from commission.models import NotificationKind
from commission.notifications import notify
from parcours.enums import MessageKind, MessageSide
from parcours.models import DemandeEvenement, Message, TitreSejourEvenement


def secretariat_users(commission):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.SECRETARIAT,
            organisation__kind=OrganisationKind.SECRETARIAT,
            organisation__departement_id=commission.departement_id,
        )
        .distinct()
    )


def association_users(association):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.REFERENT, organisation=association)
        .distinct()
    )


def current_association(demande):
    current = (
        demande.beneficiaire.accompagnements.filter(end__isnull=True).select_related("association").first()
    )
    return current.association if current else demande.association


def dossier_caseworkers(demande):
    """Who at the association answers for the dossier: its referent while they work for the
    association that accompanies the person now, else all its caseworkers."""
    association = current_association(demande)
    caseworkers = association_users(association)
    if demande.referent_id:
        referent = caseworkers.filter(pk=demande.referent_id)
        if referent.exists():
            return referent
    return caseworkers


# Which notification each kind of message of the thread gives.
MESSAGE_NOTIFICATIONS = {
    MessageKind.COMPLEMENT: NotificationKind.COMPLEMENT_DEMANDE,
    MessageKind.RESUBMISSION: NotificationKind.DOSSIER_REDEPOSE,
}


def _message_text(kind, reference) -> str:
    if kind == NotificationKind.COMPLEMENT_DEMANDE:
        return _("Complément demandé par le secrétariat – dossier %(reference)s") % {"reference": reference}
    if kind == NotificationKind.DOSSIER_REDEPOSE:
        return _("Dossier complété et déposé à nouveau – dossier %(reference)s") % {"reference": reference}
    return _("Nouveau message dans le fil d’échanges – dossier %(reference)s") % {"reference": reference}


def notify_message(message_id) -> int:
    """Tell the other side of the thread: a complement requested goes to the dossier's caseworker(s),
    another message from the secretariat to the association's caseworkers, a message or a dossier filed
    again by the association to the secretariat. Never the author, never the message's text."""
    message = Message.objects.select_related("demande__beneficiaire", "demande__commission").get(
        pk=message_id
    )
    demande = message.demande
    kind = MESSAGE_NOTIFICATIONS.get(message.kind, NotificationKind.MESSAGE)
    if message.side == MessageSide.ASSOCIATION:
        recipients = secretariat_users(demande.commission)
    elif kind == NotificationKind.COMPLEMENT_DEMANDE:
        recipients = dossier_caseworkers(demande)
    else:
        recipients = association_users(current_association(demande))
    recipients = recipients.exclude(pk=message.author_id)
    text = _message_text(kind, demande.beneficiaire.reference)
    return len(notify(recipients, kind, text, dossier_path(demande) + "#fil-echanges"))


def etrangers_users(departement_id):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.ETRANGERS,
            organisation__kind=OrganisationKind.SERVICE_ETRANGERS,
            organisation__departement_id=departement_id,
        )
        .distinct()
    )


def dossier_path(demande) -> str:
    return reverse("parcours:dossier", args=[demande.pk])


def notify_decision(decision) -> int:
    """Once the decision's letters are on the dossier: the dossier's caseworker(s), to pass the letter on
    to the person, and the secretariat, to follow up. Neither the name nor the outcome."""
    demande = decision.demande
    reference = demande.beneficiaire.reference
    url = dossier_path(demande) + "#decision"
    association = notify(
        dossier_caseworkers(demande),
        NotificationKind.DECISION_PRISE,
        _("Décision du préfet – dossier %(reference)s : le courrier est à remettre à la personne")
        % {"reference": reference},
        url,
    )
    secretariat = notify(
        secretariat_users(demande.commission),
        NotificationKind.DECISION_PRISE,
        _("Décision du préfet – dossier %(reference)s : les courriers sont produits")
        % {"reference": reference},
        url,
    )
    return len(association) + len(secretariat)


# --- steps of the dossier and permits, told when their event row is written -----------------------


def demande_event(event) -> int:
    """A dossier put on a session's agenda (its caseworker(s)), an opinion given (its caseworker(s) and
    the secretariat). Whoever did it is not told."""
    if event.transition not in ("put_on_agenda", "record_avis"):
        return 0
    demande = event.demande
    reference = demande.beneficiaire.reference
    url = dossier_path(demande)
    if event.transition == "put_on_agenda":
        recipients = list(dossier_caseworkers(demande))
        kind = NotificationKind.INSCRIT_ORDRE_DU_JOUR
        text = _("Dossier %(reference)s inscrit à l’ordre du jour d’une séance de la commission")
    else:
        recipients = [*dossier_caseworkers(demande), *secretariat_users(demande.commission)]
        kind = NotificationKind.AVIS_RENDU
        text = _("Avis de la commission rendu – dossier %(reference)s")
    recipients = [user for user in recipients if user.pk != event.user_id]
    return len(notify(recipients, kind, text % {"reference": reference}, url))


def titre_event(event) -> int:
    """A residence permit to issue, first or renewed: the prefecture's foreigners' service."""
    if event.transition not in ("open", "mark_to_renew"):
        return 0
    titre = event.titre
    parcours = titre.parcours
    text = _("Autorisation provisoire de séjour à délivrer – dossier %(reference)s") % {
        "reference": parcours.beneficiaire.reference
    }
    recipients = etrangers_users(parcours.commission.departement_id)
    return len(
        notify(
            recipients, NotificationKind.TITRE_A_DELIVRER, text, reverse("decisions:titre", args=[titre.pk])
        )
    )


def _on_demande_event(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        demande_event(instance)


def _on_titre_event(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        titre_event(instance)


def register():
    """Listen to the event rows the transition engine writes: the workflow stays unaware of who is told."""
    post_save.connect(_on_demande_event, sender=DemandeEvenement, dispatch_uid="parcours.notify_demande")
    post_save.connect(_on_titre_event, sender=TitreSejourEvenement, dispatch_uid="parcours.notify_titre")
