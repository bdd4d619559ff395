from django.http import Http404, HttpResponse
from django.views.decorators.http import require_POST

from beneficiaires import access as beneficiaires_access
from commission import audit
from commission.enums import AuditAction
from parcours import privacy
from parcours.access import answers_access_requests


@require_POST
def access_report(request, pk):
    """The secretariat produces everything held on one person as one PDF (RGPD art. 15)."""
    if not answers_access_requests(request.user):
        raise Http404
    person = audit.get_or_404(
        request, beneficiaires_access.visible_to(request.user), action=AuditAction.ACCESS_REQUEST, pk=pk
    )
    response = HttpResponse(privacy.access_report_pdf(person), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="droit-acces-{person.reference}.pdf"'
    return response
