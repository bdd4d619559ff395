from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from commission import audit, monitoring
from commission.todo import sections_for


def home(request):
    sections = sections_for(request.user)
    # The to-do lists name persons: each row about a person is a read of that person.
    audit.record_list(
        request, [row for s in sections for row in s.rows if audit.person_id_of(row) is not None]
    )
    return render(
        request,
        "commission/home.html",
        {"sections": sections, "today": timezone.localdate(), "now": timezone.now()},
    )


@login_not_required
@require_GET
@transaction.non_atomic_requests  # answers (503) even when the database does not
def health(request):
    """Open to anyone, naming no one: each part's status (commission/monitoring.py), 503 if one fails."""
    healthy, report = monitoring.health_report()
    return JsonResponse(report, status=200 if healthy else 503)
