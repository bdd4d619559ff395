"""Who may see which sessions (scopes used by every session view)."""

from django.db.models import Q

from commission.access import departement_id_of
from commission.enums import Role
from commission.models import Commission
from commission.seances.models import Seance


def seances_visible_to(user):
    """Secretariat and president: their commission's sessions; members: the sessions they are convened to."""
    if not user.is_authenticated:
        return Seance.objects.none()
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    scope = Q(pk__in=[])
    if departement_id:
        scope |= Q(commission__departement_id=departement_id)
    if user.has_role(Role.MEMBRE) or user.has_role(Role.PRESIDENT):
        scope |= Q(convocations__mandat__user=user)
    return Seance.objects.filter(scope).distinct()


def is_secretariat_of(user, seance) -> bool:
    """The secretariat of the session's commission prepares and runs it."""
    return user.has_role(Role.SECRETARIAT) and departement_id_of(user) == seance.commission.departement_id


def sees_identity(user, seance) -> bool:
    """The secretariat and the president see who the person is; members see a reference only."""
    return (user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT)) and (
        departement_id_of(user) == seance.commission.departement_id
    )


def creates_seances(user) -> bool:
    """The secretariat of a département prepares its commission's sessions."""
    return user.has_role(Role.SECRETARIAT) and departement_id_of(user) is not None


def commission_run_by(user):
    """The commission whose sessions the user's secretariat creates, or None."""
    if not creates_seances(user):
        return None
    return Commission.objects.filter(departement_id=departement_id_of(user)).first()
