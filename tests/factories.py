"""Factories for every model, with fictional French data (Faker fr_FR) and consistent defaults.

Consistency rules the defaults keep:
- an application, its person, its commission and its association share one département, and the
  association holds a valid agrément there (CASF R121-12-1);
- `DemandeFactory(beneficiaire=…)`, `DemandeFactory(commission=…)` or `DemandeFactory(departement=…)`
  place everything else in that département (same for `ParcoursFactory`);
- a pathway is created with its first six-month term (`ParcoursFactory(periodes=3)` for three).
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from beneficiaires.enums import Logement, Sexe, SituationFamiliale, TypeRessources
from beneficiaires.models import Accompagnement, Beneficiaire
from commission.dates import add_months, term_end
from commission.enums import MandatRole, OrganisationKind, Role, SeanceKind
from commission.models import Agrement, Commission, Departement, Mandat, Organisation, User
from commission.seances.enums import PointKind, PresenceStatus, VoteChoice
from commission.seances.models import (
    Avis,
    Convocation,
    PointOrdreDuJour,
    Presence,
    ProcesVerbal,
    Seance,
    Vote,
)
from parcours.enums import (
    AfisTerritoire,
    AvisChoice,
    Axe,
    CourrierKind,
    DecisionKind,
    DemandeKind,
    DemandeState,
    DocumentKind,
    ParcoursEndReason,
    ParcoursState,
    RappelKind,
    SituationEmploi,
    TitreSejourState,
)
from parcours.models import (
    BaremeAfis,
    Courrier,
    Decision,
    Demande,
    DemandeEvenement,
    Document,
    DroitAfis,
    ObjectifInsertion,
    Parcours,
    ParcoursEvenement,
    Periode,
    Rappel,
    TitreSejour,
)
from parcours.models.demandes import REQUIRED_DOCUMENTS

PASSWORD = "motdepasse-de-test-123"
TERM_MONTHS = 6  # the rule seeded by the data migration (RegleParcours), used for default dates only


def fr(provider, **kwargs):
    return factory.Faker(provider, locale="fr_FR", **kwargs)


def today():
    return timezone.localdate()


def _departement_of(obj):
    """The département of a commission, a person, or a pathway (through its commission)."""
    if isinstance(obj, Parcours):
        return obj.commission.departement
    return obj.departement


def commission_for(departement):
    """The commission of the département, created when there is none yet (one per département)."""
    return Commission.objects.filter(departement=departement).first() or CommissionFactory(
        departement=departement
    )


class BaseFactory(DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True


class SameDepartementFactory(BaseFactory):
    """Top-level calls: the `departement` parameter follows the related object the caller gave."""

    class Meta:
        abstract = True

    _departement_sources = ()

    @classmethod
    def _generate(cls, strategy, params):
        if params.get("departement") is None:
            for name in cls._departement_sources:
                if params.get(name) is not None:
                    params = {**params, "departement": _departement_of(params[name])}
                    break
        return super()._generate(strategy, params)


# --- commission: territory, organisations, users -------------------------------------------------


class DepartementFactory(BaseFactory):
    class Meta:
        model = Departement

    code = factory.Sequence(lambda n: f"{n % 1000:03d}")
    name = fr("department_name")
    is_mayotte = False

    class Params:
        mayotte = factory.Trait(is_mayotte=True, name="Mayotte")


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(
        lambda n: f"Direction départementale de l’emploi, du travail et des solidarités {n}"
    )
    kind = OrganisationKind.SERVICE_ETAT
    departement = factory.SubFactory(DepartementFactory)
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    rna = ""


class AgrementFactory(BaseFactory):
    """A valid agrément: started a year ago, for three years (so it ends in about two years)."""

    class Meta:
        model = Agrement

    association = factory.SubFactory("tests.factories.AssociationFactory", agrement=False)
    departement = factory.SelfAttribute("association.departement")
    number = factory.Sequence(lambda n: f"AGR-PSP-{n:05d}")
    start = factory.LazyFunction(lambda: add_months(today(), -12))
    end = factory.LazyAttribute(lambda o: Agrement.default_end(o.start))
    revoked_on = None


class AssociationFactory(OrganisationFactory):
    """An approved association, with a valid agrément for its own département.

    `AssociationFactory(agrement=False)` makes one without agrément;
    `AssociationFactory(agrement__departement=other)` approves it elsewhere.
    """

    name = factory.Sequence(lambda n: f"Association d’aide aux victimes {n}")
    kind = OrganisationKind.ASSOCIATION
    rna = factory.Sequence(lambda n: f"W{n:09d}")

    @factory.post_generation
    def agrement(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        kwargs.setdefault("departement", obj.departement)
        AgrementFactory(association=obj, **kwargs)


class CommissionFactory(BaseFactory):
    class Meta:
        model = Commission

    departement = factory.SubFactory(DepartementFactory)
    name = factory.LazyAttribute(
        lambda o: f"Commission départementale de lutte contre la prostitution – {o.departement.name}"
    )
    secretariat = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.SECRETARIAT,
        departement=factory.SelfAttribute("..departement"),
        name=factory.Sequence(lambda n: f"Préfecture – secrétariat de la commission {n}"),
    )


class UserFactory(BaseFactory):
    """A user who logs in by e-mail with PASSWORD; `roles=[Role.MEMBRE, …]` adds the role groups."""

    class Meta:
        model = User

    first_name = fr("first_name")
    last_name = fr("last_name")
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{slugify(o.first_name)}.{slugify(o.last_name)}.{n}@example.org"
    )
    organisation = factory.SubFactory(OrganisationFactory)
    title = fr("job")
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        obj.groups.add(*(Group.objects.get(name=role) for role in extracted))


class MandatFactory(BaseFactory):
    class Meta:
        model = Mandat

    commission = factory.SubFactory(CommissionFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, departement=factory.SelfAttribute("..commission.departement")
    )
    user = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..organisation"), roles=[Role.MEMBRE]
    )
    role = MandatRole.TITULAIRE
    titulaire = None
    start = factory.LazyFunction(lambda: add_months(today(), -12))
    end = None
    arrete = factory.Sequence(lambda n: f"Arrêté préfectoral n° 2025-{n:04d}")

    class Params:
        suppleant = factory.Trait(
            role=MandatRole.SUPPLEANT,
            titulaire=factory.SubFactory(
                "tests.factories.MandatFactory",
                commission=factory.SelfAttribute("..commission"),
                organisation=factory.SelfAttribute("..organisation"),
            ),
        )


class SeanceFactory(BaseFactory):
    class Meta:
        model = Seance

    commission = factory.SubFactory(CommissionFactory)
    kind = SeanceKind.INDIVIDUELLE
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(today() + datetime.timedelta(days=14), datetime.time(14))
        )
    )
    # One line, as the form's single-line field takes it (Faker's address has a line break).
    place = factory.LazyAttribute(lambda seance: seance.address.replace("\n", ", "))

    class Params:
        address = fr("address")


# --- the person ----------------------------------------------------------------------------------

# Names of Edo State (Benin City), where most persons in the pathway come from. They share no word with
# the French names Faker gives users, associations and places, and none holds another: a test that
# checks a person's name is absent from a pseudonymised page cannot fail because a member is called
# « Laurent » or a town « Marie ».
PERSON_LAST_NAMES = (
    "Osagie", "Igbinedion", "Omoregie", "Ehigiator", "Aigbokhan", "Iyamu", "Uwaifo", "Ogbemudia",
    "Edokpolo", "Obaseki", "Idahosa", "Osunbor", "Ekhator", "Okungbowa", "Erhabor", "Imasuen",
)  # fmt: skip
PERSON_FIRST_NAMES = (
    "Osasere", "Efosa", "Osarugue", "Omosede", "Eghosa", "Iveoghe", "Osayuwamen", "Nosakhare",
    "Uyiosa", "Ewaen", "Ikponmwosa", "Adesuwa", "Itohan", "Ofure", "Eseosa", "Obehi",
)  # fmt: skip


class BeneficiaireFactory(BaseFactory):
    """A fictional adult person, by default a Nigerian national (most persons in the pathway are).

    `BeneficiaireFactory(accompagnement=True)` also records the association the person chose.
    """

    class Meta:
        model = Beneficiaire

    departement = factory.SubFactory(DepartementFactory)
    # In turn, so the persons of one test have different names (the sequence restarts with each test).
    last_name = factory.Sequence(lambda n: PERSON_LAST_NAMES[n % len(PERSON_LAST_NAMES)])
    first_names = factory.Sequence(lambda n: PERSON_FIRST_NAMES[(n * 5) % len(PERSON_FIRST_NAMES)])
    sexe = Sexe.FEMININ
    birth_date = fr("date_of_birth", minimum_age=20, maximum_age=45)
    birth_place = "Benin City (Nigeria)"
    nationalities = factory.LazyFunction(lambda: ["NG"])
    languages = "anglais, pidgin, edo"
    phone = fr("phone_number")
    address = fr("address")
    situation_familiale = SituationFamiliale.CELIBATAIRE
    dependent_children = 0
    household_size = factory.LazyAttribute(lambda o: 1 + o.dependent_children)
    logement = Logement.HEBERGEMENT_ASSOCIATIF
    ressources_type = TypeRessources.AUCUNE
    ressources_mensuelles = Decimal("0.00")
    consent_given_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=60))

    class Params:
        francaise = factory.Trait(nationalities=["FR"], birth_place=fr("city"), languages="français")

    @factory.post_generation
    def accompagnement(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if isinstance(extracted, Organisation):
            kwargs.setdefault("association", extracted)
        AccompagnementFactory(beneficiaire=obj, **kwargs)


class AccompagnementFactory(BaseFactory):
    class Meta:
        model = Accompagnement

    beneficiaire = factory.SubFactory(BeneficiaireFactory)
    association = factory.SubFactory(
        AssociationFactory, departement=factory.SelfAttribute("..beneficiaire.departement")
    )
    referent = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..association"), roles=[Role.REFERENT]
    )
    chosen_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=60))
    start = factory.SelfAttribute("chosen_on")
    end = None


# --- pathway -------------------------------------------------------------------------------------


class PeriodeFactory(BaseFactory):
    """The next term of a pathway: from the day after its current term, for six months.

    The pathway's `current_term_end` follows the new term.
    """

    class Meta:
        model = Periode

    parcours = factory.SubFactory("tests.factories.ParcoursFactory")
    number = factory.LazyAttribute(lambda o: o.parcours.periodes.count() + 1)
    start = factory.LazyAttribute(
        lambda o: (
            o.parcours.started_on
            if o.number == 1
            else o.parcours.current_term_end + datetime.timedelta(days=1)
        )
    )
    months = TERM_MONTHS
    end = factory.LazyAttribute(lambda o: term_end(o.start, o.months))
    decision = None

    @factory.post_generation
    def follow_parcours(obj, create, extracted, **kwargs):
        if create and obj.parcours.current_term_end != obj.end:
            obj.parcours.current_term_end = obj.end
            obj.parcours.save(update_fields=["current_term_end"])


class ParcoursFactory(SameDepartementFactory):
    """A pathway in progress, started three months ago, with `periodes` terms (1 by default)."""

    class Meta:
        model = Parcours

    _departement_sources = ("commission", "beneficiaire")

    class Params:
        departement = factory.SubFactory(DepartementFactory)
        termine = factory.Trait(
            state=ParcoursState.TERMINE,
            ended_on=factory.SelfAttribute("current_term_end"),
            end_reason=ParcoursEndReason.ECHEANCE,
        )

    beneficiaire = factory.SubFactory(BeneficiaireFactory, departement=factory.SelfAttribute("..departement"))
    commission = factory.LazyAttribute(lambda o: commission_for(o.departement))
    state = ParcoursState.EN_COURS
    started_on = factory.LazyFunction(lambda: add_months(today(), -3))
    current_term_end = factory.LazyAttribute(lambda o: term_end(o.started_on, TERM_MONTHS))

    @factory.post_generation
    def periodes(obj, create, extracted, **kwargs):
        if not create:
            return
        for _number in range(1 if extracted is None else extracted):
            PeriodeFactory(parcours=obj, **kwargs)
        obj.refresh_from_db(fields=["current_term_end"])


# --- applications --------------------------------------------------------------------------------

PROJET = {
    Axe.SECURITE_LOGEMENT: (
        "Sortir de l’hébergement d’urgence et accéder à un logement temporaire.",
        "Demande SIAO déposée, accompagnement aux visites.",
        "Hébergée en CHRS depuis trois mois.",
    ),
    Axe.SANTE: (
        "Ouvrir les droits à l’assurance maladie et assurer un suivi médical régulier.",
        "Orientation vers la PASS et un centre de santé.",
        "Droits ouverts, médecin traitant déclaré.",
    ),
    Axe.ACCES_DROITS: (
        "Obtenir l’autorisation provisoire de séjour et ouvrir un compte bancaire.",
        "Dossier de titre de séjour préparé avec la personne.",
        "Autorisation provisoire de séjour délivrée, compte ouvert.",
    ),
    Axe.LANGUE_FORMATION: (
        "Atteindre le niveau A2 en français.",
        "Inscription à des cours de français langue étrangère.",
        "Niveau A1 validé, A2 en cours.",
    ),
    Axe.EMPLOI: (
        "Construire un projet professionnel dans la restauration collective.",
        "Inscription à France Travail, stage d’immersion en entreprise.",
        "Stage réalisé, candidature en chantier d’insertion.",
    ),
}


def _filled_objectifs(demande, create, extracted, **kwargs):
    _objectifs(demande, create, extracted, filled=True)


def _empty_objectifs(demande, create, extracted, **kwargs):
    _objectifs(demande, create, extracted, filled=False)


def _objectifs(demande, create, extracted, *, filled):
    """One objective per axis; `objectifs=False` makes none."""
    if not create or extracted is False:
        return
    for axe in Axe:
        objectives, actions, progress = PROJET[axe]
        ObjectifInsertionFactory(
            demande=demande,
            axe=axe,
            objectives=objectives if filled else "",
            actions=actions if filled else "",
            progress=progress if filled and demande.kind == DemandeKind.RENOUVELLEMENT else "",
        )


def _required_documents(demande, create, extracted, **kwargs):
    """The documents the filing requires (REQUIRED_DOCUMENTS); `pieces=False` attaches none."""
    if not create or extracted is False:
        return
    for kind in REQUIRED_DOCUMENTS[demande.kind]:
        DocumentFactory(demande=demande, kind=kind)


class DemandeFactory(SameDepartementFactory):
    """A draft application with one empty objective per axis (as `workflow.demandes.create` makes).

    `complete=True` fills everything `Demande.missing_parts()` checks, required documents included
    (`pieces=False` leaves them out); `avis_rendu=True` also records
    the commission's and the association's favourable opinions and sets the state to « avis rendu ».
    A renewal or early-end proposal gets a pathway of the same person by default.
    """

    class Meta:
        model = Demande

    _departement_sources = ("commission", "beneficiaire", "parcours")

    class Params:
        departement = factory.SubFactory(DepartementFactory)
        complete = factory.Trait(
            engagement_signed_on=factory.LazyFunction(lambda: today() - datetime.timedelta(days=20)),
            evaluation_association=fr("paragraph", nb_sentences=4),
            situation_emploi=SituationEmploi.EN_FORMATION,
            formation="Cours de français langue étrangère, 12 heures par semaine.",
            logement=Logement.HEBERGEMENT_ASSOCIATIF,
            ressources_foyer=Decimal("0.00"),
            droit_rsa_ou_ada=False,
        )
        avis_rendu = factory.Trait(
            complete=True,
            state=DemandeState.AVIS_RENDU,
            submitted_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30)),
            admissible_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=25)),
            avis_commission=AvisChoice.FAVORABLE,
            avis_commission_on=factory.LazyFunction(today),
            avis_association=AvisChoice.FAVORABLE,
            avis_association_motifs="La personne respecte ses engagements et progresse sur chaque axe.",
        )

    beneficiaire = factory.SubFactory(BeneficiaireFactory, departement=factory.SelfAttribute("..departement"))
    commission = factory.LazyAttribute(lambda o: commission_for(o.departement))
    association = factory.SubFactory(AssociationFactory, departement=factory.SelfAttribute("..departement"))
    referent = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..association"), roles=[Role.REFERENT]
    )
    kind = DemandeKind.INITIALE
    state = DemandeState.BROUILLON
    parcours = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind != DemandeKind.INITIALE),
        yes_declaration=factory.SubFactory(
            ParcoursFactory,
            beneficiaire=factory.SelfAttribute("..beneficiaire"),
            departement=factory.SelfAttribute("..departement"),
        ),
        no_declaration=None,
    )

    objectifs = factory.Maybe(
        "complete",
        yes_declaration=factory.PostGeneration(_filled_objectifs),
        no_declaration=factory.PostGeneration(_empty_objectifs),
    )
    pieces = factory.Maybe("complete", yes_declaration=factory.PostGeneration(_required_documents))

    @classmethod
    def _generate(cls, strategy, params):
        parcours = params.get("parcours")
        if parcours is not None and params.get("beneficiaire") is None:
            params = {**params, "beneficiaire": parcours.beneficiaire}
        return super()._generate(strategy, params)

    @factory.post_generation
    def accompagnement(obj, create, extracted, **kwargs):
        """The person chose the association that files (CASF L121-9), unless they already chose one."""
        if not create or extracted is False:
            return
        if not obj.beneficiaire.accompagnements.filter(end__isnull=True).exists():
            AccompagnementFactory(
                beneficiaire=obj.beneficiaire, association=obj.association, referent=obj.referent
            )


class ObjectifInsertionFactory(BaseFactory):
    class Meta:
        model = ObjectifInsertion

    demande = factory.SubFactory(DemandeFactory, objectifs=False)
    axe = Axe.SECURITE_LOGEMENT
    objectives = factory.LazyAttribute(lambda o: PROJET[o.axe][0])
    actions = factory.LazyAttribute(lambda o: PROJET[o.axe][1])
    progress = ""


class DocumentFactory(BaseFactory):
    class Meta:
        model = Document

    demande = factory.SubFactory(DemandeFactory)
    kind = DocumentKind.IDENTITE
    file_path = factory.Sequence(lambda n: f"demandes/{n:06d}.pdf")
    original_name = factory.LazyAttribute(lambda o: f"{o.kind}.pdf")
    content_type = "application/pdf"
    size = fr("random_int", min=10_000, max=2_000_000)
    sha256 = fr("sha256")
    uploaded_by = factory.SelfAttribute("demande.referent")


class DemandeEvenementFactory(BaseFactory):
    class Meta:
        model = DemandeEvenement

    demande = factory.SubFactory(DemandeFactory, complete=True, state=DemandeState.DEPOSEE)
    transition = "submit"
    from_state = DemandeState.BROUILLON
    to_state = DemandeState.DEPOSEE
    user = factory.SelfAttribute("demande.referent")
    reason = ""


def _demande_kind_for(decision_kind):
    return {
        DecisionKind.AUTORISATION: DemandeKind.INITIALE,
        DecisionKind.REFUS: DemandeKind.INITIALE,
        DecisionKind.RENOUVELLEMENT: DemandeKind.RENOUVELLEMENT,
        DecisionKind.NON_RENOUVELLEMENT: DemandeKind.RENOUVELLEMENT,
        DecisionKind.FIN_ANTICIPEE: DemandeKind.FIN_ANTICIPEE,
        DecisionKind.MAINTIEN: DemandeKind.FIN_ANTICIPEE,
    }[decision_kind]


NEGATIVE_DECISIONS = (DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.FIN_ANTICIPEE)
REFUSING_DECISIONS = (DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.MAINTIEN)


class DecisionFactory(BaseFactory):
    """The prefect's decision; the application it answers is of the matching kind and state."""

    class Meta:
        model = Decision

    kind = DecisionKind.AUTORISATION
    demande = factory.SubFactory(
        DemandeFactory,
        avis_rendu=True,
        kind=factory.LazyAttribute(lambda o: _demande_kind_for(o.factory_parent.kind)),
        state=factory.LazyAttribute(
            lambda o: (
                DemandeState.REFUSEE if o.factory_parent.kind in REFUSING_DECISIONS else DemandeState.ACCEPTEE
            )
        ),
    )
    decided_on = factory.LazyFunction(today)
    signataire = factory.SubFactory(
        UserFactory,
        organisation=factory.SubFactory(
            OrganisationFactory,
            kind=OrganisationKind.SECRETARIAT,
            departement=factory.SelfAttribute("...demande.commission.departement"),
        ),
        roles=[Role.PRESIDENT],
        title="Préfète",
    )
    signataire_title = "Pour la préfète et par délégation, la secrétaire générale"
    motifs = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind in NEGATIVE_DECISIONS),
        yes_declaration="Les engagements pris dans le projet d’insertion n’ont pas été tenus.",
        no_declaration="",
    )


