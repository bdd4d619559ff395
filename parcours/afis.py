"""The AFIS (allocation financière d'insertion sociale), assessed on the day of the decision.

CASF R121-12-13-1 (décret n° 2017-1635): a person over 18, French, EU/EEA/Swiss or lawfully resident
(an APS that allows work counts), whose household resources of the month before the application are
under the RSA lump sum for one person, and who neither receives nor can claim the RSA or the ADA.
Monthly, flat, for the authorised term; the amount comes from the dated scale (BaremeAfis).

Three outcomes: eligible (with its amount), not eligible (a condition of the person is not met, with
its reason), or "à compléter" (`pending`): something we do not hold yet — the RSA lump sum or the
scale for the date or the territory, the person's nationality, or the residence permit a foreign
person is entitled to while engaged in the pathway (CESEDA L425-4). A gap in our data postpones the
assessment; it is never a refusal, and no letter tells the person they are refused for it. The
secretariat's home lists the pending ones (parcours.todo); the assessment is made again when the APS
is recorded (parcours.workflow.titres.issue) or when the secretariat asks, once the data is entered.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.enums import AfisTerritoire
from parcours.models import BaremeAfis, DroitAfis, ForfaitRsa, TitreSejour


@dataclass(frozen=True)
class Outcome:
    eligible: bool
    pending: bool
    reason: str


def territoire_of(departement) -> str:
    return AfisTerritoire.MAYOTTE if departement.is_mayotte else AfisTerritoire.GENERAL


def _lawfully_resident(person, on) -> bool:
    """A residence permit recorded for the person and valid on `on` (the APS allows work), whatever
    its follow-up's state since (to renew with the pathway, not renewed after its end)."""
    return TitreSejour.objects.filter(
        parcours__beneficiaire=person, issued_on__lte=on, valid_until__gte=on
    ).exists()


def outcome(demande, on) -> Outcome:
    """The first unmet condition (not eligible), or the first missing datum (à compléter), or eligible."""
    person = demande.beneficiaire
    age = person.age(on)
    if age is None or age < 18:
        return Outcome(
            False, False, _("La personne n’a pas 18 ans révolus ou sa date de naissance est inconnue.")
        )
    if not person.nationalities:
        return Outcome(
            False,
            True,
            _(
                "La nationalité de la personne n’est pas renseignée : la condition de séjour ne peut pas être appréciée."
            ),
        )
    if not person.is_eu_eea_swiss_or_french() and not _lawfully_resident(person, on):
        return Outcome(
            False,
            True,
            _(
                "La condition de séjour régulier sera remplie à la délivrance de l’autorisation provisoire "
                "de séjour (article L425-4 du CESEDA) : le droit sera apprécié à nouveau à son enregistrement."
            ),
        )
    if demande.droit_rsa_ou_ada is None:
        return Outcome(
            False,
            False,
            _("Il n’est pas indiqué si la personne perçoit ou peut prétendre au RSA ou à l’ADA."),
        )
    if demande.droit_rsa_ou_ada:
        return Outcome(
            False,
            False,
            _("La personne perçoit ou peut prétendre au RSA ou à l’allocation pour demandeur d’asile."),
        )
    if demande.ressources_foyer is None:
        return Outcome(
            False, False, _("Les ressources du foyer le mois précédant la demande ne sont pas renseignées.")
        )
    territoire = territoire_of(demande.commission.departement)
    try:
        ceiling = ForfaitRsa.in_force(territoire, on)
    except ObjectDoesNotExist:
        return Outcome(
            False,
            True,
            _(
                "Aucun montant forfaitaire du RSA n’est enregistré pour ce territoire à cette date : le "
                "secrétariat doit le saisir, puis apprécier à nouveau le droit."
            ),
        )
    if demande.ressources_foyer >= ceiling.amount:
        return Outcome(
            False,
            False,
            _("Les ressources du foyer dépassent le montant forfaitaire du RSA pour une personne."),
        )
    try:
        BaremeAfis.in_force(territoire, on)
    except ObjectDoesNotExist:
        return Outcome(
            False,
            True,
            _(
                "Aucun barème de l’AFIS n’est enregistré pour ce territoire à cette date : le secrétariat "
                "doit le saisir, puis apprécier à nouveau le droit."
            ),
        )
    return Outcome(True, False, "")


def ineligibility_reason(demande, on) -> str:
    """Empty when eligible; otherwise why not, or what is missing, in French."""
    return outcome(demande, on).reason


def assess(demande, periode, on) -> DroitAfis:
    result = outcome(demande, on)
    children = demande.beneficiaire.dependent_children
    values = {
        "eligible": result.eligible,
        "pending": result.pending,
        "ineligibility_reason": result.reason,
        "assessed_on": on,
        "dependent_children": children,
        "start": periode.start,
        "end": periode.end,
        "bareme": None,
        "monthly_amount": 0,
    }
    if result.eligible:
        bareme = BaremeAfis.in_force(territoire_of(demande.commission.departement), on)
        values.update(bareme=bareme, monthly_amount=bareme.monthly_amount(children))
    droit, _created = DroitAfis.objects.update_or_create(periode=periode, defaults=values)
    return droit


def demande_of(droit):
    """The application whose decision granted the term of this right."""
    decision = droit.periode.decision
    return decision.demande if decision is not None else None


@transaction.atomic
def reassess(droit, on=None) -> DroitAfis:
    """Assess a pending right again, now that the missing datum may be entered: on the day of the
    decision for reference data; on the day the permit was issued for the residence condition (the
    later of the two), from which the right is paid: nothing is granted before its conditions held."""
    droit = (
        DroitAfis.objects.select_for_update(of=("self",))
        .select_related("periode__decision__demande")
        .get(pk=droit.pk)
    )
    demande = demande_of(droit)
    if not droit.pending or demande is None:
        return droit
    day = max(on or droit.assessed_on, droit.assessed_on)
    droit = assess(demande, droit.periode, day)
    if droit.eligible and day > droit.start:
        droit.start = day
        droit.save(update_fields=["start"])
    return droit


def reassess_pending(parcours, on=None) -> list[DroitAfis]:
    """Every pending right of the pathway assessed again; returns those now granted (their
    attestation for the paying body is then produced with the decision's letters)."""
    granted = []
    for droit in DroitAfis.objects.filter(periode__parcours=parcours, pending=True):
        droit = reassess(droit, on)
        if droit.eligible:
            granted.append(droit)
    return granted
