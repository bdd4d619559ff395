"""The edges of the pathway in law (issue 16), each rule through its workflow and through its screen:

- rule 8, a renewal only while the pathway runs (never after its last term's end);
- rule 9, withdrawal and departure on screen: the pathway, the AFIS and the permit's follow-up end;
- rule 10, the end reason is the last relevant event;
- rule 13, an APS issued for at least the legal minimum (CESEDA L425-4), and its correction;
- rule 16, legal durations are dated rows.
"""

import datetime
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from commission import private_files
from commission.dates import add_months, term_end
from commission.enums import Role
from parcours import reminders
from parcours.enums import (
    CourrierKind,
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursEndReason,
    ParcoursState,
    RappelKind,
    TitreSejourState,
)
from parcours.models import Courrier, DroitAfis, Parcours, RegleParcours, TitreSejour
from parcours.workflow import WorkflowError, sorties, titres
from parcours.workflow import demandes as demandes_workflow
from parcours.workflow import parcours as parcours_workflow
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DroitAfisFactory,
    OrganisationFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ROOT = Path(__file__).resolve().parent.parent.parent


def today():
    return timezone.localdate()


def _running(months_ago=2, **person):
    """A pathway that started `months_ago` months ago, of a person the association accompanies, with
    an AFIS right on its first term and a residence permit to issue."""
    person.setdefault("accompagnement", True)
    beneficiaire = BeneficiaireFactory(**person)
    parcours = parcours_workflow.authorise(
        beneficiaire=beneficiaire,
        commission=commission_for(beneficiaire.departement),
        start=add_months(today(), -months_ago),
    )
    DroitAfisFactory(periode=parcours.periodes.get())
    return parcours


def _caseworker(parcours):
    return parcours.beneficiaire.accompagnements.get().referent


def _secretariat(parcours):
    return UserFactory(organisation=parcours.commission.secretariat, roles=[Role.SECRETARIAT])


def _president(parcours):
    return UserFactory(organisation=parcours.commission.secretariat, roles=[Role.PRESIDENT])


def _pdf_text(courrier):
    content = private_files.read(courrier.file_path)
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


# --- rule 8: a renewal only while the pathway runs ------------------------------------------------


def test_renewal_only_while_the_pathway_runs_cannot_be_filed_after_the_last_term():
    parcours = _running(months_ago=7)  # the first term ended last month; the daily job has not run

    with pytest.raises(WorkflowError, match="nouvelle demande initiale"):
        demandes_workflow.start_renewal(
            parcours, association=parcours.beneficiaire.accompagnements.get().association, user=None
        )

    assert not parcours.demandes.exists()


def test_renewal_only_while_the_pathway_runs_a_draft_cannot_be_submitted_after_the_last_term():
    parcours = _running(months_ago=7)
    draft = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, complete=True)

    with pytest.raises(WorkflowError, match="a pris fin le"):
        demandes_workflow.submit(draft, user=draft.referent)

    draft.refresh_from_db()
    assert draft.state == DemandeState.BROUILLON


def test_renewal_only_while_the_pathway_runs_the_daily_job_ends_it_and_frees_the_person():
    parcours = _running(months_ago=7)
    draft = DemandeFactory(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, complete=True)

    parcours_workflow.end_lapsed()

    parcours.refresh_from_db()
    draft.refresh_from_db()
    assert (parcours.state, parcours.end_reason) == (ParcoursState.TERMINE, ParcoursEndReason.ECHEANCE)
    assert draft.state == DemandeState.RETIREE
    initial = demandes_workflow.create(
        beneficiaire=parcours.beneficiaire,
        association=draft.association,
        commission=parcours.commission,
        user=None,
    )
    assert initial.kind == DemandeKind.INITIALE


def test_renewal_only_while_the_pathway_runs_on_screen_the_caseworker_is_told_to_file_an_initial_application(
    client,
):
    parcours = _running(months_ago=7)
    client.force_login(_caseworker(parcours))

    response = client.post(reverse("parcours:renouvellement_create", args=[parcours.pk]), follow=True)

    html = response.content.decode()
    assert "Déposez une nouvelle demande initiale" in html
    assert not parcours.demandes.exists()


# --- rule 9: withdrawal and departure on screen ------------------------------------------------


def _exit_url(parcours):
    return reverse("parcours:parcours_exit", args=[parcours.pk])


