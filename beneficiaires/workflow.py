"""The accompaniment: the approved association that accompanies the person, as the person chose it
(CASF L121-9: the person chooses; the choice and its date are recorded).

The only code that opens or ends an `Accompagnement`. A person has one current accompaniment at a time
(the database refuses a second: `accompagnement_one_open`). A change of association ends the current
one on the day of the change and opens the new one from that day: the history keeps both, dated.

Every right follows the current accompaniment (`beneficiaires.access.visible_to`, on which
`parcours.access` builds): once the change is recorded, the former association no longer sees the
person nor their dossiers, the new one does. The pathway's side is told through the
`association_changed` signal (sent inside the transaction): `parcours.accompaniment` moves the open
application to the new association. `beneficiaires` knows nothing of the pathway.

Each change is kept by the change history (django-auditlog, with the user who made it).
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaires.enums import AccompagnementEndReason
from beneficiaires.models import Accompagnement, Beneficiaire
from commission.models import Organisation

# Sent once a change of association is saved, with `beneficiaire`, `former` and `current` (the
# ended and the new Accompagnement), `on` (the date of the change) and `user`.
association_changed = Signal()

# Why an accompaniment ends when the person moves to another association (the end of the pathway is
# not a change of association).
CHANGE_REASONS = (
    AccompagnementEndReason.CHOIX_PERSONNE,
    AccompagnementEndReason.AGREMENT,
    AccompagnementEndReason.AUTRE,
)


class AccompanimentError(Exception):
    """A refused change; `message` is a French sentence shown to the user as is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def receiving_associations(beneficiaire, on=None):
    """The associations that may accompany the person: approved for the person's département on that
    day (CASF R121-12-1), the one that accompanies them now excepted."""
    associations = Organisation.objects.approved_for(beneficiaire.departement_id, on)
    current = beneficiaire.accompagnements.filter(end__isnull=True).values("association_id")
    return associations.exclude(pk__in=current).order_by("name")


def _check_approved(association, beneficiaire, on):
    if not association.can_file_in(beneficiaire.departement_id, on):
        raise AccompanimentError(
            _(
                "L’association choisie n’a pas d’agrément valide pour le département de la personne à "
                "cette date : elle ne peut pas l’accompagner."
            )
        )


def _check_dates(chosen_on, on):
    today = timezone.localdate()
    if on > today:
        raise AccompanimentError(
            _(
                "L’accompagnement par la nouvelle association ne peut pas commencer à une date future : "
                "enregistrez-le le jour venu."
            )
        )
    if chosen_on > on:
        raise AccompanimentError(
            _(
                "La personne choisit l’association avant que l’accompagnement ne commence : vérifiez les dates."
            )
        )


def _locked(beneficiaire):
    """The person's row, locked: two changes recorded at once for the same person wait for each other."""
    return Beneficiaire.objects.select_for_update().get(pk=beneficiaire.pk)


@transaction.atomic
def start_accompaniment(
    beneficiaire, association, *, chosen_on, user, referent=None, on=None
) -> Accompagnement:
    """The person chose `association` on `chosen_on`; it accompanies them from `on` (today by default).
    `user` records it: the change history (django-auditlog) names them, from the request.

    Guard: an association approved for the person's département (CASF R121-12-1), and no current
    accompaniment (a person who moves to another association goes through `change_association`)."""
    on = on or timezone.localdate()
    beneficiaire = _locked(beneficiaire)
    _check_dates(chosen_on, on)
    _check_approved(association, beneficiaire, on)
    if beneficiaire.accompagnements.filter(end__isnull=True).exists():
        raise AccompanimentError(
            _(
                "Une association accompagne déjà cette personne : enregistrez plutôt un changement d’association."
            )
        )
    return Accompagnement.objects.create(
        beneficiaire=beneficiaire,
        association=association,
        referent=referent,
        chosen_on=chosen_on,
        start=on,
    )


@transaction.atomic
def change_association(
    beneficiaire,
    new_association,
    *,
    on,
    reason=AccompagnementEndReason.CHOIX_PERSONNE,
    user,
    chosen_on=None,
    referent=None,
) -> Accompagnement:
    """The person chose another association (CASF L121-9): the current accompaniment ends on `on`,
    with its reason, and the new association accompanies the person from `on`. `chosen_on` is the day
    the person chose it (`on` by default).

    Guards: a current accompaniment to end, a different association, approved for the person's
    département on `on`, a change dated neither before the current accompaniment began nor in the
    future (rights move when the change is recorded)."""
    chosen_on = chosen_on or on
    if reason not in CHANGE_REASONS:
        raise AccompanimentError(_("Choisissez le motif du changement d’association."))
    beneficiaire = _locked(beneficiaire)
    former = beneficiaire.accompagnements.select_for_update().filter(end__isnull=True).first()
    if former is None:
        raise AccompanimentError(
            _("Aucune association n’accompagne cette personne : enregistrez d’abord son choix d’association.")
        )
    if former.association_id == new_association.pk:
        raise AccompanimentError(
            _("Cette association accompagne déjà la personne : choisissez-en une autre.")
        )
    _check_dates(chosen_on, on)
    if on < former.start:
        raise AccompanimentError(
            _(
                "Le changement ne peut pas précéder le début de l’accompagnement en cours (%(start)s) : "
                "vérifiez la date."
            )
            % {"start": date_format(former.start, "SHORT_DATE_FORMAT")}
        )
    _check_approved(new_association, beneficiaire, on)
    former.end = on
    former.end_reason = reason
    former.save(update_fields=["end", "end_reason"])
    current = Accompagnement.objects.create(
        beneficiaire=beneficiaire,
        association=new_association,
        referent=referent,
        chosen_on=chosen_on,
        start=on,
    )
    association_changed.send(
        sender=Accompagnement, beneficiaire=beneficiaire, former=former, current=current, on=on, user=user
    )
    return current
