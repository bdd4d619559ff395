"""E-mails are rows: written with the event, sent by a retrying task, each marked once it left.

`queue()` writes an OutboundEmail in the caller's transaction and, once that transaction commits, asks
a worker to send it. `send_pending()` sends the rows one by one: each is locked (`SELECT … FOR UPDATE
SKIP LOCKED`, so two workers never send the same row), sent, and marked sent in its own transaction,
together with the object it is about (a convocation is stamped when its e-mail leaves, not when it is
queued). A failure stops the run and is raised, so Celery retries with backoff; the rows already sent
stay sent and are never sent again. A periodic task (every five minutes) sends whatever is left, which
covers a broker that was down when the event committed.

At least once, never twice, except if the process dies between the mail server's acceptance and the
commit of the mark. The task lives here and is re-exported by commission.tasks for Celery's discovery.
"""

import datetime
import logging

from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from commission.models import EmailKind, OutboundEmail

logger = logging.getLogger(__name__)

# A row that failed this many times is left to an operator (the periodic task skips it; logged).
MAX_ATTEMPTS = 10
# Sent rows are kept this long (to answer "did the convocation leave?"), then deleted: their bodies
# hold dossier references and agendas, which need not outlive their use.
KEEP_SENT_DAYS = 30


def queue(to, subject, body, *, kind, key, related=None, send=True) -> OutboundEmail | None:
    """Write one e-mail to `to` under `key` (one logical message: the same key twice writes one row),
    and send it once the caller's transaction commits. `subject` and `body` must hold no person's name.
    Returns the new row, or None when the key was already queued or there is no address."""
    if kind not in EmailKind.values:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    if not to:
        return None
    fields = {"kind": kind, "to": to, "subject": subject.strip()[:255], "body": body}
    if related is not None:
        fields["content_type"] = ContentType.objects.get_for_model(related)
        fields["object_id"] = related.pk
    row, created = OutboundEmail.objects.get_or_create(key=key, defaults=fields)
    if not created:
        return None
    if send:
        send_after_commit([row.pk])
    return row


def send_after_commit(ids) -> None:
    if ids:
        ids = list(ids)
        # robust: a broker that cannot be reached must not undo the event; the periodic task sends it.
        transaction.on_commit(lambda: send_emails.delay(ids), robust=True)


def _stamp_related(row, now) -> None:
    """Stamp the object the e-mail is about with the time it left, if its model says which field."""
    if row.content_type_id is None:
        return
    model = row.content_type.model_class()
    field = getattr(model, "OUTBOX_SENT_FIELD", None)
    if model is not None and field:
        model._default_manager.filter(pk=row.object_id).update(**{field: now})


def send_one(pk, connection=None) -> bool:
    """Send the row `pk` if it is still unsent and no other worker holds it; True if it left now.
    A failure is counted on the row (its type only) and raised."""
    error = None
    with transaction.atomic():
        row = (
            OutboundEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("content_type")
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        try:
            # One e-mail per recipient: no one learns who else is told.
            EmailMessage(row.subject, row.body, None, [row.to], connection=connection).send()
        except Exception as exc:
            error = exc
            row.attempts += 1
            row.last_error = type(exc).__name__[:100]
            row.save(update_fields=["attempts", "last_error"])
        else:
            now = timezone.now()
            row.sent_at = now
            row.attempts += 1
            row.last_error = ""
            row.save(update_fields=["sent_at", "attempts", "last_error"])
            _stamp_related(row, now)
    if error is not None:
        logger.warning("E-mail %s not sent (%s), attempt %d", pk, type(error).__name__, row.attempts)
        raise error
    return True


def send_pending(ids=None) -> int:
    """Send the rows `ids` (all unsent rows under MAX_ATTEMPTS when None), oldest first, each on its
    own; returns how many left now. The first failure stops the run and is raised."""
    rows = OutboundEmail.objects.unsent()
    rows = rows.filter(pk__in=ids) if ids is not None else rows.filter(attempts__lt=MAX_ATTEMPTS)
    pks = list(rows.order_by("attempts", "pk").values_list("pk", flat=True))
    sent = 0
    if not pks:
        return sent
    with get_connection() as connection:
        for pk in pks:
            sent += send_one(pk, connection=connection)
    logger.info("E-mails sent: %d of %d", sent, len(pks))
    return sent


@shared_task(
    name="commission.tasks.send_outbox",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_emails(ids=None):
    """Send the queued e-mails `ids` (or every unsent one); those already sent are skipped, so a retry
    resends nothing."""
    return send_pending(ids)


@shared_task(name="commission.tasks.send_unsent_emails", acks_late=True)
def send_unsent_emails():
    """Every five minutes: send what is still unsent (a broker down when the event committed, a mail
    server down longer than the retries). Rows that failed MAX_ATTEMPTS times are reported, not tried.
    Rows sent more than KEEP_SENT_DAYS ago are deleted (the event keeps its own date: sent_at…)."""
    OutboundEmail.objects.filter(
        sent_at__lt=timezone.now() - datetime.timedelta(days=KEEP_SENT_DAYS)
    ).delete()
    stuck = OutboundEmail.objects.unsent().filter(attempts__gte=MAX_ATTEMPTS).count()
    if stuck:
        logger.error("%d e-mails failed %d times and are no longer tried", stuck, MAX_ATTEMPTS)
    try:
        return send_pending()
    except OSError as error:
        # The next run, in five minutes, tries again.
        logger.warning("Sending the unsent e-mails stopped (%s)", type(error).__name__)
        return None
