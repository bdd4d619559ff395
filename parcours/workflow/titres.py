"""State machine of the residence permit (APS, CESEDA L425-4) that follows a pathway.

à délivrer (after authorisation) → délivré → à renouveler (with each renewal) → délivré …
→ expiré, or non renouvelé when the pathway ends (an issued permit stays valid until its date, but the
follow-up records that it is not renewed on this ground, and its reminders stop).

An APS is issued for at least six months (CESEDA L425-4; the minimum is dated data, RegleParcours). A
permit entered wrongly (number, dates) is corrected with a reason: the correction is an event of its own,
so the history keeps the first entry next to the corrected one.

The table below is the only place these moves are declared; every state change goes through
`MACHINE.apply` (commission.transitions). One TitreSejour row follows the pathway; each transition
writes a TitreSejourEvenement, which keeps the number and dates of every permit issued: issuing again
after a renewal replaces the current values on the row, never the history.
"""

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.dates import term_end
from commission.transitions import UNCHANGED, Machine, Transition, WorkflowError
from parcours.enums import TitreSejourState
from parcours.models import RegleParcours, TitreSejour

S = TitreSejourState
TRANSITIONS = (
    Transition("open", (), S.A_DELIVRER, gettext_lazy("Autorisation à délivrer")),
    Transition("issue", (S.A_DELIVRER, S.A_RENOUVELER), S.DELIVRE, gettext_lazy("Délivrance")),
    Transition("mark_to_renew", (S.DELIVRE, S.EXPIRE), S.A_RENOUVELER, gettext_lazy("À renouveler")),
    Transition("expire", (S.DELIVRE,), S.EXPIRE, gettext_lazy("Expiration")),
    Transition(
        "close",
        (S.A_DELIVRER, S.A_RENOUVELER, S.DELIVRE, S.EXPIRE),
        S.NON_RENOUVELE,
        gettext_lazy("Fin du parcours : non renouvelée à ce titre"),
    ),
    Transition("correct", (S.DELIVRE, S.EXPIRE), UNCHANGED, gettext_lazy("Correction d’une saisie")),
)
MACHINE = Machine(
    field="state",
    transitions=TRANSITIONS,
    log_model="parcours.TitreSejourEvenement",
    log_fk="titre",
    refusal=gettext_lazy(
        "Cette autorisation de séjour est « %(state)s » : cette opération n’est pas possible."
    ),
)


def allowed_transitions(titre) -> list[str]:
    return MACHINE.allowed(titre)


def awaits_issue(titre) -> bool:
    """Whether the foreigners' service has a permit to record: a first issue or a renewal."""
    return MACHINE.can(titre, "issue")


def _apply(titre, name, *, user=None, extra_fields=(), reason=""):
    """Every move saves `updated_at` and logs the number and dates the permit then has."""
    return MACHINE.apply(
        titre,
        name,
        user=user,
        reason=reason,
        extra_fields=[*extra_fields, "updated_at"] if not titre._state.adding else (),
        number=titre.number,
        issued_on=titre.issued_on,
        valid_until=titre.valid_until,
    )


def current(parcours):
    return parcours.titres_sejour.order_by("-pk").first()


def open_for(parcours, user=None):
    """After an authorisation, a foreign person outside the EU/EEA/Switzerland needs an APS."""
    if not parcours.beneficiaire.needs_residence_permit():
        return None
    return _apply(TitreSejour(parcours=parcours), "open", user=user)


def validity_refusal(number, issued_on, valid_until) -> str:
    """Why these number and dates cannot be those of an APS, in French; empty when they can."""
    if not number.strip():
        return _("Indiquez le numéro de l’autorisation de séjour.")
    if valid_until <= issued_on:
        return _("La date de fin de validité doit suivre la date de délivrance.")
    minimum = min_months(issued_on)
    shortest = term_end(issued_on, minimum)
    if valid_until < shortest:
        return _(
            "L’autorisation provisoire de séjour est délivrée pour une durée d’au moins %(months)s mois "
            "(article L425-4 du code de l’entrée et du séjour des étrangers et du droit d’asile) : "
            "délivrée le %(issued)s, elle est valable au moins jusqu’au %(shortest)s."
        ) % {
            "months": minimum,
            "issued": formats.date_format(issued_on, "SHORT_DATE_FORMAT"),
            "shortest": formats.date_format(shortest, "SHORT_DATE_FORMAT"),
        }
    return ""


