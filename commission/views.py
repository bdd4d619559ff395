from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from commission import audit
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
def health(request):
    return HttpResponse("ok", content_type="text/plain")
