"""Who may see what, as queryset scopes. Every view reaches rows through these functions.

Scopes rather than per-object guardian rows: visibility follows from the user's organisation, its
département and the person's current accompaniment, so a change of association moves every right at
once, and a list is one query. Guardian stays available for rights that are truly per object.
"""

from django.db.models import Q

from commission.enums import OrganisationKind, Role
from commission.models import Commission, Seance


def departement_id_of(user):
    """The département a prefecture user (secretariat, president, foreigners' service) works in."""
    org = getattr(user, "organisation", None)
    if org is None or org.kind not in (OrganisationKind.SECRETARIAT, OrganisationKind.SERVICE_ETRANGERS):
        return None
    return org.departement_id


def is_prefecture_staff(user) -> bool:
    return departement_id_of(user) is not None and (
        user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT) or user.has_role(Role.ETRANGERS)
    )


def association_of(user):
    """The approved association a caseworker works for, or None."""
    org = getattr(user, "organisation", None)
    if org is not None and org.kind == OrganisationKind.ASSOCIATION and user.has_role(Role.REFERENT):
        return org
    return None


def commissions_visible_to(user):
    if not user.is_authenticated:
        return Commission.objects.none()
    departement_id = departement_id_of(user)
    if departement_id and (user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT)):
        return Commission.objects.filter(departement_id=departement_id)
    return Commission.objects.filter(mandats__user=user).distinct()


def seances_visible_to(user):
    """Secretariat and president: their commission's sessions; members: the sessions they are convened to."""
    if not user.is_authenticated:
        return Seance.objects.none()
    departement_id = departement_id_of(user)
    scope = Q(pk__in=[])
    if departement_id and (user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT)):
        scope |= Q(commission__departement_id=departement_id)
    if user.has_role(Role.MEMBRE) or user.has_role(Role.PRESIDENT):
        scope |= Q(convocations__mandat__user=user)
    return Seance.objects.filter(scope).distinct()
