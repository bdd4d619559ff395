"""E-mails sent by the jobs. They carry the pseudonymous reference and a link, never a person's name."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from commission.enums import OrganisationKind, Role
from parcours.enums import MessageSide
from parcours.models import Message


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


def notify_message(message_id) -> int:
    message = Message.objects.select_related("demande__beneficiaire", "demande__commission").get(
        pk=message_id
    )
    demande = message.demande
    if message.side == MessageSide.ASSOCIATION:
        recipients = secretariat_users(demande.commission)
    else:
        recipients = association_users(current_association(demande))
    emails = sorted(recipients.exclude(pk=message.author_id).values_list("email", flat=True))
    if not emails:
        return 0
    context = {
        "reference": demande.beneficiaire.reference,
        "kind": message.get_kind_display(),
        "url": settings.SITE_URL.rstrip("/") + reverse("parcours:dossier", args=[demande.pk]),
    }
    subject = render_to_string("parcours/emails/message_subject.txt", context).strip()
    body = render_to_string("parcours/emails/message_body.txt", context)
    # One e-mail per recipient: no one learns who else receives it.
    for email in emails:
        send_mail(subject, body, None, [email])
    return len(emails)


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


def dossier_url(demande) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("parcours:dossier", args=[demande.pk])


def notify_decision(decision) -> int:
    """Tell the accompanying association's caseworkers that the decision and its letter are on the
    dossier, for them to pass it on to the person (no personal data in the e-mail)."""
    demande = decision.demande
    emails = sorted(association_users(current_association(demande)).values_list("email", flat=True))
    # Neither the name nor the outcome: an e-mail may cross servers the prefecture does not control.
    context = {"reference": demande.beneficiaire.reference, "url": dossier_url(demande) + "#decision"}
    subject = render_to_string("parcours/emails/decision_subject.txt", context).strip()
    body = render_to_string("parcours/emails/decision_body.txt", context)
    for email in emails:
        send_mail(subject, body, None, [email])
    return len(emails)
