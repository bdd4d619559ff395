"""A national-size fictional dataset for `manage.py bench`, built in bulk (no factories in a loop).

100 départements, each with its commission, secretariat, foreigners' service, president, 3 approved
associations and their caseworkers; 50,000 persons (500 per département) with their accompaniment;
100,000 applications (two per person, across every state), the pathways, terms, AFIS rights, decisions
and residence permits they led to, the transition log. One application in five is fully documented, as
the dossier page is measured on one: its objectives per axis, its documents (one replaced by a newer
version), a thread of messages and, once decided, its decision's letters. Every row is fictional; the
same seed and the same day give the same data.

Rows are built in Python with explicit primary keys (so relations need no read-back) and written with
`bulk_create` in batches of 5,000; the sequences are reset at the end.
"""

import datetime
import random
import time
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from beneficiaires.identity import identity_key
from beneficiaires.models import Accompagnement, Beneficiaire
from commission.enums import OrganisationKind, Role
from commission.models import Agrement, Commission, Departement, Organisation, User
from parcours.enums import (
    Axe,
    CourrierKind,
    DecisionKind,
    DemandeKind,
    DemandeState,
    DocumentKind,
    MessageKind,
    MessageSide,
    ParcoursEndReason,
    ParcoursState,
    ProductionState,
    SituationEmploi,
    TitreSejourState,
)
from parcours.letters import PERMIT_AT_STAKE
from parcours.models import (
    BaremeAfis,
    Courrier,
    Decision,
    Demande,
    DemandeEvenement,
    Document,
    DroitAfis,
    Message,
    ObjectifInsertion,
    Parcours,
    Periode,
    ProductionCourriers,
    TitreSejour,
)

SEED = 20260101
DEPARTEMENTS = 100
PERSONS_PER_DEPARTEMENT = 500
ASSOCIATIONS_PER_DEPARTEMENT = 3
REFERENTS_PER_ASSOCIATION = 2
BATCH = 5000
# The marker of a generated database: the secretariat of the first département.
MARKER_EMAIL = "secretariat-01@bench.invalid"

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Okafor", "Adeyemi", "Nwosu", "Eze", "Popescu", "Ionescu", "Dimitrova", "Ivanova", "Wang", "Li",
    "Zhang", "Santos", "Oliveira", "Ndiaye", "Diallo", "Traoré", "Mbemba", "Kouassi", "Benali", "Haddad",
]  # fmt: skip
FIRST_NAMES = [
    "Marie", "Joy", "Blessing", "Precious", "Esther", "Ana", "Elena", "Ioana", "Mei", "Ling", "Fatou",
    "Aïcha", "Grace", "Faith", "Sofia", "Camille", "Léa", "Chloé", "Inès", "Jade", "Maria", "Juliana",
    "Nadia", "Amina", "Rose", "Hélène", "Zoé", "Lina", "Sarah", "Yasmine",
]  # fmt: skip
# (nationality, weight): most persons need a residence permit, some are EU or French citizens.
NATIONALITIES = [("NG", 30), ("CN", 10), ("BR", 8), ("CM", 8), ("MA", 6), ("RO", 12), ("BG", 8), ("FR", 18)]
OPEN_STATES = [
    DemandeState.BROUILLON,
    DemandeState.DEPOSEE,
    DemandeState.COMPLEMENT_DEMANDE,
    DemandeState.RECEVABLE,
    DemandeState.INSCRITE,
    DemandeState.AJOURNEE,
    DemandeState.AVIS_RENDU,
]
TERM_DAYS = 182


def is_generated() -> bool:
    return User.objects.filter(email=MARKER_EMAIL).exists()


