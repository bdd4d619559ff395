"""What a commission member sees of a dossier: the person by reference only (CRPA secrecy, domain
« Personal data »: members see pseudonymised dossiers of their sessions).

`dossier_for_members` builds a plain view-model from an application. It copies only what the
commission needs to give an opinion: reference, age (not the birth date), nationalities, situation,
the projet d'insertion, the association's assessment and opinion, and for a renewal the progress
report. Never the names, address, phone, birth place or birth date, nor any document.

`Redactor` is the one masking function for every free text a member reads (the projet, evaluations,
vote comments, dissent, urgency and postponement reasons, the minutes). It masks:
- the identity of the persons it is built for, in every form: each name part (accents and case
  ignored) and the initials, the birth date in figures and in words (« 03/03/1990 », « 3 mars 1990 »,
  « 3 mars »), the address and its street, the place of birth, the phone number however it is spaced;
- identity in general: names after a civility (« Mme », « M. », « Madame »…) or after « née »,
  birth dates, years and places after « né·e », phone numbers, e-mail addresses, French street
  addresses (« 12 rue des Lilas ») and postal codes with their town.
Its patterns are compiled once per identity (cached), since it runs on every member page.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

# --- Identity in general: whoever the text is about -----------------------------------------------

_UPPER = "A-ZÀ-ÖØ-Þ"
# A capitalised word or a word in capitals ("Dupont", "DUPONT", "N'Diaye", "Le-Gall").
_NAME_WORD = rf"[{_UPPER}][\w'’\-]*"
_LINK = r"(?:d[eu]|des|de\s+la|la|le|les|aux?|l['’]|d['’]|van|von|da|dos|di|el|al|ben|bin|saint|sainte)"
# A name: capitalised words, with particles between them ("Marie de La Tour", "Ngozi ADEYEMI").
_NAME = rf"(?:(?:d[eu]|d['’]|da|dos|di|van|von|el|al|ben|bin)\s*)?{_NAME_WORD}(?:[\s\-]+(?:{_LINK}\s*)?{_NAME_WORD}){{0,3}}"
_CIVILITY = (
    r"(?:Mmes?|Mlles?|Mesdames|Mesdemoiselles|Mademoiselle|Madame|Monsieur|Messieurs|MM\.|M\.|Mr\.?|Mrs\.?"
    r"|Ms\.?|Dr\.?|Docteure?)"
)
_MONTHS = (
    r"(?i:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)"
)
_DATE = rf"(?:(?:1er|\d{{1,2}})\s+{_MONTHS}(?:\s+\d{{4}})?|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_BORN = r"(?<!\w)(?i:(?:n[ée]e|né)s?)"
# Street kinds that name a street on their own ("rue des Lilas"), and those common enough as words
# ("une place en CHRS", "cours de FLE") that they need a number before them.
_STREET_KIND = (
    r"(?i:rue|avenue|av\.|boulevard|bd|impasse|all[ée]es?|quai|faubourg|fbg|rond-point|lotissement"
    r"|esplanade|promenade|sentier|parvis|lieu-dit|chemin)"
)
_NUMBERED_STREET_KIND = r"(?i:place|cours|route|cit[ée]|voie|villa|passage|square|r[ée]sidence|hameau)"
_STREET_NAME = rf"(?:{_LINK}\s*)*{_NAME_WORD}(?:[\s\-]+(?:{_LINK}\s*)*{_NAME_WORD})*"
_STREET_NUMBER = r"(?<!\w)\d{1,4}(?:\s?(?i:bis|ter|quater))?,?\s+"

GENERAL_PATTERNS = [
    # Names after a civility: "Mme Adaeze NWOSU", "M. de Villiers" (the civility stays).
    re.compile(rf"(?<!\w){_CIVILITY}\s+(?P<m>{_NAME})"),
    # A birth date, year or place after "né·e": "née le 3 mars 1990 à Lagos", "né en 1988".
    re.compile(
        rf"{_BORN}\s+(?:(?:le|du)\s+(?P<m>{_DATE})|(?:en|vers)\s+(?P<m2>(?:{_MONTHS}\s+)?\d{{4}}))"
        rf"(?:\s*,?\s*(?:à|a|au|aux)\s+(?P<m3>{_NAME}))?"
    ),
    re.compile(rf"{_BORN}\s+(?:à|au|aux)\s+(?P<m>{_NAME})"),
    # A maiden name after "née": "Mme Durand, née Lefèvre".
    re.compile(rf"{_BORN}\s+(?P<m>{_NAME_WORD}(?:[\s\-]+{_NAME_WORD})?)"),
    re.compile(rf"(?i:date\s+de\s+naissance)\s*:?\s*(?:le\s+)?(?P<m>{_DATE})"),
    re.compile(rf"(?i:lieu\s+de\s+naissance)\s*:?\s*(?P<m>{_NAME})"),
    # Phone numbers: French ("06 12 34 56 78", "+33 (0)6 12…") and international ones.
    re.compile(
        r"(?<![\w+])(?:(?:\+|00)\d{2,3}[\s.\-]?(?:\(0\)[\s.\-]?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\d)"
    ),
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\d){7,12}(?!\d)"),
    re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
    # French street addresses: "12 bis rue de l'Église", "avenue Jean Jaurès".
    re.compile(rf"(?:{_STREET_NUMBER})?(?<!\w){_STREET_KIND}\s+{_STREET_NAME}"),
    re.compile(rf"{_STREET_NUMBER}{_NUMBERED_STREET_KIND}\s+{_STREET_NAME}"),
    # A postal code with its town: "31000 Toulouse", "75011 PARIS CEDEX 11".
    re.compile(
        rf"(?<![\w,.])(?:F-)?\d{{5}}\s+{_NAME_WORD}(?:[\s\-]+(?:{_LINK}\s*)?{_NAME_WORD})*(?:\s+\d{{1,2}})?"
    ),
]


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character without accent, in lower case; always one character, so offsets stay valid."""
    folded = _fold(char)
    return folded if len(folded) == 1 else char.lower()


