"""Who may see and do what on applications, pathways, permits and letters: queryset scopes used by every
view, list and export, and the few yes/no rights the pages ask. Views hold no rights check of their own."""

from django.db.models import Q, Subquery

from beneficiaires import access as beneficiaires_access
from commission.access import association_of, commissions_visible_to, departement_id_of
from commission.enums import OrganisationKind, Role
from commission.models import Commission, User
from parcours.enums import CourrierKind, DemandeState, MessageSide
from parcours.models import Courrier, Demande, Parcours, TitreSejour


def demandes_visible_to(user):
    """A caseworker: the applications of the persons their association accompanies now (rights move
    with the person). Secretariat and president: their commission's applications, drafts excepted.
    Members see dossiers only through the sessions they are convened to (pseudonymised)."""
    if not user.is_authenticated:
        return Demande.objects.none()
    association = association_of(user)
    if association is not None:
        return Demande.objects.filter(beneficiaire__in=beneficiaires_access.visible_to(user))
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if departement_id:
        return Demande.objects.submitted().filter(commission_id=_commission_of(departement_id))
    return Demande.objects.none()


def association_acting_for(user):
    """The association a caseworker files and changes dossiers for; None for anyone else: the
    secretariat reads dossiers, it does not write them."""
    return association_of(user)


def changes_dossiers(user) -> bool:
    return association_acting_for(user) is not None


def demandes_changeable_by(user):
    """The applications a user may change: a caseworker's own scope, nothing for anyone else."""
    if not changes_dossiers(user):
        return Demande.objects.none()
    return demandes_visible_to(user)


def _commission_of(departement_id):
    """The département's commission (one per département) as a scalar subquery: PostgreSQL reads it
    once, as a constant, so a list can walk the (commission, last change) index in order and stop at
    its page instead of sorting every dossier of the département."""
    return Subquery(Commission.objects.filter(departement_id=departement_id).values("pk")[:1])


def parcours_visible_to(user):
    """Caseworkers: their people's pathways; prefecture (secretariat, president, foreigners' service):
    their département's."""
    if not user.is_authenticated:
        return Parcours.objects.none()
    if association_of(user) is not None:
        return Parcours.objects.filter(beneficiaire__in=beneficiaires_access.visible_to(user))
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT, Role.ETRANGERS)
    if departement_id:
        return Parcours.objects.filter(commission__departement_id=departement_id)
    return Parcours.objects.none()


def records_pathway_exits(user) -> bool:
    """Who records that the person withdraws or has left (CASF L121-9): the association that
    accompanies them now, and the commission's secretariat; not the president, who decides, nor the
    foreigners' service, which reads the pathway for the permit."""
    return association_of(user) is not None or is_secretariat(user)


def parcours_exitable_by(user):
    """The pathways whose end by withdrawal or departure the user may record: among those they see."""
    if not user.is_authenticated or not records_pathway_exits(user):
        return Parcours.objects.none()
    return parcours_visible_to(user)


def decides(user) -> bool:
    """The president of a département's commission: the prefect or their delegate (CASF L121-9)."""
    return departement_id_of(user, Role.PRESIDENT) is not None


def demandes_decidable_by(user):
    """The president (the prefect or their delegate) decides on their département's applications
    (CASF L121-9). Nobody else, not even the secretariat that prepares the decisions."""
    departement_id = departement_id_of(user, Role.PRESIDENT)
    if departement_id:
        return Demande.objects.submitted().filter(commission__departement_id=departement_id)
    return Demande.objects.none()


def courriers_visible_to(user):
    """Who may read which letter of a decision:
    - secretariat and president: every letter of their commission's decisions;
    - the association that accompanies the person now: the notification, which it hands to the person
      (not the letter to the foreigners' service, which is internal to the prefecture, nor the
      certificate the prefecture sends the paying body: the AFIS amount and period are on the dossier);
    - the foreigners' service: the information letters of its département.
    Everyone else: nothing."""
    if not user.is_authenticated:
        return Courrier.objects.none()
    scope = Q(pk__in=[])
    staff_departement = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if staff_departement:
        scope |= Q(decision__demande__commission__departement_id=staff_departement)
        # The notice to the AFIS paying body when the person left the pathway (no decision made it).
        scope |= Q(decision__isnull=True, parcours__commission__departement_id=staff_departement)
    service_departement = departement_id_of(user, Role.ETRANGERS)
    if service_departement:
        scope |= Q(
            kind=CourrierKind.INFORMATION_ETRANGERS,
            decision__demande__commission__departement_id=service_departement,
        )
    if association_of(user) is not None:
        scope |= Q(kind=CourrierKind.NOTIFICATION, decision__demande__in=demandes_visible_to(user))
    return Courrier.objects.filter(scope)


def letters_to_foreigners_service(user, parcours_ids):
    """The letters informing the foreigners' service of the decisions on these pathways, those the user
    may read (`courriers_visible_to`): what the permit and pathway pages link to, newest first. Only the
    prefecture reads them: for anyone else, no query."""
    if departement_id_of(user) is None:
        return Courrier.objects.none()
    return (
        courriers_visible_to(user)
        .filter(kind=CourrierKind.INFORMATION_ETRANGERS, decision__demande__parcours_id__in=parcours_ids)
        .select_related("decision__demande")
        .order_by("-decision__decided_on", "-pk")
    )


