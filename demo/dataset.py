"""Demo data: a fictional commission of the Haute-Garonne (31), built through the workflows.

Every person, name and number here is invented; only the département, its institutions and the orders
of magnitude are real. Dates are computed from the day of loading so that the data look live.

Figures reproduced (the Haute-Garonne's published figures, see the domain document), over
`period(today)`: the twelve months ending on the day of loading.

- Commission: 20 members sitting by prefectoral order (20 active titular mandates), chaired by the
  prefect's delegate (`is_president`); 6 substitutes; one former titular replaced during the term
  (mandate ended); the child-protection member (décret du 30 décembre 2025) sits in departmental
  policy sessions only. 3 approved associations, each with an agrément valid on the day of loading
  (one of them ends within 90 days).
- 30 initial applications examined: the commission gave its opinion on each within the period, in
  12 closed sessions; the prefect authorised 28 and refused 2, also within the period. 7 more initial
  applications are open or withdrawn and were never given an opinion: one draft, one submitted, one
  awaiting a complement, one admissible, one on the agenda of the next session, one postponed, one
  withdrawn. 37 initial applications in all. The figure counts initial applications only: renewals
  are examined too (14 opinions in the period, below). Delays of every examined application: filed
  35 days before its session, decided 8 days after it.
- 27 of the 28 authorised persons are Nigerian; the 28th is Romanian (EU: no residence permit).
- Renewals: 13 decided (12 renewed, 1 refused) and 5 pending (draft, submitted, admissible, on the
  next agenda, opinion given awaiting the decision).
- Pathways: 28, of which 24 running and 4 ended: 2 at the term without renewal, 1 after a refused
  renewal, 1 on the person's withdrawal. Among the running pathways, terms end in 8, 15, 30 and 60 days
  (or up to three days sooner, when no term can end on that day), for the reminders to show.
- 11 persons in employment at their last report, 7 of them on a CDI (2 CDD, 1 intérim, 1 contrat
  d'insertion). Employment is only ever recorded on a person's latest application, which is never a
  draft, so counting applications or persons gives the same figures.
- Residence permits (APS): 27, at every stage: to issue, issued (number and dates), to renew,
  expired, not renewed (pathway ended before issue).
- AFIS assessed at every authorisation and renewal (eligible unless the household's resources reach
  the RSA lump sum, as for the persons renewed while in employment).
- Sessions: 12 past individual sessions (closed, attendance, one vote per member and item, an opinion
  with its tally per item; one item postponed), 2 departmental policy sessions, and the next
  individual session, convened, with two items.

Logins: one per role, and four voting members besides the president (so that a vote can be shown
with several browsers), all with the demo password (`PASSWORD`); other members cannot log in.
Every filed initial application holds its required documents (fictional one-page PDFs).
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from beneficiaires.enums import Logement, Sexe, SituationFamiliale, TypeRessources
from beneficiaires.models import Accompagnement, Beneficiaire
from commission.dates import add_months, term_end
from commission.enums import OrganisationKind, Role
from commission.models import (
    Agrement,
    Commission,
    Departement,
    Notification,
    Organisation,
    OutboundEmail,
    User,
)
from commission.pdf import html_to_pdf
from parcours import storage
from parcours.enums import (
    AvisChoice,
    Axe,
    DecisionKind,
    DemandeKind,
    ParcoursEndReason,
    ParcoursState,
    SituationEmploi,
    TitreSejourState,
    TypeContrat,
)
from parcours.enums import DemandeState as S
from parcours.models import (
    Courrier,
    Decision,
    Demande,
    DemandeEvenement,
    Document,
    ObjectifInsertion,
    Parcours,
    ParcoursEvenement,
    Periode,
    Rappel,
    RegleParcours,
    TitreSejour,
)
from parcours.models.demandes import REQUIRED_DOCUMENTS
from parcours.workflow import demandes as demandes_workflow
from parcours.workflow import parcours as parcours_workflow
from parcours.workflow import titres as titres_workflow

# isort: split
# The commission's sessions: mandates, sessions, agenda, attendance, votes, opinions, minutes.
from commission.enums import MandatRole, MandatScope, SeanceKind
from commission.models import Mandat
from commission.seances import workflow as seances_workflow
from commission.seances.enums import PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import (
    Avis,
    Convocation,
    PointOrdreDuJour,
    Presence,
    ProcesVerbal,
    Seance,
    Vote,
)

DEPARTEMENT_CODE = "31"
DEPARTEMENT_NAME = "Haute-Garonne"
EMAIL_DOMAIN = "demo.psp.invalid"
# The one password of every printed login: a demo on a developer's machine, never a real deployment.
PASSWORD = "Demo-PSP-Garonne-31"  # noqa: S105

# Days before today of the past individual sessions, and of the departmental policy sessions.
SEANCES_DAYS_AGO = (340, 310, 280, 250, 220, 190, 160, 130, 100, 70, 40, 12)
POLICY_SEANCES_DAYS_AGO = (265, 55)
NEXT_SEANCE_IN_DAYS = 9
# The prefect decides this many days after the session (or on the day the pathway starts, if earlier).
DECISION_DELAY = 8
SIGNATAIRE_TITLE = "Pour le préfet et par délégation, la sous-préfète chargée de mission"

SECRETARIAT = "DDETS de la Haute-Garonne – délégation départementale aux droits des femmes et à l’égalité"
CABINET = "Préfecture de la Haute-Garonne – cabinet du préfet"
ETRANGERS = "Préfecture de la Haute-Garonne – service de l’immigration et de l’intégration"


@dataclass(frozen=True)
class Association:
    name: str
    slug: str
    rna: str
    agrement: str
    referent: tuple[str, str]
    agrement_ends_in: int | None = None  # days; otherwise three years from its start 14 months ago


ASSOCIATIONS = (
    Association(
        "Association Horizon Garonne",
        "horizon-garonne",
        "W313000101",
        "31-PSP-2025-001",
        ("Inès", "Berthier"),
    ),
    Association(
        "Les Ponts de Brienne", "ponts-de-brienne", "W313000102", "31-PSP-2025-002", ("Thomas", "Gaillard")
    ),
    Association(
        "Collectif Alizé Occitanie",
        "alize-occitanie",
        "W313000103",
        "31-PSP-2023-003",
        ("Aïcha", "Benali"),
        agrement_ends_in=75,
    ),
)


@dataclass(frozen=True)
class Seat:
    """One titular seat on the commission, with its holder and, sometimes, a substitute."""

    organisation: str
    kind: str
    member: tuple[str, str, str]  # first name, last name, title
    substitute: tuple[str, str, str] | None = None
    former: tuple[str, str, str] | None = None  # titular replaced during the term (CRPA R133-4)
    scope: str = MandatScope.TOUTES
    is_president: bool = False
    login: str = ""  # e-mail local part when the holder gets a printed login
    login_label: str = ""  # a member's printed login names the seat by this short label


K = OrganisationKind
SEATS = (
    Seat(
        CABINET,
        K.SECRETARIAT,
        ("Hélène", "Marchand", "Sous-préfète chargée de mission, déléguée du préfet"),
        substitute=("François", "Delorme", "Secrétaire général adjoint de la préfecture"),
        is_president=True,
        login="president",
    ),
    Seat(
        SECRETARIAT,
        K.SECRETARIAT,
        ("Nathalie", "Ferrand", "Déléguée départementale aux droits des femmes et à l’égalité"),
        substitute=("Lucie", "Ribeiro", "Chargée de mission égalité entre les femmes et les hommes"),
        login="membre1",
        login_label="DDETS",
    ),
    Seat(ETRANGERS, K.SERVICE_ETRANGERS, ("Karim", "Haddad", "Chef du bureau du séjour")),
    Seat(
        "Direction interdépartementale de la police nationale de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Olivier", "Caron", "Commandant, chef de la brigade de protection des familles"),
        substitute=("Sandrine", "Vidal", "Capitaine de police"),
        login="membre2",
        login_label="police nationale",
    ),
    Seat(
        "Groupement de gendarmerie départementale de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Marc", "Lefebvre", "Chef d’escadron, officier adjoint commandement"),
    ),
    Seat(
        "Direction zonale de la police aux frontières Sud",
        K.SERVICE_ETAT,
        ("Julie", "Fabre", "Commandante, cheffe de l’unité de lutte contre les filières"),
    ),
    Seat(
        "DDETS de la Haute-Garonne – pôle travail",
        K.SERVICE_ETAT,
        ("Pierre", "Castel", "Responsable d’unité de contrôle de l’inspection du travail"),
    ),
    Seat(
        "France Travail – direction territoriale de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Émilie", "Garcia", "Directrice territoriale déléguée"),
    ),
    Seat(
        "Agence régionale de santé Occitanie – délégation départementale de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Sophie", "Delmas", "Chargée de mission santé des personnes vulnérables"),
        login="membre3",
        login_label="ARS",
    ),
    Seat(
        "Direction des services départementaux de l’éducation nationale de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Laurent", "Muller", "Conseiller technique de service social"),
    ),
    Seat(
        "Direction départementale des finances publiques de la Haute-Garonne",
        K.SERVICE_ETAT,
        ("Isabelle", "Roche", "Responsable du pôle gracieux"),
    ),
    Seat(
        "Office français de l’immigration et de l’intégration – direction territoriale de Toulouse",
        K.SERVICE_ETAT,
        ("Mehdi", "Saidi", "Directeur territorial adjoint"),
    ),
    Seat(
        "Parquet du tribunal judiciaire de Toulouse",
        K.MAGISTRAT,
        ("Anne", "Lacombe", "Vice-procureure"),
        login="membre4",
        login_label="parquet",
    ),
    Seat(
        "Conseil départemental de la Haute-Garonne",
        K.COLLECTIVITE,
        ("Martine", "Bousquet", "Conseillère départementale déléguée à l’égalité"),
        substitute=("Denis", "Carrère", "Conseiller départemental"),
        former=("Gérard", "Puech", "Conseiller départemental"),
    ),
    Seat(
        "Ville de Toulouse",
        K.COLLECTIVITE,
        ("Nadia", "Khelifi", "Conseillère municipale déléguée à l’égalité"),
        substitute=("Jérôme", "Azéma", "Conseiller municipal"),
    ),
    Seat(
        "Conseil départemental de l’ordre des médecins de la Haute-Garonne",
        K.ORDRE_MEDECINS,
        ("Bernard", "Salles", "Médecin, membre du conseil de l’ordre"),
    ),
    Seat(
        ASSOCIATIONS[0].name,
        K.ASSOCIATION,
        ("Véronique", "Mas", "Directrice"),
        substitute=("Youssef", "Amrani", "Chef de service"),
    ),
    Seat(ASSOCIATIONS[1].name, K.ASSOCIATION, ("Paul", "Roux", "Président")),
    Seat(ASSOCIATIONS[2].name, K.ASSOCIATION, ("Chantal", "Ortiz", "Directrice")),
    Seat(
        "Direction territoriale de la protection judiciaire de la jeunesse de la Haute-Garonne",
        K.PROTECTION_ENFANCE,
        ("Céline", "Barthe", "Directrice territoriale adjointe"),
        scope=MandatScope.POLITIQUE,
    ),
)

RENEWED = "renouvele"
NOT_RENEWED = "non_renouvele"


@dataclass(frozen=True)
class Person:
    first_names: str
    last_name: str
    nationality: str = "NG"
    children: int = 0
    seance: int | None = None  # days ago of the session that examined the initial application
    refused: bool = False
    complement: bool = False  # the examined dossier went through a request for complement
    term_end_in: int | None = None  # the first term is made to end this many days from today
    renewals: tuple[str, ...] = ()  # RENEWED, NOT_RENEWED, or the state an open renewal is left in
    withdraws: int | None = None  # days ago the person left the pathway
    aps: str = TitreSejourState.DELIVRE  # A_DELIVRER / A_RENOUVELER: the service has not issued it yet
    contrat: str = ""  # contract at the last report, for a person in employment
    open_state: str = ""  # an application never examined, left in this state


T = TypeContrat
PERSONS = (
    # Examined 340 days ago: renewed once, the second renewal under way.
    Person("Blessing", "Osagie", seance=340, renewals=(RENEWED, S.BROUILLON)),
    Person("Precious", "Omoregie", seance=340, children=1, renewals=(RENEWED, S.INSCRITE), contrat=T.CDI),
    Person("Joy", "Aigbe", seance=340, renewals=(RENEWED, S.RECEVABLE), contrat=T.CDD),
    Person("Favour", "Ehigie", seance=310, complement=True, renewals=(RENEWED,), contrat=T.CDI),
    Person("Gift", "Iyamu", seance=310, renewals=(RENEWED,), contrat=T.INTERIM),
    Person("Mercy", "Osayande", seance=310),  # no renewal filed: the pathway ends at its term
    Person("Faith", "Uwaifo", seance=280, renewals=(RENEWED,), contrat=T.CDI),
    Person("Esther", "Edosa", seance=280, renewals=(RENEWED,), contrat=T.CDI),
    Person("Peace", "Obasogie", seance=280, renewals=(NOT_RENEWED,)),
    Person("Lucky", "Ehiagwina", seance=280, refused=True),
    Person("Grace", "Idahosa", seance=250, renewals=(RENEWED,), contrat=T.CDI),
    Person("Happiness", "Ekhator", seance=250, children=2, renewals=(RENEWED,), contrat=T.INSERTION),
    Person("Success", "Ogbeide", seance=250),  # ends at its term
    Person("Patience", "Okoro", seance=220, renewals=(RENEWED,), contrat=T.CDI),
    Person("Vivian", "Eze", seance=220, renewals=(RENEWED,), contrat=T.CDI),
    Person("Juliet", "Nwosu", seance=220, renewals=(RENEWED,), aps=TitreSejourState.A_RENOUVELER),
    Person("Rita", "Osaro", seance=190, term_end_in=15, renewals=(S.DEPOSEE,)),
    Person("Stella", "Aghedo", seance=190, term_end_in=8, renewals=(S.AVIS_RENDU,), contrat=T.CDD),
    Person("Glory", "Enabulele", seance=160, complement=True, term_end_in=30),
    Person("Loveth", "Igbinoba", seance=160, children=1),
    Person("Endurance", "Osemwegie", seance=160),
    Person("Marie-Claire", "Mbarga", nationality="CM", seance=160, refused=True),
    Person("Princess", "Ukpebor", seance=130, term_end_in=60),
    Person("Comfort", "Ehimwenma", seance=130),
    Person("Divine", "Ogieva", seance=100),
    Person("Ioana", "Munteanu", nationality="RO", seance=100),
    Person("Miracle", "Omorogbe", seance=70),
    Person("Goodness", "Iyoha", seance=70, withdraws=20, aps=TitreSejourState.A_DELIVRER),
    Person("Sandra", "Eguavoen", seance=40, aps=TitreSejourState.A_DELIVRER),
    Person("Osas", "Erhunmwunse", seance=12, aps=TitreSejourState.A_DELIVRER),
    # Never examined.
    Person("Elira", "Krasniqi", nationality="AL", open_state=S.BROUILLON),
    Person("Ivie", "Osarenren", open_state=S.DEPOSEE),
    Person("Xiaoli", "Chen", nationality="CN", open_state=S.COMPLEMENT_DEMANDE),
    Person("Rose", "Aiwerioghene", open_state=S.RECEVABLE),
    Person("Bianca", "Ferreira", nationality="BR", open_state=S.INSCRITE),
    Person("Eki", "Osakue", open_state=S.AJOURNEE),
    Person("Osarugue", "Edokpolo", open_state=S.RETIREE),
)

# Days before today of each step of an application left open in a state. `seance`: days ago of the
# session that examined it; "agenda" one day ago means the next session's agenda.
OPEN_STEPS = {
    S.BROUILLON: {"created": 6},
    S.DEPOSEE: {"created": 40, "submitted": 5},
    S.COMPLEMENT_DEMANDE: {"created": 45, "submitted": 20, "complement": 14},
    S.RECEVABLE: {"created": 50, "submitted": 30, "admissible": 9},
    S.INSCRITE: {"created": 60, "submitted": 40, "admissible": 25, "agenda": 1},
    S.AJOURNEE: {"created": 90, "submitted": 70, "admissible": 55, "agenda": 52, "seance": 40},
    S.AVIS_RENDU: {"created": 52, "submitted": 40, "admissible": 30, "agenda": 24, "seance": 12},
    S.RETIREE: {"created": 80, "submitted": 60, "withdrawn": 30},
}
# Days before the session of each step of an examined application.
EXAMINED_STEPS = {"created": 50, "submitted": 35, "admissible": 21, "agenda": 12}
COMPLEMENT_STEPS = {"complement": 30, "resubmitted": 26}

POSTPONEMENT_REASON = (
    "Pièces d’état civil à vérifier : la commission souhaite l’éclairage du parquet avant de se prononcer."
)
CONTRACT_RESOURCES = {
    T.CDI: Decimal("1420.00"),
    T.CDD: Decimal("1180.00"),
    T.INTERIM: Decimal("960.00"),
    T.INSERTION: Decimal("870.00"),
}

OBJECTIVES = {
    Axe.SECURITE_LOGEMENT: (
        "Se mettre en sécurité, quitter l’hébergement d’urgence et accéder à un logement stable.",
        "Orientation vers le SIAO, demande de logement social au titre de la priorité du parcours.",
        "Hébergée en intermédiation locative ; demande de logement social enregistrée.",
    ),
    Axe.SANTE: (
        "Ouvrir les droits à l’assurance maladie, assurer le suivi médical et psychologique.",
        "Accompagnement à la PASS, orientation vers une consultation de psychotraumatologie.",
        "Droits ouverts, suivi régulier en place.",
    ),
    Axe.ACCES_DROITS: (
        "Obtenir l’autorisation provisoire de séjour et ouvrir les droits sociaux.",
        "Dépôt de la demande d’APS, ouverture d’un compte bancaire, domiciliation.",
        "APS obtenue, compte bancaire ouvert.",
    ),
    Axe.LANGUE_FORMATION: (
        "Apprendre le français (viser le niveau A2) et préparer une formation qualifiante.",
        "Inscription à des cours de français langue étrangère, bilan de compétences.",
        "Niveau A2 atteint, formation qualifiante en cours.",
    ),
    Axe.EMPLOI: (
        "Construire un projet professionnel et accéder à un emploi durable.",
        "Inscription à France Travail, ateliers de recherche d’emploi, stage d’immersion.",
        "Stage réalisé, candidatures en cours auprès de plusieurs employeurs.",
    ),
}
LANGUAGES = {
    "NG": "anglais, pidgin, edo",
    "CM": "français, anglais",
    "RO": "roumain",
    "CN": "mandarin",
    "BR": "portugais",
    "AL": "albanais, italien",
}


@dataclass(frozen=True)
class Login:
    role: str  # in French, as printed
    email: str


def member_seats() -> list[Seat]:
    """The voting members who get a printed login, so that a vote can be shown in several browsers."""
    return [seat for seat in SEATS if seat.login_label]


def logins() -> list[Login]:
    """The printed logins, in order: secretariat, president, the members with a login (one per seat),
    the foreigners' service, the administrator, then one caseworker per association."""
    members = [
        Login(f"membre {number} ({seat.login_label})", f"{seat.login}@{EMAIL_DOMAIN}")
        for number, seat in enumerate(member_seats(), start=1)
    ]
    fixed = [
        Login("secrétariat", f"secretariat@{EMAIL_DOMAIN}"),
        Login("président·e", f"president@{EMAIL_DOMAIN}"),
        *members,
        Login("service des étrangers", f"etrangers@{EMAIL_DOMAIN}"),
        Login("administrateur·rice", f"admin@{EMAIL_DOMAIN}"),
    ]
    return fixed + [
        Login(f"référent·e ({a.name})", f"referent.{a.slug}@{EMAIL_DOMAIN}") for a in ASSOCIATIONS
    ]