def _fold_text(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


def _phrase(text: str) -> str:
    """A folded phrase matched word by word, whatever the spacing and punctuation between words."""
    words = _WORD.findall(_fold(text))
    return r"\W+".join(re.escape(w) for w in words) if words else ""


_MONTH_NAMES = [
    "janvier",
    "f[ée]vrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "ao[ûu]t",
    "septembre",
    "octobre",
    "novembre",
    "d[ée]cembre",
]


@dataclass(frozen=True)
class _Identity:
    """The identity fields of one person, as a hashable key for the cache of compiled patterns."""

    names: str
    first_names: str
    last_names: str
    birth_date: object  # date or None
    birth_place: str
    address: str
    phone: str

    @classmethod
    def of(cls, person):
        return cls(
            names=" ".join([person.last_name or "", person.first_names or "", person.usage_name or ""]),
            first_names=person.first_names or "",
            last_names="\n".join([person.last_name or "", person.usage_name or ""]),
            birth_date=person.birth_date,
            birth_place=person.birth_place or "",
            address=person.address or "",
            phone=person.phone or "",
        )


def _initials(text: str) -> list[str]:
    return [w[0].upper() for w in _WORD.findall(text) if w[0].isalpha() and _fold(w) not in _PARTICLES]


def _initial_sequences(identity) -> list[str]:
    first = _initials(identity.first_names)
    sequences = set()
    for last in filter(None, (_initials(name) for name in identity.last_names.split("\n"))):
        if first:
            sequences |= {tuple(first + last), tuple(last + first), (first[0], last[0]), (last[0], first[0])}
    return [r"\.?[\s\-]?".join(sequence) + r"\.?" for sequence in sorted(sequences, key=len, reverse=True)]


@dataclass(frozen=True)
class _PersonPatterns:
    folded: tuple  # patterns matched on the folded text (accents and case ignored)
    original: tuple  # patterns matched on the text as typed (initials, dates with month names)


@functools.lru_cache(maxsize=1024)
def _compile(identity: _Identity) -> _PersonPatterns:
    folded, original = [], []
    name_words = sorted(
        {_fold(w) for w in _WORD.findall(identity.names) if len(w) > 1 and _fold(w) not in _PARTICLES},
        key=len,
        reverse=True,
    )
    if name_words:
        folded.append(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in name_words)})(?!\w)")
    initials = _initial_sequences(identity)
    if initials:
        # "B. J. O.", "B.O.", "BJO", "O. B.": the person's initials in the order names are written.
        original.append(rf"(?<![\w.])(?:{'|'.join(initials)})(?!\w)")
    day = identity.birth_date
    if day:
        d, m, y = day.day, day.month, day.year
        years = rf"(?:{y}|{y % 100:02d})"
        # In figures, with its year or without any year ("03/03/1990", "3.3.90", "03/03"); a day and
        # month followed by another year is another date.
        original.append(rf"(?<!\d)0?{d}[/.\-\s]0?{m}[/.\-\s]{years}(?!\d)")
        original.append(rf"(?<![\d/.\-])0?{d}[/.]0?{m}(?![/.\-]?\d)")
        original.append(rf"(?<!\d){y}-{m:02d}-{d:02d}(?!\d)")
        # In words: "3 mars 1990", "1er mars", "3 mars" (not "3 mars 2026").
        day_words = r"(?:1er|0?1)" if d == 1 else rf"0?{d}"
        month = _MONTH_NAMES[m - 1]
        original.append(rf"(?<!\w){day_words}\s+(?i:{month})(?:\s+{y}(?!\d)|(?!\s+\d)(?!\w))")
        # The birth year near a mention of birth: "née en 1990", "née le … 1990", "(1990)".
        original.append(rf"{_BORN}\b[^.;\n]{{0,30}}?(?P<m>(?<!\d){y}(?!\d))")
    if identity.birth_place:
        place = identity.birth_place
        parts = {place, *re.split(r"[(),/;]", place)}
        for part in parts:
            phrase = _phrase(part)
            if phrase and len(part.strip()) > 2:
                folded.append(rf"(?<!\w){phrase}(?!\w)")
    for line in identity.address.splitlines():
        for part in {line, re.sub(r"^\s*\d+\s*(?:bis|ter)?,?\s*", "", line)}:
            phrase = _phrase(part)
            if phrase and len(part.strip()) > 3:
                folded.append(rf"(?<!\w){phrase}(?!\w)")
    digits = re.sub(r"\D", "", identity.phone)
    if len(digits) >= 6:
        national = digits[1:] if digits.startswith("0") else digits
        flexible = r"[\s.\-/]?".join(national)
        original.append(
            rf"(?<!\d)(?:(?:\+|00)\d{{2,3}}[\s.\-]?(?:\(0\)[\s.\-]?)?|0[\s.\-]?)?{flexible}(?!\d)"
        )
    return _PersonPatterns(
        folded=tuple(re.compile(p) for p in folded), original=tuple(re.compile(p) for p in original)
    )


