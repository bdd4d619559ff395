"""The foreigners' service: the residence permits (APS) of its département's pathways, and their record.

Reached through `titres_visible_to` (the service of the département; anyone else: 404). The list and
its CSV export show only what issuing the permit needs: identity, nationality, the pathway's term and
the permit itself; nothing of the person's situation, story or project.
"""

import csv
import datetime

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from commission import audit
from commission.enums import AuditAction
from commission.validators import CleanInputMixin
from commission.versions import VersionedFormMixin
from parcours import afis, tasks
from parcours.access import letters_to_foreigners_service, records_permits, titres_visible_to
from parcours.models.droits import EXPIRING_DAYS, PERMIT_SITUATIONS
from parcours.workflow import WorkflowError
from parcours.workflow import titres as workflow

STATUTS = [("", gettext_lazy("Toutes")), *PERMIT_SITUATIONS]


# An <input type="date"> reads and sends ISO dates, whatever the language of the page.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TitreFilterForm(CleanInputMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Nom ou référence"), required=False, max_length=100)
    statut = forms.ChoiceField(label=gettext_lazy("Situation"), choices=STATUTS, required=False)

    def filter(self, queryset, today):
        if not self.is_valid():
            return queryset
        q, statut = self.cleaned_data["q"].strip(), self.cleaned_data["statut"]
        if q:
            queryset = queryset.filter(
                Q(parcours__beneficiaire__reference__icontains=q)
                | Q(parcours__beneficiaire__last_name__icontains=q)
                | Q(parcours__beneficiaire__first_names__icontains=q)
                | Q(parcours__beneficiaire__usage_name__icontains=q)
            )
        if statut:
            return queryset.in_situation(statut, today)
        return queryset

    @property
    def is_filtered(self):
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class IssueForm(VersionedFormMixin, CleanInputMixin, forms.Form):
    number = forms.CharField(label=gettext_lazy("Numéro de l’autorisation"), max_length=50)
    issued_on = forms.DateField(label=gettext_lazy("Délivrée le"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=gettext_lazy("Valable jusqu’au"), widget=DATE_INPUT)

    def __init__(self, *args, min_months, **kwargs):
        super().__init__(*args, **kwargs)
        # The legal minimum is dated data (RegleParcours), never written here.
        self.fields["valid_until"].help_text = _(
            "Au moins %(months)s mois (article L425-4 du CESEDA) ; proposée jusqu’à la fin de la période "
            "en cours du parcours, que l’autorisation suit."
        ) % {"months": min_months}


class CorrectionForm(IssueForm):
    reason = forms.CharField(
        label=gettext_lazy("Motif de la correction"),
        help_text=gettext_lazy(
            "Par exemple : numéro mal recopié. La saisie d’origine reste dans l’historique."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


def _titres(user):
    return titres_visible_to(user).select_related("parcours__beneficiaire")


def _filtered(request):
    if not records_permits(request.user):
        raise Http404
    today = timezone.localdate()
    form = TitreFilterForm(request.GET or None)
    titres = form.filter(_titres(request.user), today).order_by(
        "parcours__beneficiaire__last_name", "parcours__beneficiaire__first_names", "pk"
    )
    return form, titres, today


@require_GET
def titre_list(request):
    form, titres, today = _filtered(request)
    titres = list(titres)
    audit.record_list(request, titres)
    return render(
        request,
        "parcours/titres/titre_list.html",
        {"form": form, "titres": titres, "today": today, "soon": today + datetime.timedelta(EXPIRING_DAYS)},
    )


# Cells a spreadsheet would read as a formula (CSV injection): a name typed as "=HYPERLINK(…)".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


@require_GET
def titre_export(request):
    """CSV for a spreadsheet in French (semicolons, UTF-8 with BOM), with the list's filters."""
    _form, titres, today = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="autorisations-de-sejour-{today:%Y%m%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Référence"),
            _("Nom"),
            _("Prénoms"),
            _("Date de naissance"),
            _("Nationalités"),
            _("État"),
            _("Numéro"),
            _("Délivrée le"),
            _("Valable jusqu’au"),
            _("Fin de la période du parcours"),
        ]
    )
    titres = list(titres)
    for titre in titres:
        person = titre.parcours.beneficiaire
        writer.writerow(
            [
                _cell(person.reference),
                _cell(person.last_name),
                _cell(person.first_names),
                _date(person.birth_date),
                _cell(", ".join(country.name for country in person.nationalities)),
                _cell(titre.get_state_display()),
                _cell(titre.number),
                _date(titre.issued_on),
                _date(titre.valid_until),
                _date(titre.parcours.current_term_end),
            ]
        )
    audit.record_list(request, titres, AuditAction.EXPORT)
    return response


