"""E-mails to commission members: pseudonymised, with a link to the application.

They are written in the outbox (commission.outbox) in the transaction that convenes or cancels the
session, and sent from there: a convocation's `sent_at` is stamped when its e-mail actually leaves.
They greet no one by name and name the dossiers by their pseudonymous reference only."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commission import outbox
from commission.models import EmailKind, OutboundEmail
from commission.seances.models import Convocation
from parcours.pseudonymise import Redactor

CONVOCATION_KEY = "convocation:{pk}:"


def _convocation_email(convocation):
    seance = convocation.seance
    rescheduled = seance.evenements.filter(transition="reschedule").order_by("at", "pk").last()
    points = list(
        seance.points.select_related("demande__beneficiaire", "presenting_association").order_by("order")
    )
    context = {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "points": points,
        # Members read the e-mail: the urgency reason is masked like every session text.
        "urgency_reason": Redactor(*(p.demande.beneficiaire for p in points))(seance.urgency_reason),
        "url": settings.SITE_URL.rstrip("/") + reverse("commission:seance", args=[seance.pk]),
        # A rescheduled session: the convocation says which date it replaces.
        "previous_starts_at": timezone.localtime(rescheduled.previous_starts_at) if rescheduled else None,
    }
    subject = render_to_string("commission/emails/convocation_subject.txt", context)
    body = render_to_string("commission/emails/convocation_body.txt", context)
    return subject, body


def _unsent_convocations(convocation):
    return OutboundEmail.objects.unsent().filter(
        kind=EmailKind.CONVOCATION, key__startswith=CONVOCATION_KEY.format(pk=convocation.pk)
    )


def queue_convocation(convocation, version) -> OutboundEmail | None:
    """Write the convocation's e-mail (its `version`, the time of this convening, makes its key), in
    the caller's transaction; one not sent yet for an earlier convening is replaced by it, so a member
    receives the latest agenda once. The caller sends the rows once its transaction commits."""
    _unsent_convocations(convocation).delete()
    subject, body = _convocation_email(convocation)
    return outbox.queue(
        convocation.mandat.user.email,
        subject,
        body,
        kind=EmailKind.CONVOCATION,
        key=CONVOCATION_KEY.format(pk=convocation.pk) + version,
        related=convocation,
        send=False,
    )


def queue_cancellation(convocation, reason=None) -> OutboundEmail | None:
    """Write the e-mail telling a convened member that the session is cancelled (no agenda: nothing
    of the dossiers). A convocation not sent yet is not sent any more. `reason` is the cancellation's
    reason as members may read it (masked by the caller, who still knows the agenda's persons); without
    it, the recorded reason is masked with no person known but identity in general."""
    _unsent_convocations(convocation).delete()
    seance = convocation.seance
    context = {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "reason": reason
        if reason is not None
        else Redactor()(
            seance.evenements.filter(transition="cancel").values_list("reason", flat=True).last() or ""
        ),
    }
    return outbox.queue(
        convocation.mandat.user.email,
        render_to_string("commission/emails/cancellation_subject.txt", context),
        render_to_string("commission/emails/cancellation_body.txt", context),
        kind=EmailKind.ANNULATION,
        key=f"annulation:{convocation.pk}",
        # About the session: the convocation's sent_at keeps the date its convocation left.
        related=seance,
        send=False,
    )


def _convocation(convocation_id):
    return Convocation.objects.select_related("seance__commission", "mandat__user").get(pk=convocation_id)


def send_convocation(convocation_id) -> int:
    """For a job queued before the outbox: write the convocation's e-mail unless one exists, then send
    the unsent ones of this convocation."""
    convocation = _convocation(convocation_id)
    rows = OutboundEmail.objects.filter(
        kind=EmailKind.CONVOCATION, key__startswith=CONVOCATION_KEY.format(pk=convocation.pk)
    )
    if not rows.exists():
        queue_convocation(convocation, "legacy")
    return outbox.send_pending(list(_unsent_convocations(convocation).values_list("pk", flat=True)))


def send_cancellation(convocation_id) -> int:
    """For a job queued before the outbox: write the cancellation's e-mail (once), then send it."""
    queue_cancellation(_convocation(convocation_id))
    return outbox.send_pending(
        list(
            OutboundEmail.objects.unsent()
            .filter(key=f"annulation:{convocation_id}")
            .values_list("pk", flat=True)
        )
    )