def period(today=None) -> tuple[datetime.date, datetime.date]:
    """The twelve months the demo's figures cover, ending on `today` (both days included)."""
    today = today or timezone.localdate()
    return add_months(today, -12) + datetime.timedelta(days=1), today


class DemoError(Exception):
    """The demo cannot be loaded; the message says why, in French."""


@transaction.atomic
def load(*, reset=False, persons=None) -> bool:
    """Load the demo unless it is there already (then only reset the demo password of the logins).

    With `reset`, wipe the demo département first and load it again, dated from today. `persons` loads
    only the first persons (every login, session and institution still): a smaller demo for the tests
    that need a demo quickly, without its figures. Returns True when data were loaded.
    """
    departement = Departement.objects.filter(code=DEPARTEMENT_CODE).first()
    if departement is not None:
        if not User.objects.filter(email=logins()[0].email, organisation__departement=departement).exists():
            raise DemoError(
                f"Le département {DEPARTEMENT_CODE} existe déjà et ne vient pas de la démonstration : "
                "rien n’a été chargé."
            )
        if not reset:
            _set_login_passwords()
            return False
        wipe(departement)
    _Builder(timezone.localdate()).build(PERSONS[:persons])
    _set_login_passwords()
    return True


def _set_login_passwords():
    # One hash for every login: hashing is deliberately slow.
    User.objects.filter(email__in=[login.email for login in logins()]).update(
        password=make_password(PASSWORD), is_active=True
    )


