"""State machine of an authorised pathway: en cours (term N) → renewed … → terminé (reason).

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

from commission.dates import term_end
from parcours.enums import DecisionKind, DemandeKind, ParcoursEndReason, ParcoursState
from parcours.models import CLOSED_STATES, Demande, Parcours, ParcoursEvenement, Periode, RegleParcours

from . import titres
from .errors import WorkflowError

# (transition, from states, to state)
TRANSITIONS = {
    "authorise": ((), ParcoursState.EN_COURS),
    "renew": ((ParcoursState.EN_COURS,), ParcoursState.EN_COURS),
    "end": ((ParcoursState.EN_COURS,), ParcoursState.TERMINE),
}


def _log(parcours, transition, from_state, user, reason=""):
    ParcoursEvenement.objects.create(
        parcours=parcours,
        transition=transition,
        from_state=from_state,
        to_state=parcours.state,
        user=user,
        reason=reason,
    )


def _check_from(parcours, transition):
    allowed, _to = TRANSITIONS[transition]
    if parcours.state not in allowed:
        raise WorkflowError(
            _("Ce parcours est « %(state)s » : cette opération n’est plus possible.")
            % {"state": parcours.get_state_display()}
        )


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
    if parcours.state != ParcoursState.EN_COURS:
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
    parcours = Parcours.objects.create(
        beneficiaire=beneficiaire, commission=commission, started_on=start, current_term_end=end
    )
    Periode.objects.create(
        parcours=parcours, number=1, start=start, end=end, months=months, decision=decision
    )
    _log(parcours, "authorise", "", user)
    titres.open_for(parcours)
    return parcours


@transaction.atomic
def renew(parcours, *, decision=None, user=None) -> Periode:
    """A further term, from the day after the current one ends, never beyond the cap."""
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    _check_from(parcours, "renew")
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
    parcours.save(update_fields=["current_term_end"])
    _log(parcours, "renew", ParcoursState.EN_COURS, user, reason=f"period {number}")
    titres.mark_to_renew(parcours)
    return periode


@transaction.atomic
def end(parcours, *, reason: str, on: datetime.date, user=None, note: str = "") -> Parcours:
    """End the pathway (reason recorded). Ends the AFIS and the ground for renewing the APS."""
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    _check_from(parcours, "end")
    if reason not in ParcoursEndReason.values:
        raise WorkflowError(_("Motif de fin inconnu."))
    if on < parcours.started_on:
        raise WorkflowError(_("La date de fin ne peut pas précéder le début du parcours."))
    from_state = parcours.state
    parcours.state = ParcoursState.TERMINE
    parcours.ended_on = on
    parcours.end_reason = reason
    parcours.save(update_fields=["state", "ended_on", "end_reason"])
    _log(parcours, "end", from_state, user, reason=note or reason)
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