class ParcoursEvenementFactory(BaseFactory):
    class Meta:
        model = ParcoursEvenement

    parcours = factory.SubFactory(ParcoursFactory)
    transition = "authorise"
    from_state = ""
    to_state = ParcoursState.EN_COURS
    user = factory.SubFactory(UserFactory, roles=[Role.SECRETARIAT])
    reason = ""


# --- rights and letters --------------------------------------------------------------------------


class TitreSejourFactory(BaseFactory):
    """The APS of a foreign person's pathway, to issue; `delivre=True` for an issued one."""

    class Meta:
        model = TitreSejour

    parcours = factory.SubFactory(ParcoursFactory)
    state = TitreSejourState.A_DELIVRER
    number = ""
    issued_on = None
    valid_until = None

    class Params:
        delivre = factory.Trait(
            state=TitreSejourState.DELIVRE,
            number=factory.Sequence(lambda n: f"APS{n:08d}"),
            issued_on=factory.SelfAttribute("parcours.started_on"),
            valid_until=factory.SelfAttribute("parcours.current_term_end"),
        )


class DroitAfisFactory(BaseFactory):
    """An AFIS right for a term, at the amount of the scale in force on the day it was assessed."""

    class Meta:
        model = DroitAfis

    periode = factory.SubFactory(PeriodeFactory)
    eligible = True
    ineligibility_reason = ""
    assessed_on = factory.SelfAttribute("periode.start")
    dependent_children = factory.SelfAttribute("periode.parcours.beneficiaire.dependent_children")
    bareme = factory.LazyAttribute(lambda o: BaremeAfis.in_force(AfisTerritoire.GENERAL, o.assessed_on))
    monthly_amount = factory.LazyAttribute(lambda o: o.bareme.monthly_amount(o.dependent_children))
    start = factory.SelfAttribute("periode.start")
    end = factory.SelfAttribute("periode.end")

    class Params:
        ineligible = factory.Trait(
            eligible=False,
            ineligibility_reason="La personne perçoit ou peut prétendre au RSA.",
            bareme=None,
            monthly_amount=Decimal("0"),
        )