def wipe(departement):
    """Delete the demo département and everything in it, children before the rows they protect."""
    commission = Commission.objects.filter(departement=departement).first()
    if commission is not None:
        Rappel.objects.filter(commission=commission).delete()
        # Decision letters, and the notices of pathways ended by a withdrawal or departure recorded in use.
        Courrier.objects.filter(
            Q(decision__demande__commission=commission) | Q(parcours__commission=commission)
        ).delete()
        ProcesVerbal.objects.filter(seance__commission=commission).delete()
        Avis.objects.filter(point__seance__commission=commission).delete()
        seances = Seance.objects.filter(commission=commission)
        seances.filter(reconvened_from__isnull=False).delete()
        seances.delete()
        Periode.objects.filter(parcours__commission=commission).delete()
        TitreSejour.objects.filter(parcours__commission=commission).delete()
        Decision.objects.filter(demande__commission=commission).delete()
        Demande.objects.filter(commission=commission).delete()
        Parcours.objects.filter(commission=commission).delete()
        Mandat.objects.filter(commission=commission, role=MandatRole.SUPPLEANT).delete()
        Mandat.objects.filter(commission=commission).delete()
        commission.delete()
    Beneficiaire.objects.filter(departement=departement).delete()
    # The accounts stay (the load takes them up again): their role history and access-log rows are
    # append-only, and on PostgreSQL their triggers refuse the deletion an account's removal would cascade to.
    Notification.objects.filter(recipient__email__endswith=f"@{EMAIL_DOMAIN}").delete()
    OutboundEmail.objects.filter(to__endswith=f"@{EMAIL_DOMAIN}").delete()
    # An account the administrator added to a demo organisation while the demo was used stays too,
    # outside any organisation (it no longer reads the demo's persons).
    User.objects.filter(
        Q(email__endswith=f"@{EMAIL_DOMAIN}") | Q(organisation__departement=departement)
    ).update(organisation=None)
    Agrement.objects.filter(departement=departement).delete()
    Organisation.objects.filter(departement=departement).delete()
    departement.delete()


