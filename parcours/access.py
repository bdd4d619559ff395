"""Who may see which applications and pathways: queryset scopes used by every view, list and export."""

from django.db.models import Exists, OuterRef

from beneficiaires import access as beneficiaires_access
from beneficiaires.models import Accompagnement
from commission.access import association_of, departement_id_of
from commission.enums import Role
from parcours.models import Demande, Parcours


def demandes_visible_to(user):
    """A caseworker: the applications of the persons their association accompanies now (rights move
    with the person). Secretariat and president: their commission's applications, drafts excepted.
    Members see dossiers only through the sessions they are convened to (pseudonymised)."""
    if not user.is_authenticated:
        return Demande.objects.none()
    association = association_of(user)
    if association is not None:
        return Demande.objects.filter(beneficiaire__in=beneficiaires_access.visible_to(user))
    departement_id = departement_id_of(user)
    if departement_id and (user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT)):
        return Demande.objects.submitted().filter(commission__departement_id=departement_id)
    return Demande.objects.none()


def parcours_visible_to(user):
    """Caseworkers: their people's pathways; prefecture (secretariat, president, foreigners' service):
    their département's."""
    if not user.is_authenticated:
        return Parcours.objects.none()
    association = association_of(user)
    if association is not None:
        current = Accompagnement.objects.filter(
            beneficiaire=OuterRef("beneficiaire"), association=association, end__isnull=True
        )
        return Parcours.objects.filter(Exists(current))
    departement_id = departement_id_of(user)
    if departement_id and (
        user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT) or user.has_role(Role.ETRANGERS)
    ):
        return Parcours.objects.filter(commission__departement_id=departement_id)
    return Parcours.objects.none()
