"""The user's notifications: the list (newest first), opening one (marks it read and follows its link),
marking all read. Each user reaches only their own rows: someone else's notification is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commission.models import Notification

PER_PAGE = 20


@require_GET
def notification_list(request):
    notifications = Notification.objects.for_user(request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "commission/notifications.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "unread": notifications.unread().exists(),
        },
    )


@require_GET
def notification_open(request, pk):
    """Mark the notification read and go where it points (a path inside the site, checked again)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications")
    return redirect(notification.url)


@require_POST
def notification_mark_all_read(request):
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("notifications")