class _Builder:
    """Builds the demo in order: institutions, members, sessions, then each person's history."""

    def __init__(self, today):
        self.today = today
        # Rows the workflows create get timestamps after this instant; each is backdated at once.
        self.started = timezone.now()
        self.groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        self.point_orders = {}
        self.permit_number = 0
        self.document_pdfs = {}

    # Dates ---------------------------------------------------------------------------------------

    def ago(self, days) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def at(self, day, hour=10, minute=0) -> datetime.datetime:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        # Never after the load started, so that a later backdating cannot catch it again.
        return min(moment, self.started - datetime.timedelta(seconds=1))

    def _stamp(self, moment, *, demande_id=None, parcours_id=None):
        """Backdate the event rows the last workflow call wrote for this application or pathway."""
        if demande_id is not None:
            DemandeEvenement.objects.filter(demande_id=demande_id, at__gte=self.started).update(at=moment)
            # The stamps come in chronological order: the latest is the application's last change.
            Demande.objects.filter(pk=demande_id).update(last_change_at=moment)
        if parcours_id is not None:
            ParcoursEvenement.objects.filter(parcours_id=parcours_id, at__gte=self.started).update(at=moment)

    # Institutions --------------------------------------------------------------------------------

    def build(self, persons=PERSONS):
        self.departement = Departement.objects.create(code=DEPARTEMENT_CODE, name=DEPARTEMENT_NAME)
        self._organisations()
        self.commission = Commission.objects.create(
            departement=self.departement,
            name=(
                "Commission départementale de lutte contre la prostitution, le proxénétisme et la traite "
                "des êtres humains aux fins d’exploitation sexuelle de la Haute-Garonne"
            ),
            secretariat=self.organisations[SECRETARIAT],
        )
        self._staff()
        self._mandats()
        self._seances()
        for index, person in enumerate(persons):
            self._person(index, person)

    def _organisations(self):
        self.organisations = {}
        for seat in SEATS:
            self.organisations[seat.organisation] = Organisation.objects.create(
                name=seat.organisation, kind=seat.kind, departement=self.departement
            )
        for association in ASSOCIATIONS:
            organisation = self.organisations[association.name]
            organisation.rna = association.rna
            organisation.email = f"contact.{association.slug}@{EMAIL_DOMAIN}"
            organisation.save(update_fields=["rna", "email"])
            if association.agrement_ends_in is None:
                start = add_months(self.today, -14)
                end = Agrement.default_end(start)
            else:
                end = self.ago(-association.agrement_ends_in)
                start = add_months(end + datetime.timedelta(days=1), -36)
            Agrement.objects.create(
                association=organisation,
                departement=self.departement,
                number=association.agrement,
                start=start,
                end=end,
            )

    def _user(self, first_name, last_name, title, organisation, role, email=None, **extra):
        email = email or f"{_slug(first_name)}.{_slug(last_name)}@{EMAIL_DOMAIN}"
        # A reset takes up the accounts of the former load (see `wipe`): the same person, the same role.
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name, user.title, user.organisation = (
            first_name,
            last_name,
            title,
            organisation,
        )
        for name, value in extra.items():
            setattr(user, name, value)
        user.set_unusable_password()
        user.save()
        user.groups.add(self.groups[role])
        return user

    def _staff(self):
        orgs = self.organisations
        self.secretariat = self._user(
            "Camille",
            "Roussel",
            "Chargée de mission, secrétariat de la commission",
            orgs[SECRETARIAT],
            Role.SECRETARIAT,
            email=f"secretariat@{EMAIL_DOMAIN}",
        )
        self._user(
            "Julien",
            "Besson",
            "Instructeur, bureau du séjour",
            orgs[ETRANGERS],
            Role.ETRANGERS,
            email=f"etrangers@{EMAIL_DOMAIN}",
        )
        self._user(
            "Alex",
            "Morel",
            "Administrateur·rice de la plateforme",
            None,
            Role.ADMINISTRATEUR,
            email=f"admin@{EMAIL_DOMAIN}",
            is_staff=True,
            is_superuser=True,
        )
        self.referents = {}
        for association in ASSOCIATIONS:
            first, last = association.referent
            self.referents[association.name] = self._user(
                first,
                last,
                "Travailleur·se social·e, référent·e parcours de sortie",
                orgs[association.name],
                Role.REFERENT,
                email=f"referent.{association.slug}@{EMAIL_DOMAIN}",
            )

    def _mandats(self):
        appointed = add_months(self.today, -20)
        until = term_end(appointed, 36)
        replaced_on = self.ago(240)
        arrete = f"Arrêté préfectoral n° 31-{appointed.year}-{appointed.month:02d}-0142"
        self.president_mandat = None
        for seat in SEATS:
            organisation = self.organisations[seat.organisation]
            first, last, title = seat.member
            role = Role.PRESIDENT if seat.is_president else Role.MEMBRE
            email = f"{seat.login}@{EMAIL_DOMAIN}" if seat.login else None
            user = self._user(first, last, title, organisation, role, email=email)
            start = appointed
            if seat.former:
                former_user = self._user(*seat.former, organisation, Role.MEMBRE)
                Mandat.objects.create(
                    commission=self.commission,
                    user=former_user,
                    organisation=organisation,
                    role=MandatRole.TITULAIRE,
                    start=appointed,
                    end=replaced_on,
                    arrete=arrete,
                )
                start = replaced_on + datetime.timedelta(days=1)
            mandat = Mandat.objects.create(
                commission=self.commission,
                user=user,
                organisation=organisation,
                role=MandatRole.TITULAIRE,
                is_president=seat.is_president,
                scope=seat.scope,
                start=start,
                end=until,
                arrete=arrete if start == appointed else f"{arrete}-modificatif",
            )
            if seat.is_president:
                self.president, self.president_mandat = user, mandat
            if seat.substitute:
                substitute = self._user(*seat.substitute, organisation, Role.MEMBRE)
                Mandat.objects.create(
                    commission=self.commission,
                    user=substitute,
                    organisation=organisation,
                    role=MandatRole.SUPPLEANT,
                    titulaire=mandat,
                    scope=seat.scope,
                    start=appointed,
                    end=until,
                    arrete=arrete,
                )

    # Sessions ------------------------------------------------------------------------------------

    def _sitting(self, kind, day):
        return list(
            Mandat.objects.filter(commission=self.commission)
            .active(on=day)
            .titulaires()
            .sitting_in(kind)
            .select_related("organisation")
            .prefetch_related("suppleants")
            .order_by("pk")
        )

    def _seance(self, kind, day, state, number):
        starts_at = self.at(day, 14) if day < self.today else _aware(day, 14)
        seance = Seance.objects.create(
            commission=self.commission,
            kind=kind,
            starts_at=starts_at,
            place="Préfecture de la Haute-Garonne, Toulouse – salle Garonne",
            state=state,
            closed_at=self.at(day, 17) if state == SeanceState.CLOSE else None,
        )
        sitting = self._sitting(kind, day)
        sent_at = self.at(day - datetime.timedelta(days=10), 9)
        Convocation.objects.bulk_create(
            Convocation(seance=seance, mandat=m, sent_at=sent_at) for m in sitting
        )
        if state != SeanceState.CLOSE:
            return seance, []
        statuses = self._attendance(sitting, number)
        substitutes = {
            m.pk: m.suppleants.all()[0] for m in sitting if statuses[m.pk] == PresenceStatus.REPRESENTE
        }
        Presence.objects.bulk_create(
            Presence(
                seance=seance,
                mandat=m,
                status=statuses[m.pk],
                proxy_to=self.president_mandat if statuses[m.pk] == PresenceStatus.MANDAT else None,
                substitute=substitutes.get(m.pk),
            )
            for m in sitting
        )
        # Who casts each seat's vote: the member, their substitute, or the holder of their proxy.
        self.casters[seance.pk] = {
            m.pk: substitutes.get(m.pk)
            or (self.president_mandat if statuses[m.pk] == PresenceStatus.MANDAT else m)
            for m in sitting
        }
        counted = (
            PresenceStatus.PRESENT,
            PresenceStatus.VISIO,
            PresenceStatus.REPRESENTE,
            PresenceStatus.MANDAT,
        )
        return seance, [m for m in sitting if m.voting and statuses[m.pk] in counted]

    def _attendance(self, sitting, number):
        """A plausible attendance that changes from one session to the next; the chair is always there."""
        others = [m for m in sitting if not m.is_president]
        statuses = {m.pk: PresenceStatus.PRESENT for m in sitting}
        size = len(others)
        for offset, status in (
            (0, PresenceStatus.EXCUSE),
            (4, PresenceStatus.VISIO),
            (8, PresenceStatus.MANDAT),
        ):
            mandat = others[(number * 3 + offset) % size]
            if status == PresenceStatus.EXCUSE and mandat.suppleants.all():
                status = PresenceStatus.REPRESENTE
            statuses[mandat.pk] = status
        if number % 3 == 0:
            statuses[others[(number * 3 + 12) % size].pk] = PresenceStatus.ABSENT
        return statuses

    def _seances(self):
        self.seances = {}
        self.casters = {}
        for number, days in enumerate(SEANCES_DAYS_AGO):
            self.seances[days] = self._seance(
                SeanceKind.INDIVIDUELLE, self.ago(days), SeanceState.CLOSE, number
            )
        for number, days in enumerate(POLICY_SEANCES_DAYS_AGO):
            self._seance(SeanceKind.POLITIQUE, self.ago(days), SeanceState.CLOSE, number)
        self.next_seance, _voters = self._seance(
            SeanceKind.INDIVIDUELLE, self.ago(-NEXT_SEANCE_IN_DAYS), SeanceState.CONVOQUEE, 0
        )

    def _point(self, seance, demande):
        order = self.point_orders.get(seance.pk, 0) + 1
        self.point_orders[seance.pk] = order
        return PointOrdreDuJour.objects.create(
            seance=seance, demande=demande, order=order, presenting_association=demande.association
        )

    def _vote(self, point, voters, favorable, moment):
        """One vote per member present or represented; the presenting association does not vote."""
        voters = [m for m in voters if m.organisation_id != point.presenting_association_id]
        choices = []
        for index, _mandat in enumerate(voters):
            if favorable:
                last = index == len(voters) - 1
                choices.append(
                    VoteChoice.ABSTENTION if last and point.order % 3 == 0 else VoteChoice.FAVORABLE
                )
            else:
                choices.append(
                    VoteChoice.FAVORABLE
                    if index < 3
                    else VoteChoice.ABSTENTION
                    if index == 3
                    else VoteChoice.DEFAVORABLE
                )
        Vote.objects.bulk_create(
            Vote(
                point=point,
                mandat=m,
                cast_by=self.casters[point.seance_id][m.pk],
                choice=choice,
                cast_at=moment,
            )
            for m, choice in zip(voters, choices, strict=True)
        )
        Avis.objects.create(
            point=point,
            favorable=favorable,
            votes_favorable=choices.count(VoteChoice.FAVORABLE),
            votes_defavorable=choices.count(VoteChoice.DEFAVORABLE),
            abstentions=choices.count(VoteChoice.ABSTENTION),
            by_show_of_hands=True,
            given_at=moment,
        )
        # A past session's item: its opinion goes through the engine, which writes the item's history.
        seances_workflow.POINT.apply(
            point, "give_opinion", user=self.secretariat, reason="favorable" if favorable else "defavorable"
        )

    # Persons -------------------------------------------------------------------------------------

    def _person(self, index, person):
        association = self.organisations[ASSOCIATIONS[index % len(ASSOCIATIONS)].name]
        referent = self.referents[association.name]
        if person.open_state:
            steps = {name: self.ago(days) for name, days in OPEN_STEPS[person.open_state].items()}
        else:
            seance_day = self.ago(person.seance)
            steps = {
                name: seance_day - datetime.timedelta(days=days) for name, days in EXAMINED_STEPS.items()
            }
            if person.complement:
                steps |= {
                    name: seance_day - datetime.timedelta(days=days)
                    for name, days in COMPLEMENT_STEPS.items()
                }
            steps["seance"] = seance_day
        beneficiaire = self._beneficiaire(index, person, association, referent, steps["created"])
        demande = self._application(
            beneficiaire,
            association,
            referent,
            steps,
            kind=DemandeKind.INITIALE,
            situation=self._situation(person, is_last=not person.renewals),
            favorable=None if person.open_state == S.AJOURNEE else not person.refused,
        )
        if person.open_state:
            return
        decision_day = self.ago(person.seance - DECISION_DELAY)
        if person.refused:
            self._decide(
                demande,
                DecisionKind.REFUS,
                decision_day,
                motifs=(
                    "Après avis défavorable de la commission : à la date de la demande, la personne n’avait "
                    "pas cessé l’activité de prostitution, condition de l’engagement dans le parcours "
                    "(CASF L121-9)."
                ),
            )
            return
        start = decision_day
        if person.term_end_in is not None:
            start = _start_for_term_end(self.ago(-person.term_end_in))
            assert start > self.ago(person.seance), "the pathway starts after the session"
            decision_day = min(decision_day, start)
        decision = self._decide(demande, DecisionKind.AUTORISATION, decision_day, start=start)
        parcours = decision.demande.parcours
        if person.aps != TitreSejourState.A_DELIVRER:
            self._issue(parcours, start)
        last_decision = decision_day
        for number, outcome in enumerate(person.renewals, start=1):
            is_last = number == len(person.renewals)
            last_decision = self._renewal(
                person, beneficiaire, association, referent, parcours, outcome, last_decision, is_last
            )
        parcours.refresh_from_db()
        if person.withdraws is not None:
            parcours_workflow.end(
                parcours,
                reason=ParcoursEndReason.RETRAIT,
                on=self.ago(person.withdraws),
                user=referent,
                note="La personne a souhaité mettre fin au parcours.",
            )
            self._stamp(self.at(self.ago(person.withdraws), 11), parcours_id=parcours.pk)
        elif parcours.state == ParcoursState.EN_COURS and parcours.current_term_end < self.today:
            # What the daily job (parcours.workflow.parcours.end_lapsed) does, for this pathway only.
            parcours_workflow.end(
                parcours, reason=parcours_workflow.lapse_reason(parcours), on=parcours.current_term_end
            )
            self._stamp(
                self.at(parcours.current_term_end + datetime.timedelta(days=1), 6), parcours_id=parcours.pk
            )
        titre = titres_workflow.current(parcours)
        if titre is not None and titre.state == TitreSejourState.DELIVRE and titre.valid_until < self.today:
            titres_workflow.expire(titre)

    def _renewal(
        self, person, beneficiaire, association, referent, parcours, outcome, last_decision, is_last
    ):
        parcours.refresh_from_db()
        situation = self._situation(person, is_last=is_last)
        if outcome in (RENEWED, NOT_RENEWED):
            seance_day = max(
                day
                for day in (self.ago(days) for days in SEANCES_DAYS_AGO)
                if day + datetime.timedelta(days=DECISION_DELAY) <= parcours.current_term_end
                and day - datetime.timedelta(days=EXAMINED_STEPS["created"]) > last_decision
            )
            steps = {
                name: seance_day - datetime.timedelta(days=days) for name, days in EXAMINED_STEPS.items()
            }
            steps["seance"] = seance_day
        else:
            steps = {name: self.ago(days) for name, days in OPEN_STEPS[outcome].items()}
        demande = self._application(
            beneficiaire,
            association,
            referent,
            steps,
            kind=DemandeKind.RENOUVELLEMENT,
            parcours=parcours,
            situation=situation,
            favorable=outcome != NOT_RENEWED,
        )
        if outcome not in (RENEWED, NOT_RENEWED):
            return last_decision
        decision_day = steps["seance"] + datetime.timedelta(days=DECISION_DELAY)
        if outcome == NOT_RENEWED:
            self._decide(
                demande,
                DecisionKind.NON_RENOUVELLEMENT,
                decision_day,
                motifs=(
                    "Après avis défavorable de la commission : les engagements du projet d’insertion n’ont "
                    "pas été tenus au cours de la période (rendez-vous manqués, formation abandonnée)."
                ),
            )
            return decision_day
        self._decide(demande, DecisionKind.RENOUVELLEMENT, decision_day)
        if person.aps == TitreSejourState.DELIVRE:
            parcours.refresh_from_db()
            periode = parcours.periodes.order_by("-number").first()
            self._issue(parcours, max(periode.start, decision_day))
        return decision_day

    def _beneficiaire(self, index, person, association, referent, created):
        met_on = created - datetime.timedelta(days=10)
        age = 21 + (index * 7) % 17
        employed = bool(person.contrat)
        beneficiaire = Beneficiaire.objects.create(
            departement=self.departement,
            last_name=person.last_name,
            first_names=person.first_names,
            sexe=Sexe.FEMININ,
            birth_date=datetime.date(self.today.year - age, 1 + index % 12, 1 + (index * 5) % 28),
            birth_place={"NG": "Benin City", "CM": "Douala", "RO": "Craiova"}.get(person.nationality, ""),
            nationalities=[person.nationality],
            languages=LANGUAGES[person.nationality],
            phone=f"06 00 00 00 {index:02d}",
            address=f"Domiciliation : {association.name}, Toulouse",
            situation_familiale=SituationFamiliale.CELIBATAIRE if index % 4 else SituationFamiliale.SEPARE,
            dependent_children=person.children,
            household_size=1 + person.children,
            logement=Logement.LOGEMENT_TEMPORAIRE if employed else Logement.HEBERGEMENT_ASSOCIATIF,
            ressources_type=TypeRessources.SALAIRE if employed else TypeRessources.AUCUNE,
            ressources_mensuelles=CONTRACT_RESOURCES.get(person.contrat, Decimal("0")),
            consent_given_on=met_on,
            created_at=self.at(met_on, 11),
        )
        Accompagnement.objects.create(
            beneficiaire=beneficiaire,
            association=association,
            referent=referent,
            chosen_on=met_on,
            start=met_on,
        )
        return beneficiaire

    def _situation(self, person, *, is_last):
        """(situation, contract) of an application; employment only ever on the person's last one."""
        if is_last and person.contrat:
            return SituationEmploi.EN_EMPLOI, person.contrat
        if person.contrat or person.renewals:
            return SituationEmploi.EN_FORMATION, ""
        return SituationEmploi.SANS_EMPLOI, ""

    def _application(
        self, beneficiaire, association, referent, steps, *, kind, situation, favorable, parcours=None
    ):
        """An application taken through the workflow up to the last step in `steps`, then backdated."""
        wf = demandes_workflow
        demande = wf.create(
            beneficiaire=beneficiaire,
            association=association,
            commission=self.commission,
            user=referent,
            kind=kind,
            parcours=parcours,
            on=steps["created"],
        )
        self._stamp(self.at(steps["created"], 9), demande_id=demande.pk)
        self._fill(demande, kind, situation, favorable, complete=len(steps) > 1, created=steps["created"])
        if "submitted" in steps:
            self._attach_required_documents(demande, referent)
            demande = wf.submit(demande, user=referent, on=steps["submitted"])
            self._stamp(self.at(steps["submitted"], 15), demande_id=demande.pk)
        if "complement" in steps:
            demande = wf.request_complement(
                demande,
                user=self.secretariat,
                message="Merci de joindre une copie lisible de l’engagement signé et de préciser l’axe santé.",
            )
            self._stamp(self.at(steps["complement"], 11), demande_id=demande.pk)
        if "resubmitted" in steps:
            demande = wf.resubmit(demande, user=referent, on=steps["resubmitted"])
            self._stamp(self.at(steps["resubmitted"], 16), demande_id=demande.pk)
        if "admissible" in steps:
            demande = wf.mark_admissible(demande, user=self.secretariat)
            self._stamp(self.at(steps["admissible"], 10), demande_id=demande.pk)
        if "withdrawn" in steps:
            demande = wf.withdraw(
                demande,
                user=referent,
                on=steps["withdrawn"],
                reason="La personne a quitté le département et ne souhaite plus s’engager dans le parcours.",
            )
            self._stamp(self.at(steps["withdrawn"], 14), demande_id=demande.pk)
        if "agenda" in steps:
            demande = wf.put_on_agenda(demande, user=self.secretariat)
            self._stamp(self.at(steps["agenda"], 10), demande_id=demande.pk)
            if "seance" in steps:
                seance, voters = self.seances[(self.today - steps["seance"]).days]
            else:
                seance, voters = self.next_seance, []
            point = self._point(seance, demande)
            if "seance" in steps:
                moment = self.at(steps["seance"], 14) + datetime.timedelta(minutes=5 * point.order)
                if favorable is None:
                    demande = wf.postpone(demande, user=self.secretariat, reason=POSTPONEMENT_REASON)
                    point.postponement_reason = POSTPONEMENT_REASON
                    seances_workflow.POINT.apply(
                        point,
                        "postpone",
                        user=self.secretariat,
                        reason=POSTPONEMENT_REASON,
                        extra_fields=["postponement_reason"],
                    )
                else:
                    self._vote(point, voters, favorable, moment)
                    demande = wf.record_avis(
                        demande, favorable=favorable, on=steps["seance"], user=self.president
                    )
                self._stamp(moment, demande_id=demande.pk)
        Demande.objects.filter(pk=demande.pk).update(
            created_at=self.at(steps["created"], 9),
            submitted_at=self.at(steps["submitted"], 15) if "submitted" in steps else None,
            admissible_at=self.at(steps["admissible"], 10) if "admissible" in steps else None,
        )
        return demande

    def _attach_required_documents(self, demande, referent):
        """The documents the filing requires (REQUIRED_DOCUMENTS), as fictional one-page PDFs."""
        for kind in REQUIRED_DOCUMENTS[demande.kind]:
            content = self._document_pdf(kind)
            Document.objects.create(
                demande=demande,
                kind=kind,
                file_path=storage.write(content),
                original_name=f"{slugify(str(kind.label))}.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=referent,
            )

    def _document_pdf(self, kind) -> bytes:
        """One rendering per kind of document for the whole demo (rendering is slow)."""
        if kind not in self.document_pdfs:
            self.document_pdfs[kind] = html_to_pdf(
                f"<h1>{kind.label}</h1><p>Pièce fictive de la démonstration : aucune donnée réelle.</p>"
            )
        return self.document_pdfs[kind]

    def _fill(self, demande, kind, situation, favorable, *, complete, created):
        """The dossier as the association writes it; a draft lacks the employment axis and the opinions."""
        situation_emploi, contrat = situation
        renewal = kind == DemandeKind.RENOUVELLEMENT
        demande.situation_emploi = situation_emploi
        demande.type_contrat = contrat
        if contrat == TypeContrat.CDI:
            demande.logement = Logement.LOGEMENT_AUTONOME
        elif renewal:
            demande.logement = Logement.LOGEMENT_TEMPORAIRE
        else:
            demande.logement = Logement.HEBERGEMENT_ASSOCIATIF
        if situation_emploi == SituationEmploi.EN_FORMATION:
            demande.formation = "Français langue étrangère (niveau A2), puis formation d’agente de propreté."
        demande.ressources_foyer = CONTRACT_RESOURCES.get(contrat, Decimal("0.00"))
        demande.droit_rsa_ou_ada = False
        demande.engagement_signed_on = created + datetime.timedelta(days=3)
        demande.evaluation_association = (
            "Bilan de la période : engagements tenus, projet d’insertion en bonne voie."
            if renewal
            else "La personne a cessé l’activité prostitutionnelle et s’engage dans le projet ci-dessous, "
            "construit avec l’association."
        )
        if complete:
            demande.avis_association = (
                AvisChoice.DEFAVORABLE if renewal and favorable is False else AvisChoice.FAVORABLE
            )
            demande.avis_association_motifs = (
                "Engagements non tenus malgré plusieurs rappels."
                if demande.avis_association == AvisChoice.DEFAVORABLE
                else "Engagement constant et projet réaliste."
            )
        demande.save()
        # The workflow created one empty objective per axis; two queries replace them with the written ones.
        ObjectifInsertion.objects.filter(demande=demande).delete()
        ObjectifInsertion.objects.bulk_create(
            ObjectifInsertion(
                demande=demande,
                axe=axe,
                objectives=objectives if complete or axe != Axe.EMPLOI else "",
                actions=actions if complete or axe != Axe.EMPLOI else "",
                progress=progress if renewal else "",
            )
            for axe, (objectives, actions, progress) in OBJECTIVES.items()
        )

    def _decide(self, demande, kind, day, *, start=None, motifs=""):
        decision = demandes_workflow.decide(
            demande,
            kind=kind,
            signataire=self.president,
            signataire_title=SIGNATAIRE_TITLE,
            decided_on=day,
            motifs=motifs,
            start=start,
        )
        self._stamp(self.at(day, 16), demande_id=demande.pk, parcours_id=decision.demande.parcours_id)
        Decision.objects.filter(pk=decision.pk).update(created_at=self.at(day, 16))
        return decision

    def _issue(self, parcours, from_day):
        """The foreigners' service issues the APS twelve days after the term starts, for six months."""
        titre = titres_workflow.current(parcours)
        issued_on = from_day + datetime.timedelta(days=12)
        if titre is None or issued_on >= self.today:
            return
        self.permit_number += 1
        titres_workflow.issue(
            titre,
            number=f"31{self.permit_number:08d}",
            issued_on=issued_on,
            valid_until=term_end(issued_on, 6),
        )


def _start_for_term_end(target):
    """The start of a first term ending on `target` or, when no start gives that day (a term cannot end
    on 30 August: it would start on 31 February), on the closest day before it."""
    months = RegleParcours.in_force(target).term_months
    guess = add_months(target + datetime.timedelta(days=1), -months)
    candidates = [guess + datetime.timedelta(days=delta) for delta in range(-3, 4)]
    return max(c for c in candidates if term_end(c, months) <= target)


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _slug(name):
    return slugify(name).replace("-", "")
