"""The person leaves the pathway: they withdraw, or they left the département or the territory.

No decision of the prefect makes this end (CASF L121-9 lists withdrawal among the ends of the
pathway): the accompanying association, or the secretariat, records it with its date and reason. That
day the pathway ends (transition `end` of the pathway's machine, reason RETRAIT or DEPART), and with it
- its open renewal or early-end application, closed (parcours.workflow.demandes.close_with_pathway);
- the AFIS right, which ends that day; a notice to the paying body is produced with the letters
  (parcours.letters.produce_end_notice) when a right was open;
- the residence-permit follow-up, which records that the APS is not renewed on this ground and stops
  its reminders (parcours.workflow.titres.close_for).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.transitions import WorkflowError
from parcours.enums import ParcoursEndReason
from parcours.models import Parcours

from . import parcours as parcours_workflow

EXIT_REASONS = (ParcoursEndReason.RETRAIT, ParcoursEndReason.DEPART)


def can_record_exit(parcours) -> bool:
    return parcours_workflow.MACHINE.can(parcours, "end")


@transaction.atomic
def record_exit(parcours, *, reason: str, on: datetime.date, note: str, user) -> Parcours:
    """The person withdraws or has left, on `on`, for the reason told in `note`."""
    if reason not in EXIT_REASONS:
        raise WorkflowError(
            _("Choisissez : retrait de la personne, ou départ du département ou du territoire.")
        )
    if not note.strip():
        raise WorkflowError(_("Indiquez ce qui s’est passé : le motif figure à l’historique du parcours."))
    if on > timezone.localdate():
        raise WorkflowError(
            _("La date ne peut pas être dans le futur : enregistrez le retrait ou le départ ce jour-là.")
        )
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    if not can_record_exit(parcours):
        raise WorkflowError(parcours_workflow.MACHINE.refusal_of(parcours))
    if on > parcours.current_term_end:
        raise WorkflowError(
            _(
                "Le parcours a pris fin à l’échéance de sa dernière période : un retrait ou un départ "
                "ne peut pas être daté après elle."
            )
        )
    parcours = parcours_workflow.end(parcours, reason=reason, on=on, user=user, note=note.strip())
    droit = parcours_workflow.current_afis(parcours)
    if droit is not None and droit.eligible:
        from parcours import tasks

        tasks.schedule_end_notice(parcours)
    return parcours