class CourrierFactory(BaseFactory):
    class Meta:
        model = Courrier

    decision = factory.SubFactory(DecisionFactory)
    kind = CourrierKind.NOTIFICATION
    file_path = factory.Sequence(lambda n: f"courriers/{n:06d}.pdf")
    sha256 = fr("sha256")


class RappelFactory(BaseFactory):
    """A reminder of a pathway's term, 30 days ahead, for the accompanying association."""

    class Meta:
        model = Rappel

    kind = RappelKind.ECHEANCE_30
    parcours = factory.SubFactory(ParcoursFactory)
    commission = factory.SelfAttribute("parcours.commission")
    organisation = factory.SubFactory(
        AssociationFactory, departement=factory.SelfAttribute("..commission.departement")
    )
    user = None
    due_on = factory.SelfAttribute("parcours.current_term_end")
    key = factory.LazyAttributeSequence(lambda o, n: f"{o.kind}:{o.parcours.pk}:{o.due_on}:{n}")


# --- sessions ------------------------------------------------------------------------------------


class PointOrdreDuJourFactory(BaseFactory):
    class Meta:
        model = PointOrdreDuJour

    seance = factory.SubFactory(SeanceFactory)
    demande = factory.SubFactory(
        DemandeFactory,
        departement=factory.SelfAttribute("..seance.commission.departement"),
        complete=True,
        state=DemandeState.INSCRITE,
    )
    order = factory.Sequence(lambda n: n + 1)
    kind = PointKind.EXAMEN
    presenting_association = factory.SelfAttribute("demande.association")