def titres_visible_to(user):
    """The foreigners' service: the residence permits of its département's pathways, to record them."""
    departement_id = departement_id_of(user, Role.ETRANGERS)
    if departement_id:
        return TitreSejour.objects.filter(parcours__commission__departement_id=departement_id)
    return TitreSejour.objects.none()


def records_permits(user) -> bool:
    """The foreigners' service of a département records the permits it issues."""
    return departement_id_of(user, Role.ETRANGERS) is not None


def sees_permit_details(user) -> bool:
    """Number and dates of a permit are the prefecture's: an association sees its state only."""
    return departement_id_of(user) is not None


def produces_letters(user) -> bool:
    """The secretariat produces a session's letters in one go."""
    return departement_id_of(user, Role.SECRETARIAT) is not None


def answers_access_requests(user) -> bool:
    """The secretariat produces everything held on a person it can see (RGPD art. 15)."""
    return user.has_role(Role.SECRETARIAT)


def reachable_commissions(user):
    """The annual report: (commissions the user may report on, whether they may report across all of
    them). An administrator: every commission; the secretariat and the president: their own."""
    if user.has_role(Role.ADMINISTRATEUR):
        return Commission.objects.all(), True
    if departement_id_of(user) and (user.has_role(Role.SECRETARIAT) or user.has_role(Role.PRESIDENT)):
        return commissions_visible_to(user), False
    return Commission.objects.none(), False


# --- who instructs -------------------------------------------------------------------------------


def is_secretariat(user) -> bool:
    """A member of the commission's secretariat: role secretariat in a secretariat organisation."""
    if not user.is_authenticated or not user.has_role(Role.SECRETARIAT):
        return False
    org = getattr(user, "organisation", None)
    return (
        org is not None and org.kind == OrganisationKind.SECRETARIAT and departement_id_of(user) is not None
    )


def demandes_to_instruct(user):
    """The applications the user may check for completeness: the secretariat's submitted ones."""
    if not is_secretariat(user):
        return Demande.objects.none()
    return demandes_visible_to(user)


# --- who handles a dossier ------------------------------------------------------------------------

# What each side names on a dossier: the association its caseworker, the secretariat its agent.
ASSIGNMENT_FIELDS = ("referent", "instructeur")


def assignment_field_of(user) -> str | None:
    """The person a user names on the dossiers they see, and whose dossiers are "theirs": a caseworker
    names the dossier's caseworker, the secretariat its instructing agent. The president, the members
    and the foreigners' service name nobody."""
    if association_of(user) is not None:
        return "referent"
    if is_secretariat(user):
        return "instructeur"
    return None


def may_assign(user, demande) -> bool:
    """On a dossier already in the user's scope: an association names the caseworker of its own
    dossiers only (a dossier it filed before the person left stays the new association's to assign
    through `change_association`), the secretariat its agent on any dossier it sees."""
    field = assignment_field_of(user)
    if field == "referent":
        return demande.association_id == association_of(user).pk
    return field == "instructeur"


def assignable_users(demande, field):
    """Who may be named `field` on this dossier: a caseworker of the dossier's association, or an agent
    of the secretariat of its commission's département; active accounts only."""
    if field == "referent":
        return User.objects.filter(
            is_active=True,
            organisation_id=demande.association_id,
            organisation__kind=OrganisationKind.ASSOCIATION,
            groups__name=Role.REFERENT,
        )
    if field == "instructeur":
        return User.objects.filter(
            is_active=True,
            organisation__kind=OrganisationKind.SECRETARIAT,
            organisation__departement_id=demande.commission.departement_id,
            groups__name=Role.SECRETARIAT,
        )
    raise ValueError(f"Cannot assign {field}")


# --- the thread: who speaks for which side -------------------------------------------------------


def thread_side_of(user) -> str | None:
    """The side a user writes for in a dossier's thread, decided from who they are, never from a form:
    a caseworker writes for the association, the secretariat for itself; nobody else writes."""
    if not user.is_authenticated:
        return None
    if association_of(user) is not None:
        return MessageSide.ASSOCIATION
    if is_secretariat(user):
        return MessageSide.SECRETARIAT
    return None


def can_post_message(user, demande) -> bool:
    """On a dossier already in the user's scope: the thread opens when the dossier is filed (a draft is
    the association's alone, and the secretariat could not open the link of its notification)."""
    return thread_side_of(user) is not None and demande.state != DemandeState.BROUILLON


def demandes_open_to_messages(user):
    """The applications on which the user may post: their scope, drafts excepted."""
    if thread_side_of(user) is None:
        return Demande.objects.none()
    return demandes_visible_to(user).exclude(state=DemandeState.BROUILLON)


# --- exports -----------------------------------------------------------------------------------


def may_export(user) -> bool:
    """The secretariat and the president export their commission's list (it holds names)."""
    return user.is_authenticated and departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT) is not None
