"""Notifications: what someone is waiting on, in the header's list and by e-mail.

The apps call `notify(users, kind, text, url)` where the event happens (parcours.notifications,
parcours.tasks_exports). It writes one row per user in the caller's transaction, so an event rolled
back tells no one, and queues the e-mails once the transaction commits. The text and the e-mail name a
dossier by its pseudonymous reference only, never a person: an e-mail crosses servers the prefecture
does not control. The task lives here and is re-exported by commission.tasks for Celery's discovery
(commission.tasks importing this module, and not the reverse, keeps the modules free of a cycle).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from commission.models import Notification, NotificationKind

logger = logging.getLogger(__name__)

# How long the signed link of an export stays valid; said in the e-mail.
EXPORT_LINK_HOURS = 24


def notify(users, kind, text, url, *, email=True) -> list[Notification]:
    """Tell each active user in `users` (once each, whatever the duplicates) that `text`, with a link to
    `url` (a path inside the site). `text` must hold no person's name: the e-mail carries it as is."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("A notification links to a path inside the site")
    recipients = {user.pk: user for user in users if user.is_active}
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=pk, kind=kind, text=str(text)[:255], url=url, created_at=now)
        for pk in sorted(recipients)
    )
    if email and rows:
        ids = [row.pk for row in rows]
        # robust: a broker that cannot be reached must not undo the event; the row stays in the list.
        transaction.on_commit(lambda: send_emails.delay(ids), robust=True)
    return rows


def absolute(url) -> str:
    return settings.SITE_URL.rstrip("/") + url


def email_one(notification) -> None:
    context = {
        "text": notification.text,
        "url": absolute(notification.url),
        "expires_hours": EXPORT_LINK_HOURS if notification.kind == NotificationKind.EXPORT_PRET else None,
    }
    subject = render_to_string("commission/emails/notification_subject.txt", context).strip()
    body = render_to_string("commission/emails/notification_body.txt", context)
    # One e-mail per recipient: no one learns who else is told.
    send_mail(subject, body, None, [notification.recipient.email])


def send_emails_now(ids) -> int:
    """E-mail the notifications `ids` not e-mailed yet; returns how many left. Each row is locked while
    its e-mail goes and marked in the same transaction, so a second run (or a concurrent one) skips it."""
    sent = 0
    for pk in ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if notification is None or not notification.recipient.email:
                continue
            email_one(notification)
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    logger.info("Notification e-mails sent: %d of %d", sent, len(ids))
    return sent


@shared_task(name="commission.tasks.send_notification_emails", autoretry_for=(OSError,), retry_backoff=True)
def send_emails(ids):
    """E-mail notifications (ids); the rows already e-mailed are skipped, so a retry resends nothing."""
    return send_emails_now(ids)