def _exit_data(**overrides):
    data = {
        "reason": ParcoursEndReason.RETRAIT,
        "on": today().isoformat(),
        "note": "La personne a fait savoir qu’elle quittait le parcours.",
        "confirm": "on",
    }
    data.update(overrides)
    return data


def test_withdrawal_on_screen_ends_the_pathway_its_afis_and_its_permit_that_day(
    client, django_capture_on_commit_callbacks
):
    parcours = _running()
    titre = parcours.titres_sejour.get()
    titres.issue(titre, number="APS-77", issued_on=parcours.started_on, valid_until=add_months(today(), 5))
    renewal = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, complete=True, state=DemandeState.DEPOSEE
    )
    caseworker = _caseworker(parcours)
    client.force_login(caseworker)
    day = today() - datetime.timedelta(days=3)

    assert "Enregistrer le retrait ou le départ" in client.get(_exit_url(parcours)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_exit_url(parcours), _exit_data(on=day.isoformat()), follow=True)

    assert "Le parcours a pris fin (Retrait de la personne)" in response.content.decode()
    parcours.refresh_from_db()
    assert (parcours.state, parcours.ended_on, parcours.end_reason) == (
        ParcoursState.TERMINE,
        day,
        ParcoursEndReason.RETRAIT,
    )
    event = parcours.evenements.latest("pk")
    assert (event.transition, event.user, event.reason) == (
        "end",
        caseworker,
        "La personne a fait savoir qu’elle quittait le parcours.",
    )
    droit = DroitAfis.objects.get(periode__parcours=parcours)
    assert (droit.ended_on, droit.last_day) == (day, day)
    titre.refresh_from_db()
    assert (titre.state, titre.valid_until) == (TitreSejourState.NON_RENOUVELE, add_months(today(), 5))
    renewal.refresh_from_db()
    assert renewal.state == DemandeState.RETIREE
    notice = Courrier.objects.get(parcours=parcours, kind=CourrierKind.FIN_AFIS)
    assert notice.decision is None
    text = _pdf_text(notice)
    assert "prend fin à cette date" in text
    assert "Retrait de la personne" in text


def test_departure_on_screen_recorded_by_the_secretariat(client, django_capture_on_commit_callbacks):
    parcours = _running()
    DemandeFactory(
        beneficiaire=parcours.beneficiaire,
        parcours=parcours,
        state=DemandeState.ACCEPTEE,
        submitted_at=timezone.now(),
    )
    secretariat = _secretariat(parcours)
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_exit_url(parcours), _exit_data(reason=ParcoursEndReason.DEPART))

    parcours.refresh_from_db()
    assert parcours.end_reason == ParcoursEndReason.DEPART
    notice = Courrier.objects.get(parcours=parcours)
    # The secretariat reads the notice on the person's page; the association does not (it is the
    # prefecture's letter to the paying body).
    page = client.get(reverse("beneficiaires:detail", args=[parcours.beneficiaire.pk])).content.decode()
    assert reverse("decisions:courrier", args=[notice.pk]) in page
    assert client.get(reverse("decisions:courrier", args=[notice.pk])).status_code == 200
    client.force_login(_caseworker(parcours))
    assert client.get(reverse("decisions:courrier", args=[notice.pk])).status_code == 404


def test_withdrawal_on_screen_needs_confirmation_and_keeps_what_was_typed(client):
    parcours = _running()
    client.force_login(_caseworker(parcours))

    response = client.post(_exit_url(parcours), _exit_data(confirm="", note="Départ pour Lyon."))

    html = response.content.decode()
    assert "Cochez la case pour confirmer la fin du parcours." in html
    assert "Départ pour Lyon." in html
    parcours.refresh_from_db()
    assert parcours.state == ParcoursState.EN_COURS


@pytest.mark.parametrize(
    "on, message",
    [
        (lambda p: today() + datetime.timedelta(days=1), "futur"),
        (lambda p: p.started_on - datetime.timedelta(days=1), "précéder le début"),
    ],
)
def test_withdrawal_on_screen_refuses_a_date_in_the_future_or_before_the_pathway(client, on, message):
    parcours = _running()
    client.force_login(_caseworker(parcours))

    response = client.post(_exit_url(parcours), _exit_data(on=on(parcours).isoformat(), note=""))

    html = response.content.decode()
    assert message in html
    assert "Indiquez" not in html or "Ce champ est obligatoire" in html
    assert Parcours.objects.get(pk=parcours.pk).state == ParcoursState.EN_COURS


