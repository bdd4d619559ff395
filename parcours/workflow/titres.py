"""State machine of the residence permit (APS, CESEDA L425-4) that follows a pathway.

à délivrer (after authorisation) → délivré → à renouveler (with each renewal) → délivré …
→ expiré, or non renouvelé when the pathway ends.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.enums import TitreSejourState
from parcours.models import TitreSejour

from .errors import WorkflowError

TRANSITIONS = {
    "open": ((), TitreSejourState.A_DELIVRER),
    "issue": ((TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER), TitreSejourState.DELIVRE),
    "mark_to_renew": ((TitreSejourState.DELIVRE, TitreSejourState.EXPIRE), TitreSejourState.A_RENOUVELER),
    "expire": ((TitreSejourState.DELIVRE,), TitreSejourState.EXPIRE),
    "close": ((TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER), TitreSejourState.NON_RENOUVELE),
}


def current(parcours):
    return parcours.titres_sejour.order_by("-pk").first()


def open_for(parcours):
    """After an authorisation, a foreign person outside the EU/EEA/Switzerland needs an APS."""
    if not parcours.beneficiaire.needs_residence_permit():
        return None
    return TitreSejour.objects.create(parcours=parcours, state=TitreSejourState.A_DELIVRER)


@transaction.atomic
def issue(titre, *, number, issued_on, valid_until):
    titre = TitreSejour.objects.select_for_update().get(pk=titre.pk)
    if titre.state not in TRANSITIONS["issue"][0]:
        raise WorkflowError(_("Cette autorisation de séjour n’est pas à délivrer."))
    if valid_until <= issued_on:
        raise WorkflowError(_("La date de fin de validité doit suivre la date de délivrance."))
    titre.state = TitreSejourState.DELIVRE
    titre.number, titre.issued_on, titre.valid_until = number, issued_on, valid_until
    titre.save()
    return titre


def mark_to_renew(parcours):
    titre = current(parcours)
    if titre is not None and titre.state in TRANSITIONS["mark_to_renew"][0]:
        titre.state = TitreSejourState.A_RENOUVELER
        titre.save(update_fields=["state", "updated_at"])
    return titre


def expire(titre):
    if titre.state not in TRANSITIONS["expire"][0]:
        raise WorkflowError(_("Seule une autorisation délivrée peut expirer."))
    titre.state = TitreSejourState.EXPIRE
    titre.save(update_fields=["state", "updated_at"])
    return titre


def close_for(parcours):
    """The pathway ended: a permit still to issue or renew is not, on this ground."""
    titre = current(parcours)
    if titre is not None and titre.state in TRANSITIONS["close"][0]:
        titre.state = TitreSejourState.NON_RENOUVELE
        titre.save(update_fields=["state", "updated_at"])
    return titre
