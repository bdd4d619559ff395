from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from commission.todo import sections_for


def home(request):
    return render(
        request,
        "commission/home.html",
        {"sections": sections_for(request.user), "today": timezone.localdate(), "now": timezone.now()},
    )


@login_not_required
@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")