def test_withdrawal_needs_a_reason_and_is_refused_on_an_ended_pathway():
    parcours = _running()
    with pytest.raises(WorkflowError, match="Indiquez ce qui s’est passé"):
        sorties.record_exit(parcours, reason=ParcoursEndReason.RETRAIT, on=today(), note=" ", user=None)

    sorties.record_exit(parcours, reason=ParcoursEndReason.DEPART, on=today(), note="Parti.", user=None)
    with pytest.raises(WorkflowError, match="Terminé"):
        sorties.record_exit(parcours, reason=ParcoursEndReason.RETRAIT, on=today(), note="Encore.", user=None)


def test_withdrawal_cannot_be_recorded_with_a_prefect_decision_reason():
    parcours = _running()
    with pytest.raises(WorkflowError, match="Choisissez"):
        sorties.record_exit(
            parcours, reason=ParcoursEndReason.FIN_ANTICIPEE, on=today(), note="Fin.", user=None
        )
    assert Parcours.objects.get(pk=parcours.pk).state == ParcoursState.EN_COURS


def test_withdrawal_on_screen_is_not_found_for_the_president_the_service_or_another_association(client):
    parcours = _running()
    other = UserFactory(
        organisation=AssociationFactory(departement=parcours.beneficiaire.departement), roles=[Role.REFERENT]
    )
    service = UserFactory(
        organisation=OrganisationFactory(
            kind="service_etrangers", departement=parcours.beneficiaire.departement
        ),
        roles=[Role.ETRANGERS],
    )
    for user in (_president(parcours), service, other):
        client.force_login(user)
        assert client.post(_exit_url(parcours), _exit_data()).status_code == 404
    assert Parcours.objects.get(pk=parcours.pk).state == ParcoursState.EN_COURS


def test_withdrawal_stops_the_permit_reminders():
    parcours = _running()
    titre = parcours.titres_sejour.get()
    titres.issue(
        titre,
        number="APS-9",
        issued_on=add_months(today(), -6),
        valid_until=today() + datetime.timedelta(days=10),
    )
    reminders.run()
    assert reminders.Rappel.objects.filter(
        titre_sejour=titre, kind=RappelKind.APS_EXPIRE, done_at__isnull=True
    ).exists()

    sorties.record_exit(parcours, reason=ParcoursEndReason.DEPART, on=today(), note="Partie.", user=None)
    reminders.run()

    assert not reminders.Rappel.objects.filter(titre_sejour=titre, done_at__isnull=True).exists()
    assert not [r for r in reminders.scan() if r.titre_sejour_id == titre.pk]


def test_withdrawal_without_an_afis_right_produces_no_notice(django_capture_on_commit_callbacks):
    parcours = _running()
    DroitAfis.objects.filter(periode__parcours=parcours).update(
        eligible=False, bareme=None, monthly_amount=0, ineligibility_reason="RSA."
    )
    with django_capture_on_commit_callbacks(execute=True):
        sorties.record_exit(
            parcours, reason=ParcoursEndReason.RETRAIT, on=today(), note="Retrait.", user=None
        )

    assert not Courrier.objects.filter(parcours=parcours).exists()


# --- rule 10: the true end reason --------------------------------------------------------------


def _renewal_decision(parcours, kind, day, **extra):
    demande = DemandeFactory(
        kind=DemandeKind.RENOUVELLEMENT, parcours=parcours, avis_rendu=True, avis_commission_on=day
    )
    return demandes_workflow.decide(
        demande, kind=kind, signataire=UserFactory(), signataire_title="Préfète", decided_on=day, **extra
    )


def test_end_reason_is_the_last_renewal_decision_not_an_earlier_refusal():
    """A renewal refused, then filed again and granted: the pathway later lapses at its term, not
    "for non-renewal"."""
    person = BeneficiaireFactory()
    parcours = parcours_workflow.authorise(
        beneficiaire=person, commission=commission_for(person.departement), start=D(2025, 1, 1)
    )
    _renewal_decision(parcours, DecisionKind.NON_RENOUVELLEMENT, D(2025, 6, 1), motifs="Pas de nouvelles.")
    _renewal_decision(parcours, DecisionKind.RENOUVELLEMENT, D(2025, 6, 20))

    parcours_workflow.end_lapsed(today=D(2026, 1, 1))

    parcours.refresh_from_db()
    assert (parcours.ended_on, parcours.end_reason) == (D(2025, 12, 31), ParcoursEndReason.ECHEANCE)


