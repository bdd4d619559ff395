"""State machine of an authorised pathway, as the domain lists it:

authorised (en cours, term 1 of six months, with start and end dates) → renewed (term N) … → terminé
(reason: term reached without renewal, 24-month cap, withdrawal, early end by the prefect, departure).

Rules (CASF L121-9, décret n° 2016-1467): terms of six months, renewable, 24 months at most in all;
term length and cap are dated data (RegleParcours). The pathway ends at the end of the last
authorised term, at the cap, on withdrawal, on the prefect's early end, or on departure. A renewal is
filed and decided only while the pathway runs: after the last term's end, only a new initial
application can open a pathway again (nothing is granted retroactively). Ending a pathway ends the AFIS
that day and the ground for renewing the APS (CASF L121-9, CESEDA L425-4).

When a pathway ends, `pathway_ended` is sent in the same transaction: the applications' workflow
(parcours.workflow.demandes, connected when the app is ready) closes the pathway's open renewal or
early-end application, which can no longer be decided. A signal, because the applications' module
already depends on this one and the daily job (parcours.tasks) must not depend on the applications'.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.dispatch import Signal
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.dates import term_end
from commission.transitions import Machine, Transition, WorkflowError
from parcours.enums import DecisionKind, ParcoursEndReason, ParcoursState
from parcours.models import Decision, DroitAfis, Parcours, Periode, RegleParcours

from . import titres

S = ParcoursState
# Sent by `end` inside its transaction, with `parcours`, `on` and `user`.
pathway_ended = Signal()
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


def renewal_refusal(parcours, on: datetime.date | None = None, length: PathwayLength | None = None) -> str:
    """Why a renewal of this pathway may not be filed or granted on `on` (today by default), in French;
    empty when it may. A renewal exists only while the pathway runs: after the last term's end, the
    pathway ends and only a new initial application can open one again (CASF L121-9)."""
    on = on or timezone.localdate()
    if not MACHINE.can(parcours, "renew"):
        return _(
            "Ce parcours est terminé : un renouvellement n’est plus possible. Déposez une nouvelle "
            "demande initiale si la personne souhaite s’engager à nouveau."
        )
    if parcours.current_term_end < on:
        return _(
            "La dernière période du parcours a pris fin le %(end)s : le parcours prend fin et ne peut "
            "plus être renouvelé. Déposez une nouvelle demande initiale si la personne souhaite "
            "s’engager à nouveau."
        ) % {"end": formats.date_format(parcours.current_term_end, "SHORT_DATE_FORMAT")}
    if (length or length_of(parcours)).remaining <= 0:
        return cap_refusal(parcours)
    return ""


def cap_refusal(parcours) -> str:
    return _("Le parcours a atteint sa durée maximale de %(cap)s mois : il ne peut plus être renouvelé.") % {
        "cap": RegleParcours.in_force(parcours.current_term_end).cap_months
    }


def can_renew(parcours, length: PathwayLength | None = None, on: datetime.date | None = None) -> bool:
    """`length`, when the caller has it already, saves reading it again."""
    return not renewal_refusal(parcours, on, length)


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
        raise WorkflowError(cap_refusal(parcours))
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
    """End the pathway (reason recorded). Ends the AFIS that day and the ground for renewing the APS."""
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
    # The right is paid for the authorised term; a pathway that ends before it ends the right that day.
    DroitAfis.objects.filter(periode__parcours=parcours, end__gt=on).update(ended_on=on)
    titres.close_for(parcours, user=user)
    pathway_ended.send(sender=Parcours, parcours=parcours, on=on, user=user)
    return parcours


def current_afis(parcours):
    """The AFIS right of the pathway's last term, or None."""
    return DroitAfis.objects.filter(periode__parcours=parcours).order_by("-periode__number").first()


def lapse_reason(parcours) -> str:
    """Why a pathway whose last term passed ends: the cap, or the last decision on its renewals. Only
    the last one counts: a renewal refused, then filed again and granted, does not make the pathway
    end "for non-renewal" a term later (the true reason is the last relevant event)."""
    if remaining_months(parcours) <= 0:
        return ParcoursEndReason.PLAFOND
    last = (
        Decision.objects.filter(
            demande__parcours=parcours,
            kind__in=(DecisionKind.RENOUVELLEMENT, DecisionKind.NON_RENOUVELLEMENT),
            superseded_at__isnull=True,
        )
        .order_by("-decided_on", "-created_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    if last == DecisionKind.NON_RENOUVELLEMENT:
        return ParcoursEndReason.NON_RENOUVELLEMENT
    return ParcoursEndReason.ECHEANCE


def end_lapsed(today=None, user=None) -> list[int]:
    """Daily: end the pathways whose last term has passed, whatever applications they have. A renewal
    is decided while the pathway runs or not at all: a draft or a pending renewal keeps no pathway
    alive (its application is closed with it), and a new initial application is then needed."""
    today = today or timezone.localdate()
    ended = []
    for parcours in Parcours.objects.active().filter(current_term_end__lt=today):
        end(parcours, reason=lapse_reason(parcours), on=parcours.current_term_end, user=user)
        ended.append(parcours.pk)
    return ended