def _spans_of(pattern, text):
    for match in pattern.finditer(text):
        groups = [name for name in pattern.groupindex if name.startswith("m") and match.group(name)]
        if not pattern.groupindex:
            yield match.span()
        for name in groups:
            yield match.span(name)


# Between two masked passages, only these characters: the passages become one mask ("[…]").
_JOIN = re.compile(r"[\s\-,]*")


class Redactor:
    """Masks the identity of the given persons, and identity in general, in a free text.

    Build it once per page with every person the texts may be about (`Redactor(person)`, or
    `Redactor(*persons)` for a session's texts); call it on each text."""

    do_not_call_in_templates = True  # templates pass it to a filter (commission.seances privacy tags)

    def __init__(self, *persons):
        self.persons = [_compile(_Identity.of(p)) for p in persons if p is not None]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The passages to mask, sorted and merged."""
        if not text:
            return []
        found = []
        folded = _fold_text(text)
        for person in self.persons:
            for pattern in person.folded:
                found += _spans_of(pattern, folded)
            for pattern in person.original:
                found += _spans_of(pattern, text)
        for pattern in GENERAL_PATTERNS:
            found += _spans_of(pattern, text)
        merged = []
        for start, end in sorted(s for s in found if s[1] > s[0]):
            if merged and (start <= merged[-1][1] or _JOIN.fullmatch(text, merged[-1][1], start) is not None):
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def segments(self, text: str) -> list[tuple[str, bool]]:
        """The text cut into (passage, masked) pairs, to show the author what members will not see."""
        result, position = [], 0
        for start, end in self.spans(text):
            if start > position:
                result.append((text[position:start], False))
            result.append((text[start:end], True))
            position = end
        if position < len(text or ""):
            result.append((text[position:], False))
        return result

    def __call__(self, text: str) -> str:
        if not text:
            return ""
        pieces, position = [], 0
        for start, end in self.spans(text):
            pieces += [text[position:start], MASK]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


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
    # Under 18 on the filing day: flagged on every screen of the dossier, members' included.
    minor_at_filing: bool
    age_at_filing: int | None
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
        minor_at_filing=demande.minor_at_filing,
        age_at_filing=demande.age_at_filing,
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


@dataclass(frozen=True)
class PreviewText:
    label: str
    segments: list  # (passage, masked) pairs

    @property
    def has_identity(self) -> bool:
        return any(masked for _text, masked in self.segments)

    def highlighted(self):
        """The text as HTML, masked passages in <mark> (built here: template whitespace would split words)."""
        parts = []
        for passage, masked in self.segments:
            body = linebreaksbr(passage, autoescape=True)
            if masked:
                body = format_html(
                    '<mark title="{}"><span class="fr-sr-only">{} </span>{}</mark>',
                    _("Masqué pour les membres"),
                    _("Passage masqué pour les membres :"),
                    body,
                )
            parts.append(str(body))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@dataclass(frozen=True)
class MembersPreview:
    texts: list[PreviewText]

    @property
    def has_identity(self) -> bool:
        return any(text.has_identity for text in self.texts)

    def __bool__(self):
        return bool(self.texts)


def members_preview(demande) -> MembersPreview:
    """The free texts of an application meant for the commission, as members will read them: the
    caseworker sees at filing which passages will be masked, and can rewrite them."""
    redact = Redactor(demande.beneficiaire)
    texts = [
        (gettext_lazy("Formation suivie"), demande.formation),
        (gettext_lazy("Évaluation de l’association"), demande.evaluation_association),
        (gettext_lazy("Motifs de l’avis de l’association"), demande.avis_association_motifs),
    ]
    for objectif in sorted(demande.objectifs.all(), key=lambda o: AXE_ORDER.get(o.axe, len(AXE_ORDER))):
        label = objectif.get_axe_display()
        texts += [
            (_("%(axe)s : objectifs") % {"axe": label}, objectif.objectives),
            (_("%(axe)s : actions") % {"axe": label}, objectif.actions),
        ]
        if demande.kind == DemandeKind.RENOUVELLEMENT:
            texts.append((_("%(axe)s : bilan") % {"axe": label}, objectif.progress))
    return MembersPreview(
        [PreviewText(label=str(label), segments=redact.segments(text)) for label, text in texts if text]
    )
