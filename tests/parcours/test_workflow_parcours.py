"""The pathway: six-month terms, renewals up to 24 months, its end, and the APS that follows it."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from commission.dates import add_months, term_end
from parcours.enums import (
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursEndReason,
    ParcoursState,
    TitreSejourState,
)
from parcours.models import Parcours, Periode, RegleParcours, TitreSejour
from parcours.workflow import WorkflowError, titres
from parcours.workflow import demandes as demandes_workflow
from parcours.workflow import parcours as workflow
from tests.factories import (
    BeneficiaireFactory,
    DemandeFactory,
    TitreSejourFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
JANUARY_2025 = D(2025, 1, 1)


def _authorise(start=JANUARY_2025, **person):
    beneficiaire = BeneficiaireFactory(**person)
    return workflow.authorise(
        beneficiaire=beneficiaire, commission=commission_for(beneficiaire.departement), start=start
    )


def _snapshot(parcours):
    parcours = Parcours.objects.get(pk=parcours.pk)
    return (
        parcours.state,
        parcours.current_term_end,
        parcours.ended_on,
        parcours.end_reason,
        list(parcours.periodes.values_list("number", "start", "end", "months")),
        parcours.evenements.count(),
    )


# --- terms ---------------------------------------------------------------------------------------


def test_authorisation_gives_a_first_term_of_six_months():
    parcours = _authorise(start=D(2025, 1, 15))

    periode = parcours.periodes.get()
    assert (periode.number, periode.start, periode.end, periode.months) == (
        1,
        D(2025, 1, 15),
        D(2025, 7, 14),
        6,
    )
    assert parcours.current_term_end == D(2025, 7, 14)
    assert parcours.state == ParcoursState.EN_COURS
    event = parcours.evenements.get()
    assert (event.transition, event.from_state, event.to_state) == ("authorise", "", ParcoursState.EN_COURS)


def test_a_person_has_one_pathway_in_progress_at_most():
    parcours = _authorise()

    with pytest.raises(WorkflowError, match="déjà un parcours"):
        workflow.authorise(
            beneficiaire=parcours.beneficiaire, commission=parcours.commission, start=D(2025, 3, 1)
        )

    assert Parcours.objects.filter(beneficiaire=parcours.beneficiaire).count() == 1


def test_a_person_whose_pathway_ended_can_be_authorised_again():
    parcours = _authorise()
    workflow.end(parcours, reason=ParcoursEndReason.DEPART, on=D(2025, 3, 1))

    again = workflow.authorise(
        beneficiaire=parcours.beneficiaire, commission=parcours.commission, start=D(2026, 1, 1)
    )

    assert again.state == ParcoursState.EN_COURS
    assert again.pk != parcours.pk


def test_renewal_starts_the_day_after_the_current_term_ends():
    parcours = _authorise(start=D(2025, 8, 31))
    user = UserFactory()

    periode = workflow.renew(parcours, user=user)

    assert (periode.number, periode.start, periode.end, periode.months) == (
        2,
        D(2026, 2, 28),
        D(2026, 8, 27),
        6,
    )
    parcours.refresh_from_db()
    assert parcours.current_term_end == D(2026, 8, 27)
    event = parcours.evenements.get(transition="renew")
    assert (event.from_state, event.to_state, event.user) == (
        ParcoursState.EN_COURS,
        ParcoursState.EN_COURS,
        user,
    )


def test_four_terms_cover_24_months_without_gap_or_overlap():
    parcours = _authorise(start=D(2025, 1, 1))
    for _ in range(3):
        workflow.renew(parcours)

    periodes = list(parcours.periodes.order_by("number"))
    assert [(p.start, p.end) for p in periodes] == [
        (D(2025, 1, 1), D(2025, 6, 30)),
        (D(2025, 7, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 12, 31)),
    ]
    assert workflow.months_authorised(parcours) == 24
    assert workflow.remaining_months(parcours) == 0
    assert not workflow.can_renew(parcours)


def test_the_length_of_a_pathway_counts_its_terms_against_the_cap():
    parcours = _authorise(start=D(2025, 1, 1))
    workflow.renew(parcours)
    length = workflow.length_of(parcours)
    assert (length.months, length.cap, length.remaining) == (12, 24, 12)
    assert workflow.can_renew(parcours, length, on=D(2025, 3, 1))
    assert not workflow.can_renew(parcours, workflow.PathwayLength(months=24, cap=24), on=D(2025, 3, 1))


def test_renewal_beyond_24_months_is_refused_and_writes_nothing():
    parcours = _authorise(start=D(2025, 1, 1))
    for _ in range(3):
        workflow.renew(parcours)
    before = _snapshot(parcours)

    with pytest.raises(WorkflowError, match="24 mois"):
        workflow.renew(parcours)

    assert _snapshot(parcours) == before


def test_renewal_decision_beyond_24_months_is_refused_and_writes_nothing():
    parcours = _authorise(start=D(2025, 1, 1))
    for _ in range(3):
        workflow.renew(parcours)
    demande = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True)
    before = _snapshot(parcours)

    with pytest.raises(WorkflowError, match="24 mois"):
        demandes_workflow.decide(
            demande,
            kind=DecisionKind.RENOUVELLEMENT,
            signataire=UserFactory(),
            signataire_title="Préfète",
            decided_on=demande.avis_commission_on,
        )

    assert _snapshot(parcours) == before
    demande.refresh_from_db()
    assert demande.state == DemandeState.AVIS_RENDU


def test_term_and_cap_follow_the_rule_in_force_and_the_last_term_is_cut_to_the_cap():
    RegleParcours.objects.create(
        effective_from=D(2030, 1, 1), term_months=4, cap_months=10, legal_reference="Texte fictif de test"
    )
    parcours = _authorise(start=D(2030, 1, 1))

    second = workflow.renew(parcours)
    third = workflow.renew(parcours)

    assert [p.months for p in parcours.periodes.order_by("number")] == [4, 4, 2]
    assert (second.start, third.start, third.end) == (D(2030, 5, 1), D(2030, 9, 1), D(2030, 10, 31))
    with pytest.raises(WorkflowError, match="10 mois"):
        workflow.renew(parcours)


# --- end -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ParcoursEndReason.values)
def test_pathway_ends_with_its_reason_and_date(reason):
    parcours = _authorise(start=D(2025, 1, 1))
    user = UserFactory()

    workflow.end(parcours, reason=reason, on=D(2025, 4, 10), user=user, note="Note du secrétariat.")

    parcours.refresh_from_db()
    assert (parcours.state, parcours.ended_on, parcours.end_reason) == (
        ParcoursState.TERMINE,
        D(2025, 4, 10),
        reason,
    )
    event = parcours.evenements.get(transition="end")
    assert (event.from_state, event.to_state, event.user, event.reason) == (
        ParcoursState.EN_COURS,
        ParcoursState.TERMINE,
        user,
        "Note du secrétariat.",
    )


def test_unknown_end_reason_is_refused():
    parcours = _authorise()
    before = _snapshot(parcours)

    with pytest.raises(WorkflowError, match="Motif"):
        workflow.end(parcours, reason="lassitude", on=D(2025, 3, 1))

    assert _snapshot(parcours) == before


def test_end_before_the_start_of_the_pathway_is_refused():
    parcours = _authorise(start=D(2025, 1, 1))
    before = _snapshot(parcours)

    with pytest.raises(WorkflowError, match="précéder"):
        workflow.end(parcours, reason=ParcoursEndReason.RETRAIT, on=D(2024, 12, 31))

    assert _snapshot(parcours) == before


def test_ended_pathway_can_be_neither_renewed_nor_ended_again():
    parcours = _authorise(start=D(2025, 1, 1))
    workflow.end(parcours, reason=ParcoursEndReason.RETRAIT, on=D(2025, 2, 1))
    before = _snapshot(parcours)

    with pytest.raises(WorkflowError, match="Terminé"):
        workflow.renew(parcours)
    with pytest.raises(WorkflowError, match="Terminé"):
        workflow.end(parcours, reason=ParcoursEndReason.DEPART, on=D(2025, 3, 1))

    assert _snapshot(parcours) == before
    parcours.refresh_from_db()
    assert not workflow.can_renew(parcours)


# --- end at the term -----------------------------------------------------------------------------


def _refuse_renewal(parcours):
    demande = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT,
        parcours=parcours,
        avis_rendu=True,
        avis_commission_on=parcours.current_term_end - datetime.timedelta(days=10),
    )
    demandes_workflow.decide(
        demande,
        kind=DecisionKind.NON_RENOUVELLEMENT,
        signataire=UserFactory(),
        signataire_title="Préfète",
        decided_on=parcours.current_term_end - datetime.timedelta(days=10),
        motifs="Les engagements n’ont pas été tenus.",
    )
    return demande


def test_pathway_whose_term_passed_without_renewal_ends_at_its_term():
    parcours = _authorise(start=D(2025, 1, 1))

    ended = workflow.end_lapsed(today=D(2025, 7, 1))

    parcours.refresh_from_db()
    assert ended == [parcours.pk]
    assert (parcours.state, parcours.ended_on, parcours.end_reason) == (
        ParcoursState.TERMINE,
        D(2025, 6, 30),
        ParcoursEndReason.ECHEANCE,
    )


def test_pathway_is_still_in_progress_on_the_last_day_of_its_term():
    parcours = _authorise(start=D(2025, 1, 1))

    assert workflow.end_lapsed(today=D(2025, 6, 30)) == []

    parcours.refresh_from_db()
    assert parcours.state == ParcoursState.EN_COURS


def test_pathway_whose_renewal_was_refused_ends_for_non_renewal():
    parcours = _authorise(start=D(2025, 1, 1))
    _refuse_renewal(parcours)

    workflow.end_lapsed(today=D(2025, 7, 1))

    parcours.refresh_from_db()
    assert (parcours.state, parcours.end_reason) == (
        ParcoursState.TERMINE,
        ParcoursEndReason.NON_RENOUVELLEMENT,
    )


def test_pathway_that_reached_24_months_ends_at_the_cap():
    parcours = _authorise(start=D(2025, 1, 1))
    for _ in range(3):
        workflow.renew(parcours)

    workflow.end_lapsed(today=D(2027, 1, 1))

    parcours.refresh_from_db()
    assert (parcours.state, parcours.ended_on, parcours.end_reason) == (
        ParcoursState.TERMINE,
        D(2026, 12, 31),
        ParcoursEndReason.PLAFOND,
    )


@pytest.mark.parametrize(
    "pending_state",
    [DemandeState.BROUILLON, DemandeState.DEPOSEE, DemandeState.INSCRITE, DemandeState.AVIS_RENDU],
)
def test_renewal_only_while_the_pathway_runs_a_pending_renewal_does_not_keep_it_alive(pending_state):
    """Rule 8: after the last term's end the pathway ends, whatever applications it has; the pending
    renewal is closed with it, so that the person is free for a new initial application."""
    parcours = _authorise(start=D(2025, 1, 1))
    renewal = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, complete=True, state=pending_state
    )

    assert workflow.end_lapsed(today=D(2025, 8, 1)) == [parcours.pk]

    parcours.refresh_from_db()
    assert (parcours.state, parcours.ended_on, parcours.end_reason) == (
        ParcoursState.TERMINE,
        D(2025, 6, 30),
        ParcoursEndReason.ECHEANCE,
    )
    renewal.refresh_from_db()
    assert (renewal.state, renewal.withdrawn_on) == (DemandeState.RETIREE, D(2025, 6, 30))
    event = renewal.evenements.latest("pk")
    assert (event.transition, event.from_state, event.to_state) == (
        "close_with_pathway",
        pending_state,
        DemandeState.RETIREE,
    )
    assert "a pris fin" in event.reason
    again = DemandeFactory(beneficiaire=parcours.beneficiaire, kind=DemandeKind.INITIALE)
    assert again.state == DemandeState.BROUILLON


def test_renewal_only_while_the_pathway_runs_is_never_granted_after_the_term():
    parcours = _authorise(start=D(2025, 1, 1))
    demande = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True, avis_commission_on=D(2025, 6, 20)
    )

    with pytest.raises(WorkflowError, match="a pris fin le 30/06/2025"):
        demandes_workflow.decide(
            demande,
            kind=DecisionKind.RENOUVELLEMENT,
            signataire=UserFactory(),
            signataire_title="Préfète",
            decided_on=D(2025, 7, 1),
        )

    assert parcours.periodes.count() == 1
    demande.refresh_from_db()
    assert demande.state == DemandeState.AVIS_RENDU


def test_renewal_only_while_the_pathway_runs_is_granted_on_its_last_day():
    parcours = _authorise(start=D(2025, 1, 1))
    demande = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True, avis_commission_on=D(2025, 6, 20)
    )

    demandes_workflow.decide(
        demande,
        kind=DecisionKind.RENOUVELLEMENT,
        signataire=UserFactory(),
        signataire_title="Préfète",
        decided_on=D(2025, 6, 30),
    )

    assert parcours.periodes.get(number=2).start == D(2025, 7, 1)


def test_closed_renewal_and_another_open_application_do_not_keep_a_lapsed_pathway_alive():
    """Only a pending *renewal* keeps the pathway beyond its term; an accepted one no longer does."""
    parcours = _authorise(start=D(2025, 1, 1))
    DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, complete=True, state=DemandeState.ACCEPTEE
    )
    workflow.renew(parcours)  # term 2: 1 July – 31 December 2025
    DemandeFactory(
        kind=DemandeKind.FIN_ANTICIPEE, parcours=parcours, complete=True, state=DemandeState.BROUILLON
    )

    ended = workflow.end_lapsed(today=D(2026, 1, 5))

    parcours.refresh_from_db()
    assert ended == [parcours.pk]
    assert (parcours.state, parcours.end_reason) == (ParcoursState.TERMINE, ParcoursEndReason.ECHEANCE)


def test_end_lapsed_leaves_ended_pathways_alone():
    parcours = _authorise(start=D(2025, 1, 1))
    workflow.end(parcours, reason=ParcoursEndReason.RETRAIT, on=D(2025, 2, 1))

    assert workflow.end_lapsed(today=D(2025, 9, 1)) == []

    parcours.refresh_from_db()
    assert parcours.end_reason == ParcoursEndReason.RETRAIT


# --- residence permit (APS) ----------------------------------------------------------------------


@pytest.mark.parametrize("nationalities", [["NG"], ["CN"], ["AL", "XK"]])
def test_aps_is_opened_for_a_national_of_a_country_outside_the_eu_on_authorisation(nationalities):
    parcours = _authorise(nationalities=nationalities)

    titre = parcours.titres_sejour.get()
    assert titre.state == TitreSejourState.A_DELIVRER


@pytest.mark.parametrize("nationalities", [["FR"], ["RO"], ["CH"], ["NO"], ["NG", "FR"]])
def test_no_aps_for_a_french_eu_eea_or_swiss_national(nationalities):
    parcours = _authorise(nationalities=nationalities)

    assert not parcours.titres_sejour.exists()


def test_issued_aps_is_marked_to_renew_with_each_renewal():
    parcours = _authorise(start=D(2025, 1, 1))
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS0001", issued_on=D(2025, 1, 10), valid_until=D(2025, 7, 9)
    )
    assert titre.state == TitreSejourState.DELIVRE

    workflow.renew(parcours)

    titre.refresh_from_db()
    assert titre.state == TitreSejourState.A_RENOUVELER
    titres.issue(titre, number="APS0002", issued_on=D(2025, 7, 1), valid_until=D(2025, 12, 31))
    titre.refresh_from_db()
    assert (titre.state, titre.number) == (TitreSejourState.DELIVRE, "APS0002")


def test_expired_aps_is_marked_to_renew_with_a_renewal():
    parcours = _authorise(start=D(2025, 1, 1))
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS0003", issued_on=D(2025, 1, 10), valid_until=D(2025, 7, 9)
    )
    titres.expire(titre)

    workflow.renew(parcours)

    titre.refresh_from_db()
    assert titre.state == TitreSejourState.A_RENOUVELER


@pytest.mark.parametrize("pending", [TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER])
def test_aps_still_to_issue_or_renew_is_closed_when_the_pathway_ends(pending):
    parcours = _authorise(start=D(2025, 1, 1))
    parcours.titres_sejour.update(state=pending)

    workflow.end(parcours, reason=ParcoursEndReason.ECHEANCE, on=D(2025, 6, 30))

    assert parcours.titres_sejour.get().state == TitreSejourState.NON_RENOUVELE


def test_issued_aps_keeps_its_dates_and_is_recorded_not_renewed_when_the_pathway_ends():
    parcours = _authorise(start=D(2025, 1, 1))
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS0004", issued_on=D(2025, 1, 10), valid_until=D(2025, 7, 9)
    )

    workflow.end(parcours, reason=ParcoursEndReason.RETRAIT, on=D(2025, 3, 1))

    titre.refresh_from_db()
    assert (titre.state, titre.number, titre.valid_until) == (
        TitreSejourState.NON_RENOUVELE,
        "APS0004",
        D(2025, 7, 9),
    )
    assert titre.evenements.latest("pk").transition == "close"
    with pytest.raises(WorkflowError):
        workflow.renew(parcours)
    titre.refresh_from_db()
    assert titre.state == TitreSejourState.NON_RENOUVELE


@pytest.mark.parametrize("valid_until", [D(2025, 1, 10), D(2025, 1, 9)])
def test_aps_valid_until_a_date_not_after_its_issue_is_refused(valid_until):
    titre = TitreSejourFactory()

    with pytest.raises(WorkflowError, match="fin de validité"):
        titres.issue(titre, number="APS0005", issued_on=D(2025, 1, 10), valid_until=valid_until)

    titre.refresh_from_db()
    assert (titre.state, titre.number, titre.issued_on) == (TitreSejourState.A_DELIVRER, "", None)


def test_aps_already_issued_cannot_be_issued_again():
    titre = TitreSejourFactory(delivre=True)
    number = titre.number

    with pytest.raises(WorkflowError, match="pas à délivrer"):
        titres.issue(titre, number="APS9999", issued_on=D(2025, 1, 10), valid_until=D(2025, 7, 9))

    titre.refresh_from_db()
    assert titre.number == number


def test_only_an_issued_aps_can_expire():
    titre = TitreSejourFactory()

    with pytest.raises(WorkflowError, match="délivrée"):
        titres.expire(titre)

    assert TitreSejour.objects.get(pk=titre.pk).state == TitreSejourState.A_DELIVRER


# --- property: no sequence of steps breaks the pathway's invariants -----------------------------

# One step: (what, a number of days, an end reason). Renewals weigh more so that examples reach the cap;
# a lapse looks at a day from 40 days before to 20 days after the current term's end; an end is dated
# from 10 days before the start onwards.
steps = st.lists(
    st.tuples(
        st.sampled_from(["renew"] * 5 + ["file_renewal", "lapse", "end"]),
        st.integers(min_value=-40, max_value=800),
        st.sampled_from(ParcoursEndReason.values),
    ),
    max_size=12,
)
FIVE_RENEWALS_THEN_LAPSE = [("renew", 0, "echeance")] * 5 + [
    ("lapse", 1, "echeance"),
    ("renew", 0, "echeance"),
]


def _check_invariants(parcours):
    periodes = list(parcours.periodes.order_by("number"))
    rule = RegleParcours.in_force(parcours.started_on)
    assert sum(p.months for p in periodes) <= rule.cap_months
    assert [p.number for p in periodes] == list(range(1, len(periodes) + 1))
    assert periodes[0].start == parcours.started_on
    for periode in periodes:
        assert periode.end == term_end(periode.start, periode.months)
    for previous, following in zip(periodes, periodes[1:], strict=False):
        assert following.start == previous.end + ONE_DAY  # contiguous, so never overlapping
    assert parcours.current_term_end == periodes[-1].end
    ended = parcours.state == ParcoursState.TERMINE
    assert ended == (parcours.ended_on is not None) == bool(parcours.end_reason)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30)), operations=steps)
@example(start=D(2025, 8, 31), operations=FIVE_RENEWALS_THEN_LAPSE)
@example(start=D(2024, 2, 29), operations=[("file_renewal", 0, "echeance"), ("lapse", 5, "echeance")])
def test_no_sequence_of_steps_exceeds_24_months_overlaps_terms_or_revives_an_ended_pathway(start, operations):
    with transaction.atomic():
        parcours = _authorise(start=start)
        pending_renewal = None
        for name, days, reason in operations:
            parcours.refresh_from_db()
            before = _snapshot(parcours)
            was_ended = parcours.state == ParcoursState.TERMINE

            if name == "renew":
                try:
                    workflow.renew(parcours)
                except WorkflowError:
                    event("renewal refused: " + ("ended" if was_ended else "cap"))
                    assert was_ended or workflow.months_authorised(parcours) >= 24
                    assert _snapshot(parcours) == before
                else:
                    assert not was_ended
                    if pending_renewal is not None:
                        pending_renewal.state = DemandeState.ACCEPTEE
                        pending_renewal.save(update_fields=["state"])
                        pending_renewal = None
            elif name == "file_renewal":
                if pending_renewal is None and workflow.can_renew(parcours):
                    pending_renewal = DemandeFactory(
                        kind=DemandeKind.RENOUVELLEMENT,
                        parcours=parcours,
                        complete=True,
                        state=DemandeState.DEPOSEE,
                    )
            elif name == "lapse":
                today = parcours.current_term_end + datetime.timedelta(days=(days + 40) % 61 - 40)
                ended_ids = workflow.end_lapsed(today=today)
                parcours.refresh_from_db()
                should_end = not was_ended and today > before[1] and pending_renewal is None
                assert (parcours.pk in ended_ids) == should_end
                if should_end:
                    event("ended at term")
                    expected = (
                        ParcoursEndReason.PLAFOND
                        if workflow.months_authorised(parcours) >= 24
                        else ParcoursEndReason.ECHEANCE
                    )
                    assert (parcours.end_reason, parcours.ended_on) == (expected, before[1])
                else:
                    assert _snapshot(parcours) == before
            else:
                offset = days - 10
                try:
                    workflow.end(
                        parcours, reason=reason, on=parcours.started_on + datetime.timedelta(days=offset)
                    )
                except WorkflowError:
                    assert was_ended or offset < 0
                    assert _snapshot(parcours) == before
                else:
                    assert not was_ended
                    if pending_renewal is not None:
                        pending_renewal.state = DemandeState.RETIREE
                        pending_renewal.save(update_fields=["state"])
                        pending_renewal = None

            parcours.refresh_from_db()
            _check_invariants(parcours)
            if was_ended:
                assert _snapshot(parcours) == before
        transaction.set_rollback(True)


def test_three_renewal_decisions_reach_24_months_and_no_further_renewal_can_be_filed():
    # Started 20 months ago: each renewal is decided ten days before the term it follows ends, while
    # the pathway runs; the last term still runs today.
    parcours = _authorise(start=add_months(timezone.localdate(), -20))
    for _ in range(3):
        parcours.refresh_from_db()
        day = parcours.current_term_end - datetime.timedelta(days=10)
        demande = DemandeFactory(
            kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True, avis_commission_on=day
        )
        demandes_workflow.decide(
            demande,
            kind=DecisionKind.RENOUVELLEMENT,
            signataire=UserFactory(),
            signataire_title="Préfète",
            decided_on=min(day, timezone.localdate()),
        )

    assert sum(Periode.objects.filter(parcours=parcours).values_list("months", flat=True)) == 24
    parcours.refresh_from_db()
    with pytest.raises(WorkflowError, match="durée maximale de 24 mois"):
        demandes_workflow.create(
            beneficiaire=parcours.beneficiaire,
            association=demande.association,
            commission=parcours.commission,
            user=None,
            kind=DemandeKind.RENOUVELLEMENT,
            parcours=parcours,
        )