class ConvocationFactory(BaseFactory):
    class Meta:
        model = Convocation

    seance = factory.SubFactory(SeanceFactory)
    mandat = factory.SubFactory(MandatFactory, commission=factory.SelfAttribute("..seance.commission"))
    sent_at = factory.LazyAttribute(lambda o: o.seance.starts_at - datetime.timedelta(days=7))


class PresenceFactory(BaseFactory):
    class Meta:
        model = Presence

    seance = factory.SubFactory(SeanceFactory)
    mandat = factory.SubFactory(MandatFactory, commission=factory.SelfAttribute("..seance.commission"))
    status = PresenceStatus.PRESENT
    proxy_to = None


class VoteFactory(BaseFactory):
    class Meta:
        model = Vote

    point = factory.SubFactory(PointOrdreDuJourFactory)
    mandat = factory.SubFactory(MandatFactory, commission=factory.SelfAttribute("..point.seance.commission"))
    cast_by = factory.SelfAttribute("mandat")
    choice = VoteChoice.FAVORABLE


class AvisFactory(BaseFactory):
    class Meta:
        model = Avis

    point = factory.SubFactory(PointOrdreDuJourFactory)
    favorable = True
    votes_favorable = 9
    votes_defavorable = 1
    abstentions = 2


class ProcesVerbalFactory(BaseFactory):
    class Meta:
        model = ProcesVerbal

    seance = factory.SubFactory(SeanceFactory)
    file_path = factory.Sequence(lambda n: f"proces-verbaux/{n:06d}.pdf")
    sha256 = fr("sha256")