def wipe():
    """Empty every generated table (the reference data of the migrations are seeded again after)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE commission_departement, commission_user, django_session RESTART IDENTITY CASCADE"
        )
    # TexteCourrier cascades from the départements: seed the national texts again, as the migrations do.
    from importlib import import_module

    for module in ("parcours.migrations.0002_reference_data", "parcours.migrations.0005_texte_voies_recours"):
        import_module(module).seed(apps, None)


class _Ids:
    def __init__(self):
        self.counters = {}

    def next(self, model):
        value = self.counters.get(model, 0) + 1
        self.counters[model] = value
        return value


def _dt(day: datetime.date, rng) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9 + rng.randrange(9), rng.randrange(60)))
    )


def generate(stdout=None) -> dict:
    """Build the dataset; returns the number of rows per model and the seconds taken."""
    started = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 - fictional data, reproducible on purpose
    today = timezone.localdate()
    ids = _Ids()
    rows = {}

    def write(model, objects):
        for i in range(0, len(objects), BATCH):
            model.objects.bulk_create(objects[i : i + BATCH], batch_size=BATCH)
        rows[model.__name__] = rows.get(model.__name__, 0) + len(objects)
        if stdout:
            stdout.write(f"  {model.__name__}: {len(objects)} rows ({time.perf_counter() - started:.1f} s)")

    groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    bareme = BaremeAfis.objects.filter(territoire="general").order_by("-effective_from").first()

    with transaction.atomic():
        # --- organisations and people who log in -------------------------------------------------
        departements, organisations, agrements, commissions, users, memberships = [], [], [], [], [], []
        associations_of, referents_of, staff_of = {}, {}, {}

        def user(email, org_pk, role, first, last):
            pk = ids.next(User)
            users.append(
                User(
                    pk=pk,
                    email=email,
                    password="!bench-unusable",  # noqa: S106 - unusable: the bench logs in by session
                    first_name=first,
                    last_name=last,
                    organisation_id=org_pk,
                    is_active=True,
                )
            )
            memberships.append(User.groups.through(user_id=pk, group_id=groups[role]))
            return pk

        for d in range(1, DEPARTEMENTS + 1):
            code = f"{d:02d}" if d <= 95 else f"9{70 + d - 95}"
            departements.append(
                Departement(pk=d, code=code, name=f"Département fictif {code}", is_mayotte=code == "976")
            )
            secretariat = ids.next(Organisation)
            organisations.append(
                Organisation(
                    pk=secretariat,
                    name=f"Préfecture {code} – secrétariat",
                    kind=OrganisationKind.SECRETARIAT,
                    departement_id=d,
                )
            )
            etrangers = ids.next(Organisation)
            organisations.append(
                Organisation(
                    pk=etrangers,
                    name=f"Préfecture {code} – service des étrangers",
                    kind=OrganisationKind.SERVICE_ETRANGERS,
                    departement_id=d,
                )
            )
            commissions.append(
                Commission(pk=d, departement_id=d, name=f"Commission PSP {code}", secretariat_id=secretariat)
            )
            staff_of[d] = {
                "secretariat": user(f"secretariat-{code}@bench.invalid", secretariat, Role.SECRETARIAT, "Sam", "Secretariat"),
                "president": user(f"president-{code}@bench.invalid", secretariat, Role.PRESIDENT, "Paule", "Préfète"),
                "etrangers": user(f"etrangers-{code}@bench.invalid", etrangers, Role.ETRANGERS, "Eli", "Étrangers"),
            }  # fmt: skip
            associations_of[d] = []
            for a in range(ASSOCIATIONS_PER_DEPARTEMENT):
                association = ids.next(Organisation)
                associations_of[d].append(association)
                organisations.append(
                    Organisation(
                        pk=association,
                        name=f"Association fictive {code}-{a + 1}",
                        kind=OrganisationKind.ASSOCIATION,
                        departement_id=d,
                    )
                )
                agrements.append(
                    Agrement(
                        pk=ids.next(Agrement),
                        association_id=association,
                        departement_id=d,
                        number=f"AGR-{code}-{a + 1}",
                        start=today - datetime.timedelta(days=365),
                        end=today + datetime.timedelta(days=730),
                    )
                )
                referents_of[association] = [
                    user(f"referent-{code}-{a + 1}-{r + 1}@bench.invalid", association, Role.REFERENT, "Rémi", f"Référent {r + 1}")
                    for r in range(REFERENTS_PER_ASSOCIATION)
                ]  # fmt: skip
        write(Departement, departements)
        write(Organisation, organisations)
        write(Agrement, agrements)
        write(Commission, commissions)
        write(User, users)
        write(User.groups.through, memberships)

        # --- persons, applications, pathways ------------------------------------------------------
        persons, accompagnements, demandes, events, decisions = [], [], [], [], []
        parcours_rows, periodes, droits, titres, objectifs = [], [], [], [], []
        documents, messages, courriers, productions = [], [], [], []
        documented = set()  # the fully documented applications (one in five)
        nationality_codes = [c for c, w in NATIONALITIES for _ in range(w)]

        def demande(person, d, association, referent, kind, state, created, parcours_id=None):
            pk = ids.next(Demande)
            submitted = admissible = None
            if state != DemandeState.BROUILLON:
                submitted = created + datetime.timedelta(days=rng.randrange(1, 10))
            if state not in (DemandeState.BROUILLON, DemandeState.DEPOSEE, DemandeState.COMPLEMENT_DEMANDE):
                admissible = submitted + datetime.timedelta(days=rng.randrange(3, 20))
            closed = state in (DemandeState.ACCEPTEE, DemandeState.REFUSEE)
            demandes.append(
                Demande(
                    pk=pk,
                    beneficiaire_id=person,
                    commission_id=d,
                    association_id=association,
                    referent_id=referent,
                    kind=kind,
                    state=state,
                    parcours_id=parcours_id,
                    created_at=_dt(created, rng),
                    submitted_at=_dt(submitted, rng) if submitted else None,
                    admissible_at=_dt(admissible, rng) if admissible else None,
                    situation_emploi=rng.choice(SituationEmploi.values),
                    logement="associatif",
                    ressources_foyer=Decimal(rng.randrange(0, 900)),
                    droit_rsa_ou_ada=False,
                    engagement_signed_on=created,
                    evaluation_association="Évaluation fictive de l’association.",
                    avis_association="favorable",
                    avis_commission="favorable" if closed or state == DemandeState.AVIS_RENDU else "",
                    avis_commission_on=admissible + datetime.timedelta(days=10) if closed else None,
                    withdrawn_on=created + datetime.timedelta(days=20)
                    if state == DemandeState.RETIREE
                    else None,
                    withdrawal_reason="Retrait fictif." if state == DemandeState.RETIREE else "",
                )
            )
            if submitted:
                events.append(
                    DemandeEvenement(
                        pk=ids.next(DemandeEvenement),
                        demande_id=pk,
                        transition="deposer",
                        from_state=DemandeState.BROUILLON,
                        to_state=DemandeState.DEPOSEE,
                        user_id=referent,
                        at=_dt(submitted, rng),
                    )
                )
            if pk % 5 == 0:
                objectifs.extend(
                    ObjectifInsertion(
                        pk=ids.next(ObjectifInsertion),
                        demande_id=pk,
                        axe=axe,
                        objectives=f"Objectif fictif : {axe.label}.",
                        actions="Actions fictives de l’association.",
                    )
                    for axe in Axe
                )
                documented.add(pk)
                document_rows(pk, referent, created, submitted)
                if submitted:
                    message_rows(pk, d, referent, submitted)
            return pk, (admissible or created) + datetime.timedelta(days=15)

        def document_rows(demande_pk, referent, created, submitted):
            uploaded = _dt(created, rng)

            def document(kind, name, at, replaced_by=None):
                row = Document(
                    pk=ids.next(Document),
                    demande_id=demande_pk,
                    kind=kind,
                    file_path=f"bench/{demande_pk}/{name}.pdf",
                    original_name=f"{name}-fictif.pdf",
                    content_type="application/pdf",
                    size=rng.randrange(40_000, 900_000),
                    sha256=f"{rng.getrandbits(256):064x}",
                    uploaded_by_id=referent,
                    uploaded_at=at,
                    replaced_by_id=replaced_by,
                )
                documents.append(row)
                return row

            identity = document(DocumentKind.IDENTITE, DocumentKind.IDENTITE, uploaded)
            for kind in (DocumentKind.ENGAGEMENT, DocumentKind.EVALUATION):
                document(kind, kind, uploaded)
            if submitted:
                # The identity document replaced by a newer scan before the filing: the page lists both.
                earlier = uploaded - datetime.timedelta(days=2)
                document(DocumentKind.IDENTITE, f"{DocumentKind.IDENTITE}-ancien", earlier, identity.pk)

        def message_rows(demande_pk, d, referent, submitted):
            thread = (
                (MessageSide.ASSOCIATION, referent, "Message fictif de l’association au secrétariat."),
                (MessageSide.SECRETARIAT, staff_of[d]["secretariat"], "Réponse fictive du secrétariat."),
                (MessageSide.ASSOCIATION, referent, "Précision fictive de l’association."),
            )
            for day, (side, author, body) in enumerate(thread, start=1):
                messages.append(
                    Message(
                        pk=ids.next(Message),
                        demande_id=demande_pk,
                        author_id=author,
                        side=side,
                        kind=MessageKind.MESSAGE,
                        body=body,
                        created_at=_dt(submitted + datetime.timedelta(days=day), rng),
                    )
                )

        def letters(decision_pk, kind, on, needs_permit):
            """The letters a finished production left for a decision (the AFIS certificate left out)."""
            kinds = [CourrierKind.NOTIFICATION]
            if kind in PERMIT_AT_STAKE and needs_permit:
                kinds.append(CourrierKind.INFORMATION_ETRANGERS)
            productions.append(
                ProductionCourriers(
                    pk=ids.next(ProductionCourriers),
                    decision_id=decision_pk,
                    state=ProductionState.TERMINEE,
                    attempts=1,
                    requested_at=_dt(on, rng),
                )
            )
            courriers.extend(
                Courrier(
                    pk=ids.next(Courrier),
                    decision_id=decision_pk,
                    kind=letter,
                    file_path=f"bench/decisions/{decision_pk}/{letter}.pdf",
                    sha256=f"{rng.getrandbits(256):064x}",
                    generated_at=_dt(on, rng),
                )
                for letter in kinds
            )

        def decide(demande_pk, d, kind, on, state_event, needs_permit):
            pk = ids.next(Decision)
            decisions.append(
                Decision(
                    pk=pk,
                    demande_id=demande_pk,
                    kind=kind,
                    decided_on=on,
                    signataire_id=staff_of[d]["president"],
                    signataire_title="Préfète (fictive)",
                    motifs="Motifs fictifs de la décision." if kind in _NEGATIVE else "",
                    created_at=_dt(on, rng),
                )
            )
            events.append(
                DemandeEvenement(
                    pk=ids.next(DemandeEvenement),
                    demande_id=demande_pk,
                    transition="decider",
                    from_state=DemandeState.AVIS_RENDU,
                    to_state=state_event,
                    user_id=staff_of[d]["president"],
                    at=_dt(on, rng),
                )
            )
            if demande_pk in documented:
                letters(pk, kind, on, needs_permit)
            return pk

        def term(parcours_pk, number, start, decision_pk, children):
            pk = ids.next(Periode)
            end = start + datetime.timedelta(days=TERM_DAYS - 1)
            periodes.append(
                Periode(pk=pk, parcours_id=parcours_pk, number=number, start=start, end=end, months=6, decision_id=decision_pk)
            )  # fmt: skip
            eligible = rng.random() < 0.8
            droits.append(
                DroitAfis(
                    pk=ids.next(DroitAfis),
                    periode_id=pk,
                    eligible=eligible,
                    ineligibility_reason="" if eligible else "Ressources supérieures au plafond.",
                    assessed_on=start,
                    dependent_children=children,
                    bareme_id=bareme.pk if eligible else None,
                    monthly_amount=bareme.monthly_amount(children) if eligible else Decimal(0),
                    start=start,
                    end=end,
                )
            )
            return end

        for i in range(DEPARTEMENTS * PERSONS_PER_DEPARTEMENT):
            d = i // PERSONS_PER_DEPARTEMENT + 1
            code = departements[d - 1].code
            association = associations_of[d][i % ASSOCIATIONS_PER_DEPARTEMENT]
            referent = referents_of[association][
                (i // ASSOCIATIONS_PER_DEPARTEMENT) % REFERENTS_PER_ASSOCIATION
            ]
            person = ids.next(Beneficiaire)
            last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
            birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 35))
            nationality = rng.choice(nationality_codes)
            children = rng.choice((0, 0, 0, 1, 1, 2, 3))
            first_created = today - datetime.timedelta(days=rng.randrange(200, 900))
            persons.append(
                Beneficiaire(
                    pk=person,
                    departement_id=d,
                    reference=f"PSP-{code}-{first_created.year}-{i % PERSONS_PER_DEPARTEMENT + 1:04d}",
                    last_name=last,
                    first_names=first,
                    sexe="F" if rng.random() < 0.9 else "M",
                    birth_date=birth,
                    nationalities=[nationality],
                    identity_key=identity_key(last, first, birth),
                    dependent_children=children,
                    household_size=1 + children,
                    consent_given_on=first_created,
                    created_at=_dt(first_created, rng),
                )
            )
            accompagnements.append(
                Accompagnement(
                    pk=ids.next(Accompagnement),
                    beneficiaire_id=person,
                    association_id=association,
                    referent_id=referent,
                    chosen_on=first_created,
                    start=first_created,
                )
            )
            needs_permit = nationality not in ("RO", "BG", "FR")
            r = rng.random()
            if r >= 0.70:
                # Refused or withdrawn, then a new application in progress.
                state = DemandeState.REFUSEE if r < 0.85 else DemandeState.RETIREE
                first_pk, decided = demande(
                    person, d, association, referent, DemandeKind.INITIALE, state, first_created
                )
                if state == DemandeState.REFUSEE:
                    decide(first_pk, d, DecisionKind.REFUS, decided, state, needs_permit)
                second_created = min(
                    today - datetime.timedelta(days=rng.randrange(1, 120)),
                    decided + datetime.timedelta(days=200),
                )
                demande(
                    person,
                    d,
                    association,
                    referent,
                    DemandeKind.INITIALE,
                    rng.choice(OPEN_STATES),
                    max(second_created, decided),
                )
                continue
            # Authorised: a pathway, then a renewal in some state.
            parcours_pk = ids.next(Parcours)
            # The authorised application leads to the pathway, as the decision links them in the app.
            first_pk, decided = demande(
                person,
                d,
                association,
                referent,
                DemandeKind.INITIALE,
                DemandeState.ACCEPTEE,
                first_created,
                parcours_pk,
            )
            first_decision = decide(
                first_pk, d, DecisionKind.AUTORISATION, decided, DemandeState.ACCEPTEE, needs_permit
            )
            term_end = term(parcours_pk, 1, decided, first_decision, children)
            renewal_created = term_end - datetime.timedelta(days=45)
            s = rng.random()
            state, ended_on, end_reason = ParcoursState.EN_COURS, None, ""
            if s < 0.5:
                renewal_pk, _ = demande(
                    person,
                    d,
                    association,
                    referent,
                    DemandeKind.RENOUVELLEMENT,
                    DemandeState.ACCEPTEE,
                    renewal_created,
                    parcours_pk,
                )
                renewal_decision = decide(
                    renewal_pk, d, DecisionKind.RENOUVELLEMENT, term_end, DemandeState.ACCEPTEE, needs_permit
                )
                term_end = term(
                    parcours_pk, 2, term_end + datetime.timedelta(days=1), renewal_decision, children
                )
            elif s < 0.8:
                demande(
                    person,
                    d,
                    association,
                    referent,
                    DemandeKind.RENOUVELLEMENT,
                    rng.choice(OPEN_STATES),
                    renewal_created,
                    parcours_pk,
                )
            elif s < 0.9:
                renewal_pk, _ = demande(
                    person,
                    d,
                    association,
                    referent,
                    DemandeKind.RENOUVELLEMENT,
                    DemandeState.REFUSEE,
                    renewal_created,
                    parcours_pk,
                )
                decide(
                    renewal_pk,
                    d,
                    DecisionKind.NON_RENOUVELLEMENT,
                    term_end,
                    DemandeState.REFUSEE,
                    needs_permit,
                )
                state, ended_on, end_reason = (
                    ParcoursState.TERMINE,
                    term_end,
                    ParcoursEndReason.NON_RENOUVELLEMENT,
                )
            else:
                demande(
                    person,
                    d,
                    association,
                    referent,
                    DemandeKind.RENOUVELLEMENT,
                    DemandeState.RETIREE,
                    renewal_created,
                    parcours_pk,
                )
                state, ended_on, end_reason = ParcoursState.TERMINE, term_end, ParcoursEndReason.ECHEANCE
            if state == ParcoursState.EN_COURS and term_end < today:
                # Keep pathways in progress current: shift the last term so that it ends within 6 months.
                term_end = today + datetime.timedelta(days=rng.randrange(0, 180))
                periodes[-1].end = term_end
                droits[-1].end = term_end
            parcours_rows.append(
                Parcours(
                    pk=parcours_pk,
                    beneficiaire_id=person,
                    commission_id=d,
                    state=state,
                    started_on=decided,
                    current_term_end=term_end,
                    ended_on=ended_on,
                    end_reason=end_reason,
                )
            )
            if needs_permit:
                if state == ParcoursState.TERMINE:
                    titre_state = TitreSejourState.NON_RENOUVELE
                elif rng.random() < 0.8:
                    titre_state = TitreSejourState.DELIVRE
                else:
                    titre_state = rng.choice((TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER))
                issued = titre_state in (TitreSejourState.DELIVRE, TitreSejourState.NON_RENOUVELE)
                titres.append(
                    TitreSejour(
                        pk=ids.next(TitreSejour),
                        parcours_id=parcours_pk,
                        state=titre_state,
                        number=f"APS{person:08d}" if issued else "",
                        issued_on=decided + datetime.timedelta(days=20) if issued else None,
                        valid_until=(today + datetime.timedelta(days=rng.randrange(1, 180))) if titre_state == TitreSejourState.DELIVRE else (term_end if issued else None),
                    )
                )  # fmt: skip

        # The lists sort on the latest event's moment (Demande.last_change_at), kept by
        # DemandeEvenement.save() in the application: a bulk insert sets it itself.
        latest = {}
        for event in events:
            latest[event.demande_id] = max(event.at, latest.get(event.demande_id, event.at))
        for row in demandes:
            row.last_change_at = latest.get(row.pk, row.created_at)

        for model, objects in (
            (Beneficiaire, persons),
            (Accompagnement, accompagnements),
            (Parcours, parcours_rows),
            (Demande, demandes),
            (Decision, decisions),
            (Periode, periodes),
            (DroitAfis, droits),
            (TitreSejour, titres),
            (DemandeEvenement, events),
            (ObjectifInsertion, objectifs),
            (Document, documents),
            (Message, messages),
            (ProductionCourriers, productions),
            (Courrier, courriers),
        ):
            write(model, objects)

        # Explicit keys: the sequences restart after the largest.
        models = [Departement, Organisation, Agrement, Commission, User, User.groups.through]
        models += [Beneficiaire, Accompagnement, Parcours, Demande, Decision, Periode, DroitAfis, TitreSejour]
        models += [DemandeEvenement, ObjectifInsertion, Document, Message, ProductionCourriers, Courrier]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"rows": rows, "seconds": time.perf_counter() - started}


_NEGATIVE = (DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.FIN_ANTICIPEE)
