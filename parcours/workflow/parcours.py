"""State machine of an authorised pathway, as the domain lists it:

authorised (en cours, term 1 of six months, with start and end dates) → renewed (term N) … → terminé
(reason: term reached without renewal, 24-month cap, withdrawal, early end by the prefect, departure).

Rules (CASF L121-9, décret n° 2016-1467): terms of six months, renewable, 24 months at most in all;
term length and cap are dated data (RegleParcours). The pathway ends at the end of the last
authorised term, at the cap, on withdrawal, on the prefect's early end, or on departure.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.dates import term_end
from commission.transitions import Machine, Transition, WorkflowError
from parcours.enums import DecisionKind, DemandeKind, ParcoursEndReason, ParcoursState
from parcours.models import CLOSED_STATES, Demande, Parcours, Periode, RegleParcours

from . import titres

S = ParcoursState
TRANSITIONS = (
    Transition("authorise", (), S.EN_COURS, gettext_lazy("Autorisation d’engagement dans le parcours")),
    Transition("renew", (S.EN_COURS,), S.EN_COURS, gettext_lazy("Renouvellement")),
    Transition("end", (S.EN_COURS,), S.TERMINE, gettext_lazy("Fin du parcours")),
)
MACHINE = Machine(
    field="state",
    transitions=TRANSITIONS,
    log_model="parcours.ParcoursEvenement",
    log_fk="parcours",
    refusal=gettext_lazy("Ce parcours est « %(state)s » : cette opération n’est plus possible."),
)


def allowed_transitions(parcours) -> list[str]:
    return MACHINE.allowed(parcours)


def months_authorised(parcours) -> int:
    return parcours.periodes.aggregate(total=Sum("months"))["total"] or 0


@dataclass(frozen=True)
class PathwayLength:
    """The months a pathway was granted, against the cap of the rule in force at its current term's end."""

    months: int
    cap: int

    @property
    def remaining(self) -> int:
        return max(self.cap - self.months, 0)


def length_of(parcours) -> PathwayLength:
    """Months and cap in two queries, for a page that shows granted, cap and what is left."""
    rule = RegleParcours.in_force(parcours.current_term_end)
    return PathwayLength(months=months_authorised(parcours), cap=rule.cap_months)


def remaining_months(parcours) -> int:
    return length_of(parcours).remaining


def can_renew(parcours, length: PathwayLength | None = None) -> bool:
    """`length`, when the caller has it already, saves reading it again."""
    if not MACHINE.can(parcours, "renew"):
        return False
    return (length or length_of(parcours)).remaining > 0


@transaction.atomic
def authorise(*, beneficiaire, commission, start: datetime.date, decision=None, user=None) -> Parcours:
    """First authorisation: a pathway with its first term (six months under the rule in force)."""
    if Parcours.objects.active().filter(beneficiaire=beneficiaire).exists():
        raise WorkflowError(_("Cette personne a déjà un parcours en cours."))
    rule = RegleParcours.in_force(start)
    months = min(rule.term_months, rule.cap_months)
    end = term_end(start, months)
    parcours = Parcours(
        beneficiaire=beneficiaire, commission=commission, started_on=start, current_term_end=end
    )
    MACHINE.apply(parcours, "authorise", user=user)
    Periode.objects.create(
        parcours=parcours, number=1, start=start, end=end, months=months, decision=decision
    )
    titres.open_for(parcours)
    return parcours


@transaction.atomic
def renew(parcours, *, decision=None, user=None) -> Periode:
    """A further term, from the day after the current one ends, never beyond the cap."""
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    if not MACHINE.can(parcours, "renew"):
        raise WorkflowError(MACHINE.refusal_of(parcours))
    remaining = remaining_months(parcours)
    if remaining <= 0:
        raise WorkflowError(
            _("Le parcours a atteint sa durée maximale de %(cap)s mois : il ne peut plus être renouvelé.")
            % {"cap": RegleParcours.in_force(parcours.current_term_end).cap_months}
        )
    start = parcours.current_term_end + datetime.timedelta(days=1)
    months = min(RegleParcours.in_force(start).term_months, remaining)
    end = term_end(start, months)
    number = parcours.periodes.count() + 1
    periode = Periode.objects.create(
        parcours=parcours, number=number, start=start, end=end, months=months, decision=decision
    )
    parcours.current_term_end = end
    MACHINE.apply(parcours, "renew", user=user, reason=f"period {number}", extra_fields=["current_term_end"])
    titres.mark_to_renew(parcours)
    return periode


@transaction.atomic
def end(parcours, *, reason: str, on: datetime.date, user=None, note: str = "") -> Parcours:
    """End the pathway (reason recorded). Ends the AFIS and the ground for renewing the APS."""
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    if not MACHINE.can(parcours, "end"):
        raise WorkflowError(MACHINE.refusal_of(parcours))
    if reason not in ParcoursEndReason.values:
        raise WorkflowError(_("Motif de fin inconnu."))
    if on < parcours.started_on:
        raise WorkflowError(_("La date de fin ne peut pas précéder le début du parcours."))
    parcours.ended_on = on
    parcours.end_reason = reason
    MACHINE.apply(parcours, "end", user=user, reason=note or reason, extra_fields=["ended_on", "end_reason"])
    titres.close_for(parcours)
    return parcours


def lapse_reason(parcours) -> str:
    """Why a pathway whose term passed ends: cap, refused renewal, or no renewal filed."""
    if remaining_months(parcours) <= 0:
        return ParcoursEndReason.PLAFOND
    refused = parcours.demandes.filter(
        kind=DemandeKind.RENOUVELLEMENT, decision__kind=DecisionKind.NON_RENOUVELLEMENT
    ).exists()
    return ParcoursEndReason.NON_RENOUVELLEMENT if refused else ParcoursEndReason.ECHEANCE


def end_lapsed(today=None, user=None) -> list[int]:
    """End the pathways whose last term has passed and that have no renewal pending."""
    today = today or timezone.localdate()
    # One subquery, so that "renewal" and "open" are checked on the same application.
    pending_renewals = Demande.objects.filter(kind=DemandeKind.RENOUVELLEMENT, state__in=_open_states())
    lapsed = (
        Parcours.objects.active()
        .filter(current_term_end__lt=today)
        .exclude(pk__in=pending_renewals.values("parcours_id"))
    )
    ended = []
    for parcours in lapsed:
        end(parcours, reason=lapse_reason(parcours), on=parcours.current_term_end, user=user)
        ended.append(parcours.pk)
    return ended


def _open_states():
    from parcours.enums import DemandeState

    return [s for s in DemandeState.values if s not in CLOSED_STATES]
