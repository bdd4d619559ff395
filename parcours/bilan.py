"""The annual report (bilan) of one commission, or of several across départements, over a period.

Every figure is computed from the data, never typed in. The period runs from `start` to `end`, both
days included; a moment (filing, admissibility, postponement) belongs to the day it falls on in the
site's time zone (Europe/Paris). Definitions, as the page states them:

- **Déposée** (filed): first filing with the prefecture (`Demande.submitted_at`) in the period; a
  dossier filed again after a request for complement is not filed twice.
- **Examinée** (examined): the commission gave its opinion in the period (`avis_commission_on`);
  split into favourable and unfavourable opinions. Initial applications and renewals are counted
  apart (the Haute-Garonne's "30 examined" are initial applications).
- **Ajournée** (postponed): each postponement by a session in the period (`postpone` events): a
  dossier postponed twice counts twice.
- **Retirée** (withdrawn): withdrawals dated in the period, of filed dossiers.
- **Autorisée / refusée, renouvelée / non renouvelée**: the prefect's decisions dated in the period
  (`Decision.decided_on`), by kind.
- **Fins de parcours**: pathways ended in the period (`Parcours.ended_on`), by reason.
- **En parcours en fin de période**: persons whose pathway started on or before the last day and had
  not ended before it (a pathway ending on the last day still counts). **En parcours pendant la
  période**: pathways overlapping the period. Persons are counted once each.
- **Nationalités, situation professionnelle, contrat, logement**: the persons in a pathway during the
  period. Nationalities from the person's record (a person with two nationalities counts for each);
  employment, contract and housing from the person's latest application filed before the end of the
  period (initial or renewal: the last progress report), drafts excepted.
- **Autorisations provisoires de séjour**: permits issued in the period (the `issue` events of the
  permit history, dated by their issue date): first issues, and issues after a renewal.
- **AFIS**: rights assessed in the period (eligible or not), and persons holding an eligible right for
  some day of the period.
- **Délais** (days, calendar): for the dossiers examined in the period, filing → admissibility,
  admissibility → session (the day of the opinion), session → decision, filing → decision; and the
  length of the pathways ended in the period. Median and 90th percentile (linear interpolation between
  ranks, as PostgreSQL's `percentile_cont`).

The report is made of a fixed number of aggregate queries (COUNT … FILTER, GROUP BY) whatever the
number of rows: 12 for one commission, 13 across several (the per-département table). Only the delays
are fetched row by row, as one flat list of day counts, for the percentiles. Figures are exact here:
hiding small counts is for what leaves the application (`parcours.bilan_exports`).
"""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from beneficiaires.enums import Logement
from beneficiaires.models import Beneficiaire
from commission.models import Commission
from parcours.enums import (
    AvisChoice,
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursEndReason,
    SituationEmploi,
    TitreSejourState,
    TypeContrat,
)
from parcours.models import Decision, Demande, DemandeEvenement, DroitAfis, Parcours, TitreSejourEvenement

# Transition names written by parcours.workflow (demandes.TRANSITIONS, titres.TRANSITIONS).
POSTPONE = "postpone"
ISSUE = "issue"

COUNT = "count"
DAYS = "days"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple
    # A part of the row above ("dont …"), shown indented and left out of the chart.
    detail: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    definition: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    chart: bool = True
    # The column the chart draws (the delays draw their median).
    chart_column: int = 0

    def row(self, key) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def value(self, row_key, column=0):
        return self.row(row_key).values[column]


@dataclass(frozen=True)
class CommissionRef:
    pk: int
    name: str
    departement_code: str
    departement_name: str


@dataclass(frozen=True)
class Bilan:
    start: datetime.date
    end: datetime.date
    commissions: tuple[CommissionRef, ...]
    sections: tuple[Section, ...]
    national: bool = False
    computed_at: datetime.datetime = field(default_factory=timezone.now)

    def section(self, key) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def value(self, section_key, row_key, column=0):
        return self.section(section_key).value(row_key, column)


NOMBRE = (Column(_("Nombre")),)
PERSONNES = (Column(_("Personnes")),)
DELAY_COLUMNS = (
    Column(_("Dossiers ou parcours")),
    Column(_("Médiane (jours)"), DAYS),
    Column(_("90ᵉ centile (jours)"), DAYS),
)


