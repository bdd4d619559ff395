"""The data-protection officer's view of the access log: filter by person, user and period; export."""

import csv

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from beneficiaires.models import Beneficiaire
from commission import audit
from commission.enums import AuditAction, Role
from commission.models import AccessLog
from commission.validators import CleanInputMixin


class AuditFilterForm(CleanInputMixin, forms.Form):
    reference = forms.CharField(label=_("Référence de la personne"), required=False, max_length=20)
    user = forms.EmailField(label=_("Adresse électronique de l’utilisateur·rice"), required=False)
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        return cleaned

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("reference"):
            person_ids = Beneficiaire.objects.filter(reference__iexact=data["reference"].strip()).values("pk")
            entries = entries.filter(person_id__in=person_ids)
        if data.get("user"):
            entries = entries.filter(user__email__iexact=data["user"])
        if data.get("start"):
            entries = entries.filter(at__date__gte=data["start"])
        if data.get("end"):
            entries = entries.filter(at__date__lte=data["end"])
        return entries


def _require_administrator(request):
    if not request.user.has_role(Role.ADMINISTRATEUR):
        raise Http404


def access_log(request):
    _require_administrator(request)
    form = AuditFilterForm(request.GET or None)
    entries = AccessLog.objects.select_related("user").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    if request.GET.get("format") == "csv" and form.is_bound and form.is_valid():
        audit.record(
            request, None, AuditAction.EXPORT, object_type="commission.AccessLog", object_id="export"
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="journal-des-acces.csv"'
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            ["date", "utilisateur", "adresse IP", "action", "objet", "identifiant", "personne (id)"]
        )
        for entry in entries.iterator(chunk_size=2000):
            writer.writerow(
                [
                    entry.at.isoformat(),
                    entry.user.email if entry.user else "",
                    entry.ip or "",
                    entry.action,
                    entry.object_type,
                    entry.object_id,
                    entry.person_id or "",
                ]
            )
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "commission/access_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
