"""State machine of the residence permit (APS, CESEDA L425-4) that follows a pathway.

à délivrer (after authorisation) → délivré → à renouveler (with each renewal) → délivré …
→ expiré, or non renouvelé when the pathway ends.

The table below is the only place these moves are declared; every state change goes through
`MACHINE.apply` (commission.transitions). One TitreSejour row follows the pathway; each transition
writes a TitreSejourEvenement, which keeps the number and dates of every permit issued: issuing again
after a renewal replaces the current values on the row, never the history.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.transitions import Machine, Transition, WorkflowError
from parcours.enums import TitreSejourState
from parcours.models import TitreSejour

S = TitreSejourState
TRANSITIONS = (
    Transition("open", (), S.A_DELIVRER, gettext_lazy("Autorisation à délivrer")),
    Transition("issue", (S.A_DELIVRER, S.A_RENOUVELER), S.DELIVRE, gettext_lazy("Délivrance")),
    Transition("mark_to_renew", (S.DELIVRE, S.EXPIRE), S.A_RENOUVELER, gettext_lazy("À renouveler")),
    Transition("expire", (S.DELIVRE,), S.EXPIRE, gettext_lazy("Expiration")),
    Transition("close", (S.A_DELIVRER, S.A_RENOUVELER), S.NON_RENOUVELE, gettext_lazy("Fin du parcours")),
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


@transaction.atomic
def issue(titre, *, number, issued_on, valid_until, user=None):
    """The foreigners' service records the permit it issued (first issue or renewal)."""
    titre = TitreSejour.objects.select_for_update().get(pk=titre.pk)
    if not awaits_issue(titre):
        raise WorkflowError(_("Cette autorisation de séjour n’est pas à délivrer."))
    if not number.strip():
        raise WorkflowError(_("Indiquez le numéro de l’autorisation de séjour."))
    if valid_until <= issued_on:
        raise WorkflowError(_("La date de fin de validité doit suivre la date de délivrance."))
    titre.number, titre.issued_on, titre.valid_until = number.strip(), issued_on, valid_until
    return _apply(titre, "issue", user=user, extra_fields=["number", "issued_on", "valid_until"])


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
    """The pathway ended: a permit still to issue or renew is not, on this ground."""
    titre = current(parcours)
    if titre is not None and MACHINE.can(titre, "close"):
        _apply(titre, "close", user=user)
    return titre
