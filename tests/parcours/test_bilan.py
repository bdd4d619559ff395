"""The annual report's figures on small hand-built data: each indicator, the edges of the period, the
hiding of small counts, and a number of queries that does not grow with rows."""

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beneficiaires.enums import Logement
from commission.models import Commission
from parcours import bilan, bilan_exports
from parcours.enums import (
    AvisChoice,
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursEndReason,
    ParcoursState,
    SituationEmploi,
    TitreSejourState,
    TypeContrat,
)
from parcours.models import TitreSejourEvenement
from tests.factories import (
    BeneficiaireFactory,
    CommissionFactory,
    DecisionFactory,
    DemandeEvenementFactory,
    DemandeFactory,
    DroitAfisFactory,
    ParcoursFactory,
    PeriodeFactory,
    TitreSejourFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 12, 31)
BEFORE = START - datetime.timedelta(days=1)
AFTER = END + datetime.timedelta(days=1)
MID = datetime.date(2025, 6, 15)


def at(day, hour=12, minute=0):
    """A moment of that day in the site's time zone (Europe/Paris)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days(n, since=MID):
    return since + datetime.timedelta(days=n)


@pytest.fixture
def commission():
    return CommissionFactory()


def compute(commission, start=START, end=END):
    return bilan.compute(Commission.objects.filter(pk=commission.pk), start, end)


def examined(commission, *, on=MID, favorable=True, kind=DemandeKind.INITIALE, **kwargs):
    """An application the commission gave its opinion on, filed 40 days and admissible 30 days before."""
    kwargs.setdefault("submitted_at", at(on - datetime.timedelta(days=40)))
    kwargs.setdefault("admissible_at", at(on - datetime.timedelta(days=30)))
    return DemandeFactory(
        commission=commission,
        kind=kind,
        avis_rendu=True,
        avis_commission=AvisChoice.FAVORABLE if favorable else AvisChoice.DEFAVORABLE,
        avis_commission_on=on,
        **kwargs,
    )


def decided(demande, kind, on):
    return DecisionFactory(demande=demande, kind=kind, decided_on=on)


# --- applications ----------------------------------------------------------------------------------


def test_filed_counts_first_filings_from_midnight_of_the_first_day_to_midnight_after_the_last(commission):
    for moment in (at(START, 0, 5), at(MID), at(END, 23, 55)):
        DemandeFactory(commission=commission, complete=True, state=DemandeState.DEPOSEE, submitted_at=moment)
    for moment in (at(BEFORE, 23, 55), at(AFTER, 0, 5)):
        DemandeFactory(commission=commission, complete=True, state=DemandeState.DEPOSEE, submitted_at=moment)
    DemandeFactory(commission=commission)  # a draft, never filed

    assert compute(commission).value("initiales", "deposees") == 3


def test_examined_are_opinions_given_within_the_period_both_days_included(commission):
    for day in (START, MID, END):
        examined(commission, on=day)
    examined(commission, on=MID, favorable=False)
    examined(commission, on=BEFORE)
    examined(commission, on=AFTER)

    report = compute(commission)

    assert report.value("initiales", "examinees") == 4
    assert report.value("initiales", "avis_favorables") == 3
    assert report.value("initiales", "avis_defavorables") == 1


def test_initial_applications_and_renewals_are_counted_apart(commission):
    examined(commission)
    examined(commission, kind=DemandeKind.RENOUVELLEMENT)
    examined(commission, kind=DemandeKind.RENOUVELLEMENT)

    report = compute(commission)

    assert report.value("initiales", "examinees") == 1
    assert report.value("renouvellements", "examines") == 2


def test_decisions_dated_in_the_period_by_kind(commission):
    decided(examined(commission, on=days(-10)), DecisionKind.AUTORISATION, MID)
    decided(examined(commission, on=days(-10)), DecisionKind.AUTORISATION, END)
    decided(examined(commission, on=BEFORE - datetime.timedelta(days=9)), DecisionKind.AUTORISATION, BEFORE)
    decided(examined(commission, favorable=False), DecisionKind.REFUS, MID)
    renewal = examined(commission, kind=DemandeKind.RENOUVELLEMENT)
    decided(renewal, DecisionKind.RENOUVELLEMENT, MID)
    refused = examined(commission, kind=DemandeKind.RENOUVELLEMENT, favorable=False)
    decided(refused, DecisionKind.NON_RENOUVELLEMENT, MID)

    report = compute(commission)

    assert report.value("initiales", "autorisees") == 2
    assert report.value("initiales", "refusees") == 1
    assert report.value("renouvellements", "renouveles") == 1
    assert report.value("renouvellements", "non_renouveles") == 1


def test_each_postponement_in_the_period_counts(commission):
    demande = DemandeFactory(commission=commission, complete=True, state=DemandeState.AJOURNEE)
    for moment in (at(START, 0, 1), at(MID), at(AFTER, 0, 1)):
        DemandeEvenementFactory(
            demande=demande,
            transition="postpone",
            from_state=DemandeState.INSCRITE,
            to_state=DemandeState.AJOURNEE,
            at=moment,
        )

    assert compute(commission).value("initiales", "ajournees") == 2


def test_withdrawals_of_filed_applications_in_the_period(commission):
    DemandeFactory(
        commission=commission, state=DemandeState.RETIREE, submitted_at=at(days(-30)), withdrawn_on=MID
    )
    DemandeFactory(
        commission=commission, state=DemandeState.RETIREE, submitted_at=at(days(-30)), withdrawn_on=AFTER
    )

    assert compute(commission).value("initiales", "retirees") == 1


def test_other_commissions_are_left_out(commission):
    examined(commission)
    examined(CommissionFactory())

    assert compute(commission).value("initiales", "examinees") == 1


# --- pathways --------------------------------------------------------------------------------------


def ended(commission, on, reason, started_on=None):
    return ParcoursFactory(
        commission=commission,
        started_on=started_on or on - datetime.timedelta(days=180),
        state=ParcoursState.TERMINE,
        ended_on=on,
        end_reason=reason,
    )


def test_ends_by_reason_within_the_period(commission):
    ended(commission, START, ParcoursEndReason.ECHEANCE)
    ended(commission, END, ParcoursEndReason.ECHEANCE)
    ended(commission, MID, ParcoursEndReason.RETRAIT)
    ended(commission, BEFORE, ParcoursEndReason.PLAFOND)

    fins = compute(commission).section("fins")

    assert fins.value(ParcoursEndReason.ECHEANCE) == 2
    assert fins.value(ParcoursEndReason.RETRAIT) == 1
    assert fins.value(ParcoursEndReason.PLAFOND) == 0
    assert fins.value("total") == 3


def test_persons_in_a_pathway_at_the_end_of_the_period(commission):
    ParcoursFactory(commission=commission, started_on=days(-300))  # running
    ParcoursFactory(commission=commission, started_on=END)  # started on the last day
    ParcoursFactory(commission=commission, started_on=AFTER)  # started after: neither
    long_ago = datetime.date(2024, 9, 1)
    ended(commission, END, ParcoursEndReason.ECHEANCE, long_ago)  # ends on the last day: still in it
    ended(commission, days(-1, END), ParcoursEndReason.ECHEANCE, long_ago)  # the day before: during only
    ended(commission, BEFORE, ParcoursEndReason.ECHEANCE, long_ago)  # ended before the period: neither

    section = compute(commission).section("en_parcours")

    assert section.value("fin_de_periode") == 3
    assert section.value("pendant") == 4
    assert section.value("commences") == 1
    assert section.value("termines") == 2


def test_nationalities_of_persons_in_a_pathway_during_the_period(commission):
    for nationalities in (["NG"], ["NG"], ["NG", "FR"], ["RO"], []):
        ParcoursFactory(commission=commission, beneficiaire__nationalities=nationalities, started_on=MID)
    ParcoursFactory(commission=commission, beneficiaire__nationalities=["CN"], started_on=AFTER)

    section = compute(commission).section("nationalites")

    assert [row.key for row in section.rows][:1] == ["NG"]
    assert section.value("NG") == 3
    assert section.value("FR") == 1
    assert section.value("RO") == 1
    assert section.value("inconnue") == 1
    assert "CN" not in [row.key for row in section.rows]
    assert section.row("NG").label == "Nigeria"


def in_pathway(commission, **person):
    beneficiaire = BeneficiaireFactory(departement=commission.departement, **person)
    return ParcoursFactory(commission=commission, beneficiaire=beneficiaire, started_on=days(-200))


def application(
    parcours, submitted, situation, contrat="", logement=Logement.HEBERGEMENT_ASSOCIATIF, **kwargs
):
    kwargs.setdefault("state", DemandeState.ACCEPTEE)
    kwargs.setdefault("kind", DemandeKind.RENOUVELLEMENT)
    return DemandeFactory(
        commission=parcours.commission,
        beneficiaire=parcours.beneficiaire,
        parcours=parcours if kwargs["kind"] != DemandeKind.INITIALE else None,
        submitted_at=at(submitted) if submitted else None,
        situation_emploi=situation,
        type_contrat=contrat,
        logement=logement,
        **kwargs,
    )


def test_employment_contract_and_housing_come_from_the_latest_filed_application_before_the_end(commission):
    # Latest report in the period: employed on a CDI, in an autonomous flat.
    first = in_pathway(commission)
    application(first, days(-250), SituationEmploi.SANS_EMPLOI, kind=DemandeKind.INITIALE)
    application(first, MID, SituationEmploi.EN_EMPLOI, TypeContrat.CDI, Logement.LOGEMENT_AUTONOME)
    # A later draft does not count: the filed one says CDD.
    second = in_pathway(commission)
    application(second, days(-250), SituationEmploi.EN_EMPLOI, TypeContrat.CDD, kind=DemandeKind.INITIALE)
    application(
        second,
        None,
        SituationEmploi.EN_EMPLOI,
        TypeContrat.CDI,
        Logement.LOGEMENT_AUTONOME,
        state=DemandeState.BROUILLON,
    )
    # Filed after the end of the period: the situation known at the end is the earlier one.
    third = in_pathway(commission)
    application(third, days(-250), SituationEmploi.EN_FORMATION, kind=DemandeKind.INITIALE)
    application(third, AFTER, SituationEmploi.EN_EMPLOI, TypeContrat.CDI, state=DemandeState.DEPOSEE)
    # In a pathway without any application in this commission.
    in_pathway(commission)
    # Not in a pathway during the period.
    gone = ended(commission, BEFORE, ParcoursEndReason.ECHEANCE)
    application(
        gone, days(-300, BEFORE), SituationEmploi.EN_EMPLOI, TypeContrat.CDI, kind=DemandeKind.INITIALE
    )

    report = compute(commission)

    emploi = report.section("emploi")
    assert emploi.value(SituationEmploi.EN_EMPLOI) == 2
    assert emploi.value(SituationEmploi.EN_FORMATION) == 1
    assert emploi.value(SituationEmploi.SANS_EMPLOI) == 0
    assert emploi.value("non_renseignee") == 1
    contrats = report.section("contrats")
    assert contrats.value(TypeContrat.CDI) == 1
    assert contrats.value(TypeContrat.CDD) == 1
    assert contrats.value("total") == 2
    logement = report.section("logement")
    assert logement.value(Logement.LOGEMENT_AUTONOME) == 1
    assert logement.value(Logement.HEBERGEMENT_ASSOCIATIF) == 2
    assert logement.value("non_renseigne") == 1


# --- rights ----------------------------------------------------------------------------------------


def issue(titre, on, from_state):
    TitreSejourEvenement.objects.create(
        titre=titre,
        transition="issue",
        from_state=from_state,
        to_state=TitreSejourState.DELIVRE,
        number="APS0001",
        issued_on=on,
        valid_until=on + datetime.timedelta(days=180),
    )


def test_residence_permits_issued_and_renewed_in_the_period_by_issue_date(commission):
    titre = TitreSejourFactory(parcours=ParcoursFactory(commission=commission, started_on=days(-300)))
    issue(titre, START, TitreSejourState.A_DELIVRER)
    issue(titre, END, TitreSejourState.A_RENOUVELER)
    issue(titre, AFTER, TitreSejourState.A_RENOUVELER)
    other = TitreSejourFactory(parcours=ParcoursFactory(commission=commission, started_on=days(-400)))
    issue(other, BEFORE, TitreSejourState.A_DELIVRER)
    TitreSejourEvenement.objects.create(
        titre=other,
        transition="expire",
        from_state=TitreSejourState.DELIVRE,
        to_state=TitreSejourState.EXPIRE,
    )

    section = compute(commission).section("titres")

    assert section.value("delivrees") == 1
    assert section.value("renouvelees") == 1
    assert section.value("total") == 2


def test_afis_rights_assessed_in_the_period_and_persons_holding_one(commission):
    parcours = ParcoursFactory(commission=commission, started_on=datetime.date(2024, 10, 1), periodes=0)
    first = PeriodeFactory(parcours=parcours)  # 1 Oct 2024 – 31 Mar 2025
    second = PeriodeFactory(parcours=parcours)  # 1 Apr – 30 Sep 2025
    DroitAfisFactory(periode=first, assessed_on=datetime.date(2024, 9, 25))
    DroitAfisFactory(periode=second, assessed_on=datetime.date(2025, 3, 25))
    other = ParcoursFactory(commission=commission, started_on=MID, periodes=0)
    DroitAfisFactory(periode=PeriodeFactory(parcours=other), ineligible=True, assessed_on=MID)

    section = compute(commission).section("afis")

    assert section.value("accordees") == 1
    assert section.value("non_eligibles") == 1
    assert section.value("beneficiaires") == 1


# --- delays ----------------------------------------------------------------------------------------


def test_delays_in_days_median_and_90th_percentile(commission):
    # Filed → admissible: 10 days each; admissible → session: 30; session → decision: 2, 4, …, 20.
    for index in range(10):
        demande = examined(commission, on=MID)
        decided(demande, DecisionKind.AUTORISATION, days(2 * (index + 1)))
    examined(commission, on=MID)  # awaiting the decision: in the first delays only

    delais = compute(commission).section("delais")

    assert delais.row("depot_recevabilite").values == (11, 10.0, 10.0)
    assert delais.row("recevabilite_seance").values == (11, 30.0, 30.0)
    # 2…20: median 11; 90th percentile between the 9th (18) and 10th (20) values: 18 + 0.1 × 2.
    assert delais.row("seance_decision").values == (10, 11.0, 18.2)
    assert delais.row("depot_decision").values == (10, 51.0, 58.2)


def test_delays_count_calendar_days_in_the_local_time_zone(commission):
    # Filed at 23:30 and made admissible at 00:30 the next night (Paris time): one day.
    examined(commission, submitted_at=at(days(-31), 23, 30), admissible_at=at(days(-29), 0, 30))

    assert compute(commission).section("delais").row("depot_recevabilite").values == (1, 2.0, 2.0)


def test_no_delay_without_examined_dossiers(commission):
    assert compute(commission).section("delais").row("seance_decision").values == (0, None, None)


def test_pathway_length_of_pathways_ended_in_the_period(commission):
    ended(commission, MID, ParcoursEndReason.ECHEANCE, started_on=days(-100))
    ended(commission, MID, ParcoursEndReason.ECHEANCE, started_on=days(-200))

    assert compute(commission).section("delais").row("duree_parcours").values == (2, 150.0, 190.0)


# --- several commissions ---------------------------------------------------------------------------


def test_across_commissions_adds_up_and_shows_each_departement(commission):
    other = CommissionFactory()
    decided(examined(commission), DecisionKind.AUTORISATION, MID)
    decided(examined(other), DecisionKind.AUTORISATION, MID)
    examined(other)
    ParcoursFactory(commission=other, started_on=MID)

    report = bilan.compute(Commission.objects.all(), START, END, national=True)

    assert report.value("initiales", "examinees") == 3
    assert report.value("initiales", "autorisees") == 2
    departements = report.section("departements")
    assert departements.row(other.departement.code).values == (2, 1, 1)
    assert departements.row(commission.departement.code).values == (1, 1, 0)


def test_one_commission_has_no_table_by_departement(commission):
    with pytest.raises(KeyError):
        compute(commission).section("departements")


# --- the number of queries does not grow with rows -------------------------------------------------


def person_with_history(commission, index):
    """A person authorised, renewed, with a permit, AFIS, a postponement and a report in employment."""
    initial = examined(
        commission, on=days(-150), state=DemandeState.ACCEPTEE, situation_emploi=SituationEmploi.SANS_EMPLOI
    )
    DemandeEvenementFactory(demande=initial, transition="postpone", at=at(days(-170)))
    decided(initial, DecisionKind.AUTORISATION, days(-140))
    parcours = ParcoursFactory(
        commission=commission, beneficiaire=initial.beneficiaire, started_on=days(-140), periodes=0
    )
    DroitAfisFactory(periode=PeriodeFactory(parcours=parcours), assessed_on=days(-140))
    titre = TitreSejourFactory(parcours=parcours)
    issue(titre, days(-120), TitreSejourState.A_DELIVRER)
    renewal = examined(
        commission,
        on=days(20),
        kind=DemandeKind.RENOUVELLEMENT,
        parcours=parcours,
        situation_emploi=SituationEmploi.EN_EMPLOI,
        type_contrat=TypeContrat.CDI if index % 2 else TypeContrat.CDD,
    )
    decided(renewal, DecisionKind.RENOUVELLEMENT, days(25))
    if index % 3 == 0:
        ended(commission, days(10), ParcoursEndReason.RETRAIT)


def queries_of(compute_report):
    with CaptureQueriesContext(connection) as context:
        compute_report()
    return len(context.captured_queries)


def test_number_of_queries_is_the_same_for_few_and_many_rows(commission):
    other = CommissionFactory()
    one = lambda: compute(commission)  # noqa: E731
    every = lambda: bilan.compute(Commission.objects.all(), START, END, national=True)  # noqa: E731
    for index in range(2):
        person_with_history(commission, index)
    few, few_national = queries_of(one), queries_of(every)
    for index in range(2, 14):
        person_with_history(commission, index)
        person_with_history(other, index)
    report = compute(commission)
    assert report.value("initiales", "examinees") == 14

    assert queries_of(one) == few == 12
    assert queries_of(every) == few_national == 13


# --- what leaves the application: small counts hidden ----------------------------------------------


def small_report(commission):
    for _index in range(3):
        decided(examined(commission), DecisionKind.AUTORISATION, days(5))
    for _index in range(5):
        examined(commission, favorable=False)
    return compute(commission)


def test_counts_of_one_to_four_are_shown_as_less_than_five_zero_and_five_as_they_are(commission):
    shown = bilan_exports.present(small_report(commission), masked=True)
    initiales = {row.key: row.cells[0].text for row in shown.sections[0].rows}

    assert initiales["examinees"] == "8"
    assert initiales["avis_favorables"] == "< 5"
    assert initiales["avis_defavorables"] == "5"
    assert initiales["autorisees"] == "< 5"
    assert initiales["refusees"] == "0"


def test_a_delay_over_fewer_than_five_dossiers_is_not_shown_when_hidden(commission):
    report = small_report(commission)
    masked = {row.key: row for row in bilan_exports.present(report, masked=True).sections[-1].rows}
    exact = {row.key: row for row in bilan_exports.present(report, masked=False).sections[-1].rows}

    assert [cell.text for cell in masked["seance_decision"].cells] == ["< 5", "—", "—"]
    assert [cell.text for cell in exact["seance_decision"].cells] == ["3", "5", "5"]
    assert [cell.text for cell in masked["depot_recevabilite"].cells] == ["8", "10", "10"]


def test_hidden_counts_leave_no_bar_in_the_chart(commission):
    shown = bilan_exports.present(small_report(commission), masked=True)
    bars = {bar.label: bar for bar in shown.sections[0].chart.bars}

    assert bars["Autorisées par le préfet"].width == 0
    assert bars["Autorisées par le préfet"].text == "< 5"
    assert bars["Examinées par la commission"].width == bilan_exports.BAR_MAX
    assert "dont avis favorable" not in bars  # parts of a row are in the table only


def test_csv_hides_small_counts_unless_exact(commission):
    report = small_report(commission)

    masked = bilan_exports.to_csv(report).decode("utf-8-sig")
    exact = bilan_exports.to_csv(report, exact=True).decode("utf-8-sig")

    assert "Demandes d’engagement dans le parcours;Autorisées par le préfet;Nombre;< 5" in masked
    assert "Demandes d’engagement dans le parcours;Autorisées par le préfet;Nombre;3" in exact
    assert "moins de 5 personnes" in masked.splitlines()[2]


def test_xlsx_holds_numbers_and_hides_small_counts(commission):
    from openpyxl import load_workbook

    content = bilan_exports.to_xlsx(small_report(commission))

    assert zipfile.is_zipfile(io.BytesIO(content))
    sheet = load_workbook(io.BytesIO(content)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Examinées par la commission"][0] == 8
    assert values["Autorisées par le préfet"][0] == "< 5"


def test_transition_names_counted_are_those_the_workflows_write():
    from parcours.workflow import demandes, titres

    assert bilan.POSTPONE in demandes.MACHINE
    assert bilan.ISSUE in titres.MACHINE
