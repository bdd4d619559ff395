"""What a commission member sees of a dossier: the person by reference only (CRPA secrecy, domain
« Personal data »: members see pseudonymised dossiers of their sessions).

`dossier_for_members` builds a plain view-model from an application. It copies only what the
commission needs to give an opinion: reference, age (not the birth date), nationalities, situation,
the projet d'insertion, the association's assessment and opinion, and for a renewal the progress
report. Never the names, address, phone, birth place or birth date, nor any document.

Free text is written by the association, which may name the person by habit: words of the person's
names, their phone number and birth date are masked in it, as are anything that looks like a phone
number or an e-mail address.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.enums import Axe as AxeKind
from parcours.enums import DemandeKind

MASK = "[…]"
AXE_ORDER = {axe: index for index, axe in enumerate(AxeKind.values)}

# Name particles and short words that must not be masked everywhere in a text ("Le Gall", "da Silva").
_PARTICLES = frozenset(
    [
        "a",
        "al",
        "au",
        "aux",
        "ben",
        "bin",
        "d",
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "en",
        "et",
        "l",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "san",
        "sans",
        "sur",
        "ter",
        "van",
        "von",
        "y",
    ]
)
_WORD = re.compile(r"\w+", re.UNICODE)
_PHONE = re.compile(r"(?<!\w)\+?\d(?:[\s.\-/]?\d){7,}(?!\w)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Axe:
    label: str
    objectives: str
    actions: str
    progress: str


@dataclass(frozen=True)
class DossierPseudonymise:
    reference: str
    kind: str
    kind_label: str
    is_renewal: bool
    is_early_end: bool
    age: int | None
    nationalities: list[str]
    situation_familiale: str
    dependent_children: int
    household_size: int
    situation_emploi: str
    type_contrat: str
    logement: str
    formation: str
    ressources_foyer: object  # Decimal or None
    droit_rsa_ou_ada: bool | None
    engagement_signed_on: object  # date or None
    evaluation_association: str
    avis_association: str
    avis_association_motifs: str
    axes: list[Axe]


class Redactor:
    """Masks the person's identifying words in a free text."""

    def __init__(self, beneficiaire):
        names = " ".join([beneficiaire.last_name, beneficiaire.first_names, beneficiaire.usage_name])
        self.words = {
            _fold(word) for word in _WORD.findall(names) if len(word) > 1 and _fold(word) not in _PARTICLES
        }
        self.literals = []
        if beneficiaire.birth_date:
            day = beneficiaire.birth_date
            self.literals += [
                day.strftime("%d/%m/%Y"),
                f"{day.day}/{day.month}/{day.year}",
                day.strftime("%d.%m.%Y"),
                day.isoformat(),
            ]
        digits = re.sub(r"\D", "", beneficiaire.phone or "")
        self.phone_digits = digits if len(digits) >= 6 else ""

    def __call__(self, text: str) -> str:
        if not text:
            return ""
        for literal in self.literals:
            text = text.replace(literal, MASK)
        text = _EMAIL.sub(MASK, text)
        text = _PHONE.sub(MASK, text)
        if self.phone_digits:
            text = text.replace(self.phone_digits, MASK)
        return _WORD.sub(lambda m: MASK if _fold(m.group()) in self.words else m.group(), text)


def dossier_for_members(demande, *, on=None) -> DossierPseudonymise:
    """The pseudonymised dossier of an application; `on` is the day the age is given for (the session's).

    Expects `demande.beneficiaire` and `demande.objectifs` to be loaded by the caller to keep the
    number of queries fixed."""
    person = demande.beneficiaire
    redact = Redactor(person)
    on = on or timezone.localdate()
    is_renewal = demande.kind == DemandeKind.RENOUVELLEMENT
    axes = [
        Axe(
            label=objectif.get_axe_display(),
            objectives=redact(objectif.objectives),
            actions=redact(objectif.actions),
            progress=redact(objectif.progress) if is_renewal else "",
        )
        for objectif in sorted(demande.objectifs.all(), key=lambda o: AXE_ORDER.get(o.axe, len(AXE_ORDER)))
    ]
    return DossierPseudonymise(
        reference=person.reference,
        kind=demande.kind,
        kind_label=demande.get_kind_display(),
        is_renewal=is_renewal,
        is_early_end=demande.kind == DemandeKind.FIN_ANTICIPEE,
        age=person.age(on),
        nationalities=[country.name for country in person.nationalities] or [_("Non renseignée")],
        situation_familiale=person.get_situation_familiale_display(),
        dependent_children=person.dependent_children,
        household_size=person.household_size,
        situation_emploi=demande.get_situation_emploi_display(),
        type_contrat=demande.get_type_contrat_display(),
        logement=demande.get_logement_display() or person.get_logement_display(),
        formation=redact(demande.formation),
        ressources_foyer=demande.ressources_foyer,
        droit_rsa_ou_ada=demande.droit_rsa_ou_ada,
        engagement_signed_on=demande.engagement_signed_on,
        evaluation_association=redact(demande.evaluation_association),
        avis_association=demande.get_avis_association_display(),
        avis_association_motifs=redact(demande.avis_association_motifs),
        axes=axes,
    )
