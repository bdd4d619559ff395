from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
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
    person = get_object_or_404(beneficiaires_access.visible_to(request.user), pk=pk)
    pdf = privacy.access_report_pdf(person)
    # Logged once the PDF is rendered: the access log's chain lock is then held for an INSERT, not for
    # the seconds WeasyPrint takes (other pages that log a read would wait on it).
    audit.record(request, person, AuditAction.ACCESS_REQUEST)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="droit-acces-{person.reference}.pdf"'
    return response
