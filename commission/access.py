"""Who may see what, as queryset scopes. Every view reaches rows through these functions.

Scopes rather than per-object permission rows: visibility follows from the user's organisation, its
département, the person's current accompaniment and a member's convocations, so a change of
association moves every right at once, and a list is one query. No right of this application is held
per object apart from these facts, so no object-permission library is installed (django-guardian was,
granting nothing: removed).
"""

from commission.enums import OrganisationKind, Role
from commission.models import Commission

# The organisation a prefecture role works from: the president signs from the prefecture, whose
# secretariat organisation holds the commission's staff; the foreigners' service has its own.
ROLE_ORGANISATION_KINDS = {
    Role.SECRETARIAT: OrganisationKind.SECRETARIAT,
    Role.PRESIDENT: OrganisationKind.SECRETARIAT,
    Role.ETRANGERS: OrganisationKind.SERVICE_ETRANGERS,
}


def departement_id_of(user, *roles):
    """The département where the user works in one of `roles` (default: any prefecture role), or None.

    The role must match the kind of the user's organisation: a "secretariat" role given by mistake to
    someone of the foreigners' service opens nothing."""
    org = getattr(user, "organisation", None)
    if org is None or not user.is_authenticated:
        return None
    for role in roles or tuple(ROLE_ORGANISATION_KINDS):
        if org.kind == ROLE_ORGANISATION_KINDS[role] and user.has_role(role):
            return org.departement_id
    return None


def is_prefecture_staff(user) -> bool:
    return departement_id_of(user) is not None


def association_of(user):
    """The approved association a caseworker works for, or None."""
    org = getattr(user, "organisation", None)
    if org is not None and org.kind == OrganisationKind.ASSOCIATION and user.has_role(Role.REFERENT):
        return org
    return None


def commissions_visible_to(user):
    if not user.is_authenticated:
        return Commission.objects.none()
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if departement_id:
        return Commission.objects.filter(departement_id=departement_id)
    return Commission.objects.filter(mandats__user=user).distinct()