def compute(commissions, start: datetime.date, end: datetime.date, *, national=False) -> Bilan:
    """The report of `commissions` (a queryset) from `start` to `end` included."""
    refs = tuple(
        CommissionRef(c.pk, c.name, c.departement.code, c.departement.name)
        for c in Commission.objects.filter(pk__in=commissions)
        .select_related("departement")
        .order_by("departement__code")
    )
    ids = [ref.pk for ref in refs]
    span = _Span(start, end)

    pathways_during = Parcours.objects.filter(commission_id__in=ids).filter(
        span.overlaps("started_on", "ended_on")
    )
    activity = _activity(ids, span)
    postponed = _postponements(ids, span)
    decisions = _decisions(ids, span)
    persons = _persons(pathways_during, span)

    sections = [
        _initiales(activity, postponed, decisions),
        _renouvellements(activity, postponed, decisions),
        _fins(ids, span),
        _en_parcours(persons),
        _nationalites(pathways_during, persons["during"]),
        *_situation(ids, span, pathways_during, persons["during"]),
        _titres(ids, span),
        _afis(ids, span),
        _delais(ids, span),
    ]
    if len(refs) > 1:
        sections.append(_par_departement(refs, ids, span, activity, decisions))
    return Bilan(start=start, end=end, commissions=refs, sections=tuple(sections), national=national)


class _Span:
    """The period as date bounds and as aware datetime bounds (start of the first day, start of the day
    after the last), so that timestamp comparisons use the indexes instead of a date cast."""

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.lo = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        self.hi = timezone.make_aware(
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
        )

    def days(self, name) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lte": self.end})

    def moments(self, name) -> Q:
        return Q(**{f"{name}__gte": self.lo, f"{name}__lt": self.hi})

    def overlaps(self, first, last) -> Q:
        return Q(**{f"{first}__lte": self.end}) & (
            Q(**{f"{last}__isnull": True}) | Q(**{f"{last}__gte": self.start})
        )


def _by(rows, *keys, value="n"):
    """{(key values…): value} from grouped rows (one per group, never one per dossier)."""
    return {tuple(row[key] for key in keys): row[value] for row in rows}


def _activity(ids, span):
    """Per commission and kind of application: filed, examined (favourable / not), withdrawn."""
    filed = span.moments("submitted_at")
    examined = span.days("avis_commission_on")
    withdrawn = span.days("withdrawn_on") & Q(submitted_at__isnull=False)
    rows = (
        Demande.objects.filter(commission_id__in=ids)
        .filter(filed | examined | withdrawn)
        .values("commission_id", "kind")
        .annotate(
            filed=Count("pk", filter=filed),
            examined=Count("pk", filter=examined),
            favorable=Count("pk", filter=examined & Q(avis_commission=AvisChoice.FAVORABLE)),
            defavorable=Count("pk", filter=examined & Q(avis_commission=AvisChoice.DEFAVORABLE)),
            withdrawn=Count("pk", filter=withdrawn),
        )
        .order_by()
    )
    result = defaultdict(Counter)  # (commission, kind) → Counter of figures
    for row in rows:
        result[row["commission_id"], row["kind"]].update(
            {name: row[name] for name in ("filed", "examined", "favorable", "defavorable", "withdrawn")}
        )
    return result


def _sum(by_commission_and_kind, kind, name):
    return sum(figures[name] for (_c, k), figures in by_commission_and_kind.items() if k == kind)


