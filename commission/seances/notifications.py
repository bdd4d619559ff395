"""E-mails to commission members: pseudonymised, with a link to the application."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commission.seances.models import Convocation
from parcours.pseudonymise import Redactor


def send_convocation(convocation_id) -> None:
    convocation = Convocation.objects.select_related("seance__commission", "mandat__user").get(
        pk=convocation_id
    )
    seance = convocation.seance
    rescheduled = seance.evenements.filter(transition="reschedule").order_by("at", "pk").last()
    points = list(
        seance.points.select_related("demande__beneficiaire", "presenting_association").order_by("order")
    )
    context = {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "member": convocation.mandat.user,
        "points": points,
        # Members read the e-mail: the urgency reason is masked like every session text.
        "urgency_reason": Redactor(*(p.demande.beneficiaire for p in points))(seance.urgency_reason),
        "url": settings.SITE_URL.rstrip("/") + reverse("commission:seance", args=[seance.pk]),
        # A rescheduled session: the convocation says which date it replaces.
        "previous_starts_at": timezone.localtime(rescheduled.previous_starts_at) if rescheduled else None,
    }
    subject = render_to_string("commission/emails/convocation_subject.txt", context).strip()
    body = render_to_string("commission/emails/convocation_body.txt", context)
    send_mail(subject, body, None, [convocation.mandat.user.email])


def send_cancellation(convocation_id) -> None:
    """Tell a convened member that the session is cancelled (no agenda: nothing of the dossiers)."""
    convocation = Convocation.objects.select_related("seance__commission", "mandat__user").get(
        pk=convocation_id
    )
    seance = convocation.seance
    context = {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "member": convocation.mandat.user,
        "reason": seance.evenements.filter(transition="cancel").values_list("reason", flat=True).last() or "",
    }
    subject = render_to_string("commission/emails/cancellation_subject.txt", context).strip()
    body = render_to_string("commission/emails/cancellation_body.txt", context)
    send_mail(subject, body, None, [convocation.mandat.user.email])