def test_end_reason_is_non_renewal_when_the_last_decision_refused_it():
    person = BeneficiaireFactory()
    parcours = parcours_workflow.authorise(
        beneficiaire=person, commission=commission_for(person.departement), start=D(2025, 1, 1)
    )
    _renewal_decision(parcours, DecisionKind.NON_RENOUVELLEMENT, D(2025, 6, 1), motifs="Pas de nouvelles.")

    parcours_workflow.end_lapsed(today=D(2025, 7, 1))

    parcours.refresh_from_db()
    assert parcours.end_reason == ParcoursEndReason.NON_RENOUVELLEMENT


def test_end_reason_is_the_withdrawal_even_after_a_refused_renewal():
    parcours = _running(months_ago=5)
    _renewal_decision(parcours, DecisionKind.NON_RENOUVELLEMENT, today(), motifs="Engagements non tenus.")

    sorties.record_exit(parcours, reason=ParcoursEndReason.RETRAIT, on=today(), note="Retrait.", user=None)

    parcours.refresh_from_db()
    assert parcours.end_reason == ParcoursEndReason.RETRAIT


# --- rule 13: the APS, at least six months, and its correction ---------------------------------


def test_aps_issued_for_less_than_six_months_is_refused_with_the_rule_text():
    parcours = _running()
    titre = parcours.titres_sejour.get()

    with pytest.raises(WorkflowError) as error:
        titres.issue(titre, number="APS-1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 8))

    assert (
        "au moins 6 mois (article L425-4 du code de l’entrée et du séjour des étrangers"
        in error.value.message
    )
    assert "valable au moins jusqu’au 09/07/2026" in error.value.message
    titres.issue(titre, number="APS-1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 9))
    assert TitreSejour.objects.get(pk=titre.pk).state == TitreSejourState.DELIVRE


def test_aps_issued_for_less_than_six_months_is_refused_on_screen_keeping_what_was_typed(client):
    parcours = _running()
    titre = parcours.titres_sejour.get()
    service = UserFactory(
        organisation=OrganisationFactory(
            kind="service_etrangers", departement=parcours.beneficiaire.departement
        ),
        roles=[Role.ETRANGERS],
    )
    client.force_login(service)
    url = reverse("decisions:titre", args=[titre.pk])
    assert "Au moins 6 mois" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "number": "APS-SHORT",
            "issued_on": today().isoformat(),
            "valid_until": add_months(today(), 3).isoformat(),
        },
    )

    html = response.content.decode()
    assert "article L425-4" in html
    assert 'value="APS-SHORT"' in html
    assert TitreSejour.objects.get(pk=titre.pk).state == TitreSejourState.A_DELIVRER


def test_aps_correction_keeps_the_first_entry_in_the_history():
    parcours = _running()
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS-0O1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 9)
    )
    user = UserFactory()

    titres.correct(
        titre,
        number="APS-001",
        issued_on=D(2026, 1, 10),
        valid_until=D(2026, 7, 9),
        reason="Lettre O au lieu de 0.",
        user=user,
    )

    titre.refresh_from_db()
    assert (titre.state, titre.number) == (TitreSejourState.DELIVRE, "APS-001")
    assert list(titre.evenements.values_list("transition", "number", "reason")) == [
        ("open", "", ""),
        ("issue", "APS-0O1", ""),
        ("correct", "APS-001", "Lettre O au lieu de 0."),
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reason": "  "}, "motif de la correction"),
        ({"valid_until": D(2026, 3, 1)}, "L425-4"),
        ({"number": "APS-1"}, "Rien n’a changé"),
    ],
)
def test_aps_correction_needs_a_reason_a_valid_permit_and_a_change(change, message):
    parcours = _running()
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS-1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 9)
    )
    values = {
        "number": "APS-2",
        "issued_on": D(2026, 1, 10),
        "valid_until": D(2026, 7, 9),
        "reason": "Erreur.",
    }
    values.update(change)

    with pytest.raises(WorkflowError, match=message):
        titres.correct(titre, user=None, **values)

    assert TitreSejour.objects.get(pk=titre.pk).number == "APS-1"