def _postponements(ids, span):
    rows = (
        DemandeEvenement.objects.filter(demande__commission_id__in=ids, transition=POSTPONE)
        .filter(span.moments("at"))
        .values("demande__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({row["demande__kind"]: row["n"] for row in rows})


def _decisions(ids, span):
    rows = (
        # The decisions in force: a corrected one is counted once, by its correction.
        Decision.objects.filter(demande__commission_id__in=ids, superseded_at__isnull=True)
        .filter(span.days("decided_on"))
        .values("demande__commission_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by(rows, "demande__commission_id", "kind")


def _decision_total(decisions, kind):
    return sum(n for (_c, k), n in decisions.items() if k == kind)


def _initiales(activity, postponed, decisions):
    k = DemandeKind.INITIALE
    return Section(
        "initiales",
        _("Demandes d’engagement dans le parcours"),
        _(
            "Demandes initiales. Déposées : premier dépôt auprès de la préfecture dans la période. "
            "Examinées : avis de la commission rendu dans la période. Ajournements : chaque ajournement "
            "prononcé en séance dans la période. Autorisées et refusées : décisions du préfet datées de "
            "la période."
        ),
        NOMBRE,
        (
            Row("deposees", _("Déposées"), (_sum(activity, k, "filed"),)),
            Row("examinees", _("Examinées par la commission"), (_sum(activity, k, "examined"),)),
            Row("avis_favorables", _("dont avis favorable"), (_sum(activity, k, "favorable"),), detail=True),
            Row(
                "avis_defavorables",
                _("dont avis défavorable"),
                (_sum(activity, k, "defavorable"),),
                detail=True,
            ),
            Row("ajournees", _("Ajournements"), (postponed[k],)),
            Row("retirees", _("Retirées"), (_sum(activity, k, "withdrawn"),)),
            Row(
                "autorisees",
                _("Autorisées par le préfet"),
                (_decision_total(decisions, DecisionKind.AUTORISATION),),
            ),
            Row("refusees", _("Refusées par le préfet"), (_decision_total(decisions, DecisionKind.REFUS),)),
        ),
    )


def _renouvellements(activity, postponed, decisions):
    k = DemandeKind.RENOUVELLEMENT
    fin = DemandeKind.FIN_ANTICIPEE
    return Section(
        "renouvellements",
        _("Renouvellements et fins anticipées"),
        _(
            "Demandes de renouvellement (avec bilan d’étape) et propositions de fin anticipée, comptées "
            "comme les demandes initiales ; décisions du préfet datées de la période."
        ),
        NOMBRE,
        (
            Row("deposes", _("Renouvellements déposés"), (_sum(activity, k, "filed"),)),
            Row(
                "examines", _("Renouvellements examinés par la commission"), (_sum(activity, k, "examined"),)
            ),
            Row("ajournes", _("Ajournements"), (postponed[k],)),
            Row(
                "renouveles",
                _("Renouvelés par le préfet"),
                (_decision_total(decisions, DecisionKind.RENOUVELLEMENT),),
            ),
            Row(
                "non_renouveles",
                _("Non renouvelés par le préfet"),
                (_decision_total(decisions, DecisionKind.NON_RENOUVELLEMENT),),
            ),
            Row(
                "fins_examinees",
                _("Propositions de fin anticipée examinées"),
                (_sum(activity, fin, "examined"),),
            ),
            Row(
                "fins_decidees",
                _("Fins anticipées décidées par le préfet"),
                (_decision_total(decisions, DecisionKind.FIN_ANTICIPEE),),
            ),
            Row(
                "maintiens",
                _("Parcours maintenus par le préfet"),
                (_decision_total(decisions, DecisionKind.MAINTIEN),),
            ),
        ),
    )


def _fins(ids, span):
    rows = (
        Parcours.objects.filter(commission_id__in=ids)
        .filter(span.days("ended_on"))
        .values("end_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["end_reason"]: row["n"] for row in rows}
    return Section(
        "fins",
        _("Fins de parcours par motif"),
        _("Parcours terminés dans la période (date de fin), par motif de fin."),
        PERSONNES,
        tuple(Row(reason.value, reason.label, (counts.get(reason.value, 0),)) for reason in ParcoursEndReason)
        + (Row("total", _("Total"), (sum(counts.values()),)),),
    )


def _persons(pathways_during, span):
    at_end = Q(ended_on__isnull=True) | Q(ended_on__gte=span.end)
    return pathways_during.aggregate(
        during=Count("beneficiaire_id", distinct=True),
        at_end=Count("beneficiaire_id", distinct=True, filter=at_end),
        started=Count("pk", filter=Q(started_on__gte=span.start)),
        ended=Count("pk", filter=Q(ended_on__lte=span.end)),
    )


def _en_parcours(persons):
    return Section(
        "en_parcours",
        _("Personnes en parcours"),
        _(
            "En parcours en fin de période : parcours commencé au plus tard le dernier jour et non terminé "
            "avant lui. Pendant la période : parcours en cours au moins un jour de la période."
        ),
        PERSONNES,
        (
            Row("fin_de_periode", _("En parcours le dernier jour de la période"), (persons["at_end"],)),
            Row("pendant", _("En parcours pendant la période"), (persons["during"],)),
            Row("commences", _("Parcours commencés dans la période"), (persons["started"],)),
            Row("termines", _("Parcours terminés dans la période"), (persons["ended"],)),
        ),
        chart=False,
    )


def _nationalites(pathways_during, during):
    rows = (
        Beneficiaire.objects.filter(pk__in=pathways_during.values("beneficiaire_id"))
        .values("nationalities")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for row in rows:  # one row per combination of nationalities, not per person
        codes = [code for code in str(row["nationalities"] or "").split(",") if code]
        for code in codes or [""]:
            counts[code] += row["n"]
    unknown = counts.pop("", 0)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(countries.name(item[0]))))
    result = tuple(Row(code, str(countries.name(code)) or code, (n,)) for code, n in ordered)
    if unknown:
        result += (Row("inconnue", _("Non renseignée"), (unknown,)),)
    return Section(
        "nationalites",
        _("Nationalités"),
        _(
            "Personnes en parcours pendant la période (%(total)s), par nationalité ; une personne de "
            "plusieurs nationalités est comptée pour chacune."
        )
        % {"total": during},
        PERSONNES,
        result,
    )


def _latest_situations(ids, span, pathways_during):
    """(situation, contract, housing) → persons, from each person's latest application filed before the
    end of the period: one query. A window function ranks each person's applications (one sort, rather
    than a correlated subquery per person, which SQLite may plan as a scan per person); GROUP BY counts
    the first of each."""
    ranked = (
        Demande.objects.filter(
            commission_id__in=ids,
            beneficiaire_id__in=pathways_during.values("beneficiaire_id"),
            kind__in=[DemandeKind.INITIALE, DemandeKind.RENOUVELLEMENT],
            submitted_at__lt=span.hi,
        )
        .exclude(state=DemandeState.BROUILLON)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("beneficiaire_id"),
                order_by=(F("submitted_at").desc(), F("pk").desc()),
            )
        )
        .filter(rank=1)
        .values("pk")
    )
    rows = (
        Demande.objects.filter(pk__in=ranked)
        .values("situation_emploi", "type_contrat", "logement")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(row["situation_emploi"], row["type_contrat"], row["logement"], row["n"]) for row in rows]


def _situation(ids, span, pathways_during, during):
    groups = _latest_situations(ids, span, pathways_during)
    emploi, contrat, logement = Counter(), Counter(), Counter()
    for situation, contract, housing, n in groups:  # one per combination, not per person
        emploi[situation] += n
        if situation == SituationEmploi.EN_EMPLOI:
            contrat[contract] += n
        logement[housing] += n
    known = sum(n for *_rest, n in groups)
    unknown = max(during - known, 0)  # in a pathway without any filed application in these commissions
    population = _(
        "Personnes en parcours pendant la période (%(total)s), d’après leur dernière demande déposée avant "
        "la fin de la période (demande initiale ou bilan d’étape du renouvellement)."
    ) % {"total": during}
    employed = emploi[SituationEmploi.EN_EMPLOI]
    situation_rows = [Row(value, label, (emploi[value],)) for value, label in SituationEmploi.choices]
    situation_rows.append(Row("non_renseignee", _("Non renseignée"), (emploi[""] + unknown,)))
    contract_rows = [Row(value, label, (contrat[value],)) for value, label in TypeContrat.choices]
    if contrat[""]:
        contract_rows.append(Row("non_renseigne", _("Non renseigné"), (contrat[""],)))
    contract_rows.append(Row("total", _("Total des personnes en emploi"), (employed,)))
    housing_rows = [Row(value, label, (logement[value],)) for value, label in Logement.choices]
    housing_rows.append(Row("non_renseigne", _("Non renseigné"), (logement[""] + unknown,)))
    return (
        Section(
            "emploi",
            _("Situation professionnelle au dernier bilan"),
            population,
            PERSONNES,
            tuple(situation_rows),
        ),
        Section(
            "contrats",
            _("Type de contrat des personnes en emploi"),
            _("Personnes en emploi à leur dernier bilan, par type de contrat."),
            PERSONNES,
            tuple(contract_rows),
        ),
        Section("logement", _("Logement au dernier bilan"), population, PERSONNES, tuple(housing_rows)),
    )


def _titres(ids, span):
    rows = (
        TitreSejourEvenement.objects.filter(titre__parcours__commission_id__in=ids, transition=ISSUE)
        .filter(span.days("issued_on"))
        .values("from_state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    first = sum(row["n"] for row in rows if row["from_state"] == TitreSejourState.A_DELIVRER)
    total = sum(row["n"] for row in rows)
    return Section(
        "titres",
        _("Autorisations provisoires de séjour"),
        _(
            "Autorisations provisoires de séjour (CESEDA L425-4) délivrées dans la période, d’après leur "
            "date de délivrance : premières délivrances après l’autorisation du parcours, et délivrances "
            "après un renouvellement."
        ),
        NOMBRE,
        (
            Row("delivrees", _("Premières délivrances"), (first,)),
            Row("renouvelees", _("Renouvellements"), (total - first,)),
            Row("total", _("Total"), (total,)),
        ),
    )


def _afis(ids, span):
    assessed = span.days("assessed_on")
    figures = DroitAfis.objects.filter(periode__parcours__commission_id__in=ids).aggregate(
        granted=Count("pk", filter=assessed & Q(eligible=True)),
        # An assessment "à compléter" (missing data) is not a refusal.
        refused=Count("pk", filter=assessed & Q(eligible=False, pending=False)),
        persons=Count(
            "periode__parcours__beneficiaire_id",
            distinct=True,
            filter=Q(eligible=True) & span.overlaps("start", "end"),
        ),
    )
    return Section(
        "afis",
        _("Aide financière à l’insertion sociale et professionnelle (AFIS)"),
        _(
            "Droits appréciés dans la période, à chaque autorisation ou renouvellement (date "
            "d’appréciation) ; personnes ayant un droit ouvert au moins un jour de la période."
        ),
        NOMBRE,
        (
            Row("accordees", _("Droits ouverts"), (figures["granted"],)),
            Row("non_eligibles", _("Appréciations sans droit (non éligible)"), (figures["refused"],)),
            Row("beneficiaires", _("Personnes bénéficiaires pendant la période"), (figures["persons"],)),
        ),
        chart=False,
    )


def _stats(values):
    """(count, median, 90th percentile) of a list of day counts, percentiles interpolated linearly between
    ranks (PostgreSQL's percentile_cont, statistics' "inclusive" method)."""
    values = sorted(values)
    if not values:
        return 0, None, None
    if len(values) == 1:
        return 1, float(values[0]), float(values[0])
    median = statistics.median(values)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[-1]
    return len(values), round(float(median), 1), round(float(p90), 1)


def _days(delta):
    return None if delta is None else delta.days


def _delais(ids, span):
    filed = TruncDate("submitted_at")
    admissible = TruncDate("admissible_at")
    # The decision in force (a corrected decision is superseded by the one that corrects it).
    decided = Subquery(
        Decision.objects.filter(demande=OuterRef("pk"), superseded_at__isnull=True).values("decided_on")[:1]
    )
    examined = (
        Demande.objects.filter(commission_id__in=ids)
        .filter(span.days("avis_commission_on"))
        .annotate(
            filed_admissible=admissible - filed,
            admissible_session=F("avis_commission_on") - admissible,
            session_decision=decided - F("avis_commission_on"),
            filed_decision=decided - filed,
        )
        .values_list("filed_admissible", "admissible_session", "session_decision", "filed_decision")
        .order_by()
    )
    columns = ([], [], [], [])
    for delays in examined:  # the one place rows are read one by one: percentiles need the values
        for column, delta in zip(columns, delays, strict=True):
            if delta is not None:
                column.append(delta.days)
    durations = [
        _days(delta)
        for delta in Parcours.objects.filter(commission_id__in=ids)
        .filter(span.days("ended_on"))
        .annotate(duration=F("ended_on") - F("started_on"))
        .values_list("duration", flat=True)
        .order_by()
    ]
    labels = (
        ("depot_recevabilite", _("Dépôt → recevabilité")),
        ("recevabilite_seance", _("Recevabilité → séance (avis)")),
        ("seance_decision", _("Séance → décision du préfet")),
        ("depot_decision", _("Dépôt → décision du préfet")),
    )
    rows = tuple(
        Row(key, label, _stats(values)) for (key, label), values in zip(labels, columns, strict=True)
    )
    rows += (Row("duree_parcours", _("Durée des parcours terminés dans la période"), _stats(durations)),)
    return Section(
        "delais",
        _("Délais"),
        _(
            "En jours calendaires, pour les dossiers (demandes initiales et renouvellements) examinés "
            "dans la période ; la séance est le jour de l’avis. Médiane et 90ᵉ centile (neuf dossiers "
            "sur dix sont traités dans ce délai ou moins)."
        ),
        DELAY_COLUMNS,
        rows,
        chart_column=1,
    )


def _par_departement(refs, ids, span, activity, decisions):
    at_end = (
        Parcours.objects.filter(commission_id__in=ids, started_on__lte=span.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=span.end))
        .values("commission_id")
        .annotate(n=Count("beneficiaire_id", distinct=True))
        .order_by()
    )
    in_pathway = {row["commission_id"]: row["n"] for row in at_end}
    rows = tuple(
        Row(
            ref.departement_code,
            f"{ref.departement_name} ({ref.departement_code})",
            (
                activity.get((ref.pk, DemandeKind.INITIALE), Counter())["examined"],
                decisions.get((ref.pk, DecisionKind.AUTORISATION), 0),
                in_pathway.get(ref.pk, 0),
            ),
        )
        for ref in refs
    )
    return Section(
        "departements",
        _("Par département"),
        _(
            "Demandes initiales examinées, autorisations et personnes en parcours le dernier jour de la période."
        ),
        (
            Column(_("Demandes examinées")),
            Column(_("Autorisations")),
            Column(_("En parcours en fin de période")),
        ),
        rows,
        chart=False,
    )
