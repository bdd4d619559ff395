"""The annual report (bilan): the secretariat and the president of a commission see theirs; an
administrator chooses any commission or all of them. Everybody else: 404.

The page shows exact figures with their charts; the PDF, CSV and XLSX files hide small counts unless the
user asks for exact figures for internal use, which the access log records (as every download)."""

import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission import audit
from commission.dates import add_months
from commission.enums import AuditAction
from commission.models import Commission
from commission.validators import CleanInputMixin
from parcours import bilan, bilan_exports
from parcours.access import reachable_commissions

MAX_YEARS = 5
DOWNLOADS = {
    "pdf": ("application/pdf", bilan_exports.to_pdf),
    "csv": ("text/csv; charset=utf-8", bilan_exports.to_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bilan_exports.to_xlsx,
    ),
}


def default_period(today=None):
    """The twelve months ending today, both days included."""
    today = today or timezone.localdate()
    return add_months(today, -12) + datetime.timedelta(days=1), today


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BilanForm(CleanInputMixin, forms.Form):
    commission = forms.ModelChoiceField(
        label=_("Commission"),
        queryset=Commission.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choisissez une commission de la liste.")},
    )
    debut = forms.DateField(
        label=_("Du"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez le premier jour de la période."),
            "invalid": _("Date invalide."),
        },
    )
    fin = forms.DateField(
        label=_("Au"),
        help_text=_("Jour inclus."),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez le dernier jour de la période."),
            "invalid": _("Date invalide."),
        },
    )
    exacts = forms.BooleanField(
        label=_("Chiffres exacts pour un usage interne"),
        help_text=_(
            "Sans cette case, les fichiers téléchargés affichent « < 5 » pour tout effectif de 1 à 4 "
            "personnes. Le téléchargement de chiffres exacts est enregistré dans le journal des accès."
        ),
        required=False,
    )

    def __init__(self, data, *, commissions, national):
        super().__init__(data)
        self.national = national
        field = self.fields["commission"]
        field.queryset = commissions.select_related("departement").order_by("departement__code")
        field.label_from_instance = lambda c: f"{c.departement.name} ({c.departement.code})"
        if national:
            field.empty_label = _("Toutes les commissions (bilan national)")
        elif len(field.queryset) > 1:
            field.required = True
            field.empty_label = None
        else:
            field.widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("debut"), cleaned.get("fin")
        if start and end:
            if end < start:
                self.add_error(
                    "fin", _("La fin de la période doit être le même jour que son début ou après.")
                )
            elif end >= add_months(start, 12 * MAX_YEARS):
                self.add_error(
                    "fin", _("La période ne peut pas dépasser cinq ans : choisissez une fin plus proche.")
                )
        return cleaned

    def scope(self):
        """(commissions of the report, national or not), once the form is valid."""
        chosen = self.cleaned_data.get("commission")
        if chosen is not None:
            return Commission.objects.filter(pk=chosen.pk), False
        if self.national:
            return self.fields["commission"].queryset, True
        return self.fields["commission"].queryset, False


def _object_id(report):
    scope = "toutes" if report.national else ",".join(str(c.pk) for c in report.commissions)
    return f"{scope}:{report.start}:{report.end}"[:40]


def bilan_view(request):
    commissions, national = reachable_commissions(request.user)
    if not commissions.exists():
        raise Http404
    if "debut" in request.GET or "fin" in request.GET:
        data = request.GET
    else:
        start, end = default_period()
        data = {"debut": start.isoformat(), "fin": end.isoformat()}
    form = BilanForm(data, commissions=commissions, national=national)
    valid = form.is_valid()
    if form.has_error("commission", "invalid_choice"):
        # Somebody else's commission, or none: nothing tells whether it exists.
        raise Http404
    report = None
    if valid:
        scope, is_national = form.scope()
        report = bilan.compute(
            scope, form.cleaned_data["debut"], form.cleaned_data["fin"], national=is_national
        )
        download = request.GET.get("format")
        if download in DOWNLOADS:
            return _download(request, report, download, exact=form.cleaned_data["exacts"])
    return render(
        request,
        "parcours/bilan/rapport.html",
        {
            "form": form,
            "shown": bilan_exports.present(report, masked=False) if report else None,
            "threshold": bilan_exports.THRESHOLD,
        },
    )


def _download(request, report, file_format, *, exact):
    object_id = _object_id(report)
    audit.record(request, None, AuditAction.EXPORT, object_type="parcours.Bilan", object_id=object_id)
    if exact:
        audit.record(
            request, None, AuditAction.EXACT_FIGURES, object_type="parcours.Bilan", object_id=object_id
        )
    content_type, make = DOWNLOADS[file_format]
    response = HttpResponse(make(report, exact=exact), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{bilan_exports.filename(report, file_format)}"'
    return response
