"""Who may see which persons. Identity is shown to the accompanying association and the prefecture."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from beneficiaires.models import Accompagnement, Beneficiaire
from commission.access import association_of, departement_id_of
from commission.enums import Role


def visible_to(user):
    """A caseworker: the persons their association accompanies now, in the départements where it is or
    was approved (a lapsed approval closes filing, not the files). Secretariat and president: the
    persons of their département with at least one submitted application (drafts stay the
    association's). Nobody else sees a person's identity."""
    if not user.is_authenticated:
        return Beneficiaire.objects.none()
    association = association_of(user)
    if association is not None:
        current = Accompagnement.objects.filter(
            beneficiaire=OuterRef("pk"), association=association, end__isnull=True
        )
        # An approval that lapsed keeps its persons in sight (filing, not reading, needs a valid one).
        return Beneficiaire.objects.filter(
            Exists(current), departement__in=approval_departement_ids(association)
        )
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if departement_id:
        # Reached through the reverse relation: beneficiaires imports nothing of the pathway.
        applications = Beneficiaire._meta.get_field("demandes").related_model
        submitted = applications.objects.filter(beneficiaire=OuterRef("pk"), submitted_at__isnull=False)
        return Beneficiaire.objects.filter(Exists(submitted), departement_id=departement_id)
    return Beneficiaire.objects.none()


def approval_departement_ids(association):
    """The départements where the association holds or held an agrément (started, valid or not): its
    caseworkers keep seeing the persons they accompany there when the approval lapses."""
    return association.agrements.filter(start__lte=timezone.localdate()).values("departement_id")


def approved_departement_ids(association):
    """The départements where the association's agrément is valid today (CASF R121-12-1)."""
    today = timezone.localdate()
    return association.agrements.filter(revoked_on__isnull=True, start__lte=today, end__gte=today).values(
        "departement_id"
    )


def registering_association(user):
    """The association in whose name the user registers a new person: a caseworker's own. None for
    everybody else: the secretariat and the members create no person."""
    return association_of(user)


def may_change_records(user) -> bool:
    """Only the accompanying association changes a person's identity and situation; the prefecture
    reads them."""
    return association_of(user) is not None


def changeable_by(user):
    """The persons whose record the user may change: those their association accompanies now."""
    if not may_change_records(user):
        return Beneficiaire.objects.none()
    return visible_to(user)


def may_change_accompaniment(user) -> bool:
    """Who records that a person chose another association (CASF L121-9): the secretariat of the
    commission, and the association that accompanies the person now (the person tells it first). The
    receiving association does not see the person before the change, the president decides on
    dossiers and does not keep this record, the members never see an identity."""
    return association_of(user) is not None or departement_id_of(user, Role.SECRETARIAT) is not None


def accompaniment_changeable_by(user):
    """The persons whose change of association the user may record: among those they see."""
    if not user.is_authenticated or not may_change_accompaniment(user):
        return Beneficiaire.objects.none()
    return visible_to(user)
