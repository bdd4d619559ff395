"""The person withdraws or has left: the association (or the secretariat) records it, dated, with its
reason. That day the pathway ends, its AFIS right ends and the paying body's notice is produced, and the
permit's follow-up records that it is not renewed on this ground (parcours.workflow.sorties).

Irreversible: the form asks to confirm it. Reached through `parcours_exitable_by`: anyone else gets 404.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commission.validators import CleanInputMixin
from parcours.access import parcours_exitable_by
from parcours.enums import ParcoursEndReason
from parcours.workflow import WorkflowError
from parcours.workflow import sorties as workflow

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExitForm(CleanInputMixin, forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Ce qui s’est passé"),
        choices=[(reason.value, reason.label) for reason in workflow.EXIT_REASONS],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(
        label=gettext_lazy("Date"),
        help_text=gettext_lazy(
            "Le jour où la personne a fait connaître son retrait, ou a quitté le département."
        ),
        widget=DATE_INPUT,
    )
    note = forms.CharField(
        label=gettext_lazy("Motif"),
        help_text=gettext_lazy("Il figure à l’historique du parcours. N’y écrivez que ce qui est utile."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme : le parcours prend fin à cette date, ce qui ne peut pas être annulé."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la fin du parcours.")},
    )

    def __init__(self, *args, parcours, **kwargs):
        self.parcours = parcours
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        if day < self.parcours.started_on:
            raise forms.ValidationError(_("La date ne peut pas précéder le début du parcours."))
        return day


@require_http_methods(["GET", "POST"])
def parcours_exit(request, pk):
    queryset = parcours_exitable_by(request.user).select_related("beneficiaire")
    if request.method == "POST":
        queryset = queryset.select_for_update(of=("self",))
    parcours = get_object_or_404(queryset, pk=pk)
    person = parcours.beneficiaire
    if not workflow.can_record_exit(parcours):
        messages.error(
            request, _("Ce parcours est terminé : aucun retrait ni départ ne peut plus être enregistré.")
        )
        return redirect("beneficiaires:detail", pk=person.pk)
    form = ExitForm(request.POST if request.method == "POST" else None, parcours=parcours)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.record_exit(
                parcours, reason=data["reason"], on=data["on"], note=data["note"], user=request.user
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Le parcours a pris fin (%(reason)s). Le droit à l’AFIS prend fin à cette date.")
                % {"reason": ParcoursEndReason(data["reason"]).label},
            )
            return redirect("beneficiaires:detail", pk=person.pk)
    return render(
        request, "parcours/parcours_exit.html", {"parcours": parcours, "person": person, "form": form}
    )
