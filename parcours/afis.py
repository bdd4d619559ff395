"""The AFIS (allocation financière d'insertion sociale), assessed on the day of the decision.

CASF R121-12-13-1 (décret n° 2017-1635): a person over 18, French, EU/EEA/Swiss or lawfully resident
(an APS that allows work counts), whose household resources of the month before the application are
under the RSA lump sum for one person, and who neither receives nor can claim the RSA or the ADA.
Monthly, flat, for the authorised term; the amount comes from the dated scale (BaremeAfis).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from parcours.enums import AfisTerritoire
from parcours.models import BaremeAfis, DroitAfis, ForfaitRsa


def territoire_of(departement) -> str:
    return AfisTerritoire.MAYOTTE if departement.is_mayotte else AfisTerritoire.GENERAL


def ineligibility_reason(demande, on) -> str:
    """Empty when eligible; otherwise the first unmet condition, in French."""
    person = demande.beneficiaire
    age = person.age(on)
    if age is None or age < 18:
        return _("La personne n’a pas 18 ans révolus ou sa date de naissance est inconnue.")
    # A foreign national engaged in the pathway is entitled to an APS that allows work (CESEDA L425-4).
    if demande.droit_rsa_ou_ada is None:
        return _("Il n’est pas indiqué si la personne perçoit ou peut prétendre au RSA ou à l’ADA.")
    if demande.droit_rsa_ou_ada:
        return _("La personne perçoit ou peut prétendre au RSA ou à l’allocation pour demandeur d’asile.")
    if demande.ressources_foyer is None:
        return _("Les ressources du foyer le mois précédant la demande ne sont pas renseignées.")
    try:
        ceiling = ForfaitRsa.in_force(territoire_of(demande.commission.departement), on)
    except ObjectDoesNotExist:
        return _(
            "Aucun montant forfaitaire du RSA n’est enregistré pour ce territoire à cette date : "
            "le secrétariat doit le saisir avant d’apprécier le droit."
        )
    if demande.ressources_foyer >= ceiling.amount:
        return _("Les ressources du foyer dépassent le montant forfaitaire du RSA pour une personne.")
    return ""


def assess(demande, periode, on) -> DroitAfis:
    reason = ineligibility_reason(demande, on)
    children = demande.beneficiaire.dependent_children
    values = {
        "eligible": not reason,
        "ineligibility_reason": reason,
        "assessed_on": on,
        "dependent_children": children,
        "start": periode.start,
        "end": periode.end,
        "bareme": None,
        "monthly_amount": 0,
    }
    if not reason:
        bareme = BaremeAfis.in_force(territoire_of(demande.commission.departement), on)
        values.update(bareme=bareme, monthly_amount=bareme.monthly_amount(children))
    droit, _created = DroitAfis.objects.update_or_create(periode=periode, defaults=values)
    return droit
