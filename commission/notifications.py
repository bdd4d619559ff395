"""Notifications: what someone is waiting on, in the header's list and by e-mail.

The apps call `notify(users, kind, text, url)` where the event happens (parcours.notifications,
parcours.tasks_exports). It writes one row per user, and its e-mail in the outbox (commission.outbox),
in the caller's transaction, so an event rolled back tells no one. The text and the e-mail name a
dossier by its pseudonymous reference only, never a person: an e-mail crosses servers the prefecture
does not control.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from commission import outbox
from commission.models import EmailKind, Notification, NotificationKind

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
    if email:
        queued = [queue_email(row, recipients[row.recipient_id].email) for row in rows]
        outbox.send_after_commit(row.pk for row in queued if row is not None)
    return rows


def absolute(url) -> str:
    return settings.SITE_URL.rstrip("/") + url


def queue_email(notification, address):
    """Write the notification's e-mail in the outbox (its emailed_at is stamped when it leaves)."""
    context = {
        "text": notification.text,
        "url": absolute(notification.url),
        "expires_hours": EXPORT_LINK_HOURS if notification.kind == NotificationKind.EXPORT_PRET else None,
    }
    return outbox.queue(
        address,
        render_to_string("commission/emails/notification_subject.txt", context),
        render_to_string("commission/emails/notification_body.txt", context),
        kind=EmailKind.NOTIFICATION,
        key=f"notification:{notification.pk}",
        related=notification,
        send=False,
    )