@require_http_methods(["GET", "POST"])
def titre_detail(request, pk):
    """One permit: the person, the pathway's term, the permits issued so far; record the issue or the
    renewal when one is awaited."""
    queryset = _titres(request.user)
    if request.method == "POST":
        queryset = queryset.select_for_update(of=("self",))
    titre = audit.get_or_404(request, queryset, pk=pk)
    awaiting = workflow.awaits_issue(titre)
    form = None
    today = timezone.localdate()
    if awaiting:
        form = IssueForm(
            request.POST if request.method == "POST" else None,
            initial={"issued_on": today, "valid_until": workflow.proposed_validity(titre, today)},
            min_months=workflow.min_months(today),
            versioned=titre,
        )
        if request.method == "POST" and form.is_valid():
            try:
                workflow.issue(titre, user=request.user, **form.cleaned_data)
                # The residence condition of the AFIS now holds: a right waiting for it is assessed.
                tasks.schedule_attestations(
                    afis.reassess_pending(titre.parcours, form.cleaned_data["issued_on"])
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("L’autorisation provisoire de séjour n° %(number)s est enregistrée.")
                    % {"number": form.cleaned_data["number"]},
                )
                return redirect("decisions:titre", pk=titre.pk)
    elif request.method == "POST":
        messages.error(request, _("Cette autorisation n’attend ni délivrance ni renouvellement."))
        return redirect("decisions:titre", pk=titre.pk)
    return _render_detail(request, titre, form=form)


def _render_detail(request, titre, *, form=None, correction=None):
    history = (
        titre.evenements.filter(transition__in=("issue", "correct"))
        .select_related("user")
        .order_by("-at", "-pk")
    )
    if correction is None and workflow.can_correct(titre):
        correction = CorrectionForm(
            initial={"number": titre.number, "issued_on": titre.issued_on, "valid_until": titre.valid_until},
            min_months=workflow.min_months(titre.issued_on),
            prefix="correction",
        )
    return render(
        request,
        "parcours/titres/titre_detail.html",
        {
            "titre": titre,
            "person": titre.parcours.beneficiaire,
            "form": form,
            "correction": correction,
            "history": history,
            "letters": list(letters_to_foreigners_service(request.user, [titre.parcours_id])),
        },
    )


@require_http_methods(["POST"])
def titre_correct(request, pk):
    """Correct the number or dates of an issued permit entered wrongly, with a reason (the first entry
    stays in the history)."""
    titre = audit.get_or_404(request, _titres(request.user).select_for_update(of=("self",)), pk=pk)
    if not workflow.can_correct(titre):
        messages.error(request, _("Seule une autorisation délivrée peut être corrigée."))
        return redirect("decisions:titre", pk=titre.pk)
    form = CorrectionForm(request.POST, min_months=workflow.min_months(titre.issued_on), prefix="correction")
    if form.is_valid():
        try:
            workflow.correct(titre, user=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("La correction est enregistrée ; la saisie d’origine reste dans l’historique.")
            )
            return redirect("decisions:titre", pk=titre.pk)
    return _render_detail(request, titre, correction=form)