@transaction.atomic
def issue(titre, *, number, issued_on, valid_until, user=None):
    """The foreigners' service records the permit it issued (first issue or renewal), for at least the
    minimum the law sets (CESEDA L425-4)."""
    titre = TitreSejour.objects.select_for_update().get(pk=titre.pk)
    if not awaits_issue(titre):
        raise WorkflowError(_("Cette autorisation de séjour n’est pas à délivrer."))
    refusal = validity_refusal(number, issued_on, valid_until)
    if refusal:
        raise WorkflowError(refusal)
    titre.number, titre.issued_on, titre.valid_until = number.strip(), issued_on, valid_until
    return _apply(titre, "issue", user=user, extra_fields=["number", "issued_on", "valid_until"])


def min_months(on: datetime.date) -> int:
    return RegleParcours.in_force(on).permit_min_months


def proposed_validity(titre, issued_on: datetime.date) -> datetime.date:
    """What the form proposes: the end of the pathway's current term, which the permit follows, and
    never less than the legal minimum (CESEDA L425-4)."""
    return max(titre.parcours.current_term_end, term_end(issued_on, min_months(issued_on)))


def can_correct(titre) -> bool:
    return MACHINE.can(titre, "correct")


@transaction.atomic
def correct(titre, *, number, issued_on, valid_until, reason: str, user=None):
    """Correct the number or dates of an issued permit entered wrongly. The reason is required; the
    event keeps the corrected values and the earlier events keep what was first entered."""
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de la correction."))
    titre = TitreSejour.objects.select_for_update().get(pk=titre.pk)
    if not can_correct(titre):
        raise WorkflowError(MACHINE.refusal_of(titre))
    refusal = validity_refusal(number, issued_on, valid_until)
    if refusal:
        raise WorkflowError(refusal)
    new = (number.strip(), issued_on, valid_until)
    if new == (titre.number, titre.issued_on, titre.valid_until):
        raise WorkflowError(_("Rien n’a changé : modifiez le numéro ou les dates à corriger."))
    titre.number, titre.issued_on, titre.valid_until = new
    return _apply(
        titre,
        "correct",
        user=user,
        reason=reason.strip(),
        extra_fields=["number", "issued_on", "valid_until"],
    )


def mark_to_renew(parcours, user=None):
    titre = current(parcours)
    if titre is not None and MACHINE.can(titre, "mark_to_renew"):
        _apply(titre, "mark_to_renew", user=user)
    return titre


def expire(titre, user=None):
    if not MACHINE.can(titre, "expire"):
        raise WorkflowError(_("Seule une autorisation délivrée peut expirer."))
    return _apply(titre, "expire", user=user)


@transaction.atomic
def expire_lapsed(today: datetime.date | None = None) -> list[int]:
    """Daily: issued permits whose validity has passed become « expiré » (one indexed query)."""
    today = today or timezone.localdate()
    expired = []
    lapsed = TitreSejour.objects.filter(state=TitreSejourState.DELIVRE, valid_until__lt=today)
    for titre in lapsed.select_for_update(skip_locked=True).iterator():
        expire(titre)
        expired.append(titre.pk)
    return expired


def close_for(parcours, user=None):
    """The pathway ended: the permit is not issued or renewed on this ground; one issued stays valid
    until its date, and its reminders stop (CESEDA L425-4: renewed for the pathway's duration)."""
    titre = current(parcours)
    if titre is not None and MACHINE.can(titre, "close"):
        _apply(titre, "close", user=user)
    return titre
