"""State machine of the residence permit (APS, CESEDA L425-4) that follows a pathway.

à délivrer (after authorisation) → délivré → à renouveler (with each renewal) → délivré …
→ expiré, or non renouvelé when the pathway ends.

One TitreSejour row follows the pathway; each transition writes a TitreSejourEvenement, which keeps
the number and dates of every permit issued: issuing again after a renewal replaces the current values
on the row, never the history.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.enums import TitreSejourState
from parcours.models import TitreSejour, TitreSejourEvenement

from .errors import WorkflowError

TRANSITIONS = {
    "open": ((), TitreSejourState.A_DELIVRER),
    "issue": ((TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER), TitreSejourState.DELIVRE),
    "mark_to_renew": ((TitreSejourState.DELIVRE, TitreSejourState.EXPIRE), TitreSejourState.A_RENOUVELER),
    "expire": ((TitreSejourState.DELIVRE,), TitreSejourState.EXPIRE),
    "close": ((TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER), TitreSejourState.NON_RENOUVELE),
}


def _log(titre, transition, from_state, user=None):
    TitreSejourEvenement.objects.create(
        titre=titre,
        transition=transition,
        from_state=from_state,
        to_state=titre.state,
        number=titre.number,
        issued_on=titre.issued_on,
        valid_until=titre.valid_until,
        user=user,
    )


def _move(titre, transition, user=None):
    from_state = titre.state
    titre.state = TRANSITIONS[transition][1]
    titre.save(update_fields=["state", "updated_at"])
    _log(titre, transition, from_state, user)
    return titre


def current(parcours):
    return parcours.titres_sejour.order_by("-pk").first()


def open_for(parcours, user=None):
    """After an authorisation, a foreign person outside the EU/EEA/Switzerland needs an APS."""
    if not parcours.beneficiaire.needs_residence_permit():
        return None
    titre = TitreSejour.objects.create(parcours=parcours, state=TitreSejourState.A_DELIVRER)
    _log(titre, "open", "", user)
    return titre


@transaction.atomic
def issue(titre, *, number, issued_on, valid_until, user=None):
    """The foreigners' service records the permit it issued (first issue or renewal)."""
    titre = TitreSejour.objects.select_for_update().get(pk=titre.pk)
    if titre.state not in TRANSITIONS["issue"][0]:
        raise WorkflowError(_("Cette autorisation de séjour n’est pas à délivrer."))
    if not number.strip():
        raise WorkflowError(_("Indiquez le numéro de l’autorisation de séjour."))
    if valid_until <= issued_on:
        raise WorkflowError(_("La date de fin de validité doit suivre la date de délivrance."))
    from_state = titre.state
    titre.state = TitreSejourState.DELIVRE
    titre.number, titre.issued_on, titre.valid_until = number.strip(), issued_on, valid_until
    titre.save()
    _log(titre, "issue", from_state, user)
    return titre


def mark_to_renew(parcours, user=None):
    titre = current(parcours)
    if titre is not None and titre.state in TRANSITIONS["mark_to_renew"][0]:
        _move(titre, "mark_to_renew", user)
    return titre


def expire(titre, user=None):
    if titre.state not in TRANSITIONS["expire"][0]:
        raise WorkflowError(_("Seule une autorisation délivrée peut expirer."))
    return _move(titre, "expire", user)


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
    if titre is not None and titre.state in TRANSITIONS["close"][0]:
        _move(titre, "close", user)
    return titre