def test_aps_correction_on_screen_shows_both_entries(client):
    parcours = _running()
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS-0O1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 9)
    )
    service = UserFactory(
        organisation=OrganisationFactory(
            kind="service_etrangers", departement=parcours.beneficiaire.departement
        ),
        roles=[Role.ETRANGERS],
    )
    client.force_login(service)

    response = client.post(
        reverse("decisions:titre_correct", args=[titre.pk]),
        {
            "correction-number": "APS-001",
            "correction-issued_on": "2026-01-10",
            "correction-valid_until": "2026-07-09",
            "correction-reason": "Lettre O au lieu de 0.",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "La correction est enregistrée" in html
    assert "APS-0O1" in html and "APS-001" in html and "Lettre O au lieu de 0." in html


def test_aps_correction_on_screen_without_reason_keeps_what_was_typed(client):
    parcours = _running()
    titre = titres.issue(
        parcours.titres_sejour.get(), number="APS-1", issued_on=D(2026, 1, 10), valid_until=D(2026, 7, 9)
    )
    service = UserFactory(
        organisation=OrganisationFactory(
            kind="service_etrangers", departement=parcours.beneficiaire.departement
        ),
        roles=[Role.ETRANGERS],
    )
    client.force_login(service)

    response = client.post(
        reverse("decisions:titre_correct", args=[titre.pk]),
        {
            "correction-number": "APS-2",
            "correction-issued_on": "2026-01-10",
            "correction-valid_until": "2026-07-09",
            "correction-reason": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="APS-2"' in html
    assert TitreSejour.objects.get(pk=titre.pk).number == "APS-1"


# --- rule 16: legal durations are data ---------------------------------------------------------


def test_legal_durations_are_dated_rows_read_by_the_messages():
    rule = RegleParcours.in_force(today())
    assert (rule.term_months, rule.cap_months, rule.permit_min_months, rule.notice_days) == (6, 24, 6, 5)
    RegleParcours.objects.create(
        effective_from=today() - datetime.timedelta(days=400),
        term_months=4,
        cap_months=12,
        permit_min_months=8,
        notice_days=7,
        legal_reference="Texte fictif pour le test",
    )
    parcours = _running(months_ago=1)
    titre = parcours.titres_sejour.get()

    with pytest.raises(WorkflowError, match="au moins 8 mois"):
        titres.issue(titre, number="A", issued_on=today(), valid_until=add_months(today(), 7))
    assert parcours.periodes.get().months == 4
    for _ in range(2):
        parcours_workflow.renew(parcours)
    with pytest.raises(WorkflowError, match="durée maximale de 12 mois"):
        parcours_workflow.renew(parcours)


def test_legal_durations_no_message_of_the_pathway_writes_them_as_literals():
    pattern = re.compile(r"\b(24|six|6) mois\b|\b(5|cinq) jours\b")
    sources = [
        *(ROOT / "parcours").rglob("*.py"),
        *(ROOT / "commission" / "seances").rglob("*.py"),
        *(ROOT / "templates" / "parcours").rglob("*.html"),
        *(ROOT / "templates" / "commission").rglob("*.html"),
        *(ROOT / "templates" / "commission").rglob("*.txt"),
    ]
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in sources
        if "migrations" not in path.parts
        for line in path.read_text().splitlines()
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_term_end_helper_is_what_the_permit_minimum_uses():
    assert titres.proposed_validity(
        TitreSejour(parcours=Parcours(current_term_end=D(2026, 2, 1))), D(2026, 1, 10)
    ) == term_end(D(2026, 1, 10), 6)


def test_anonymisation_reaches_the_notice_of_a_pathway_ended_by_a_withdrawal(
    django_capture_on_commit_callbacks,
):
    from parcours import privacy
    from parcours.models import ParcoursEvenement

    parcours = _running()
    with django_capture_on_commit_callbacks(execute=True):
        sorties.record_exit(
            parcours, reason=ParcoursEndReason.RETRAIT, on=today(), note="Partie chez sa sœur.", user=None
        )
    notice = Courrier.objects.get(parcours=parcours, kind=CourrierKind.FIN_AFIS)
    assert privacy.access_report_context(parcours.beneficiaire)["courriers"].filter(pk=notice.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # files are deleted once committed
        privacy.anonymise(parcours.beneficiaire)

    assert not Courrier.objects.filter(pk=notice.pk).exists()
    assert not (private_files.root() / notice.file_path).exists()
    assert not ParcoursEvenement.objects.filter(parcours=parcours).exclude(reason="").exists()
