"""The president's decision screens, the letters' downloads, the dossier's decision panel and the
secretariat's production of a session's letters."""

import datetime
import io

import pypdf
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from commission.seances.enums import PointState
from parcours import letters
from parcours.enums import (
    CourrierKind,
    DecisionKind,
    DemandeKind,
    DemandeState,
    ParcoursState,
    ProductionState,
)
from parcours.models import Courrier, Decision, ProductionCourriers
from parcours.workflow import demandes as workflow
from parcours.workflow import titres
from tests.factories import (
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    PointOrdreDuJourFactory,
    SeanceFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def today():
    return timezone.localdate()


def _staff(departement, role, kind=OrganisationKind.SECRETARIAT, **kwargs):
    return UserFactory(
        organisation=OrganisationFactory(kind=kind, departement=departement), roles=[role], **kwargs
    )


def _president(departement):
    return _staff(departement, Role.PRESIDENT, first_name="Claire", last_name="Martin", title="Préfète")


def _waiting(**kwargs):
    """An opinion awaiting a decision, of a person lawfully resident (an APS valid today, recorded on
    an earlier pathway): the AFIS's residence condition holds (CASF R121-12-13-1)."""
    demande = DemandeFactory(avis_rendu=True, **kwargs)
    if demande.beneficiaire.needs_residence_permit():
        TitreSejourFactory(
            parcours=ParcoursFactory(beneficiaire=demande.beneficiaire, termine=True),
            delivre=True,
            issued_on=today() - datetime.timedelta(days=30),
            valid_until=today() + datetime.timedelta(days=200),
        )
    return demande


def _decided(kind=DecisionKind.AUTORISATION, **kwargs):
    demande = _waiting(**kwargs)
    decision = workflow.decide(
        demande,
        kind=kind,
        signataire=_president(demande.commission.departement),
        signataire_title="Préfète",
        decided_on=today(),
        start=today() if kind == DecisionKind.AUTORISATION else None,
        motifs="Motif." if kind != DecisionKind.AUTORISATION else "",
    )
    letters.produce(decision.pk)
    return decision


# --- the list of opinions awaiting a decision ----------------------------------------------------


def test_the_president_sees_the_opinions_of_the_departement_awaiting_a_decision(client):
    waiting = _waiting()
    departement = waiting.commission.departement
    DemandeFactory(departement=departement, complete=True, state=DemandeState.INSCRITE)  # no opinion yet
    elsewhere = _waiting()
    client.force_login(_president(departement))
    response = client.get(reverse("decisions:a_decider"))
    assert list(response.context["demandes"]) == [waiting]
    html = response.content.decode()
    assert waiting.beneficiaire.reference in html
    assert elsewhere.beneficiaire.reference not in html
    assert reverse("decisions:decider", args=[waiting.pk]) in html


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_is_one_query_whatever_its_length(client, django_assert_max_num_queries, rows):
    departement = DepartementFactory()
    for _ in range(rows):
        _waiting(departement=departement)
    client.force_login(_president(departement))
    # session, user, savepoint, organisation, roles, the list, savepoints and session save; the access
    # log of the persons shown: the chain's head (its lock and last hash), one INSERT
    # + 1: the header's count of unread notifications
    with django_assert_max_num_queries(13):
        response = client.get(reverse("decisions:a_decider"))
    assert len(response.context["demandes"]) == rows


# --- the decision form ---------------------------------------------------------------------------


def test_the_form_offers_the_decisions_that_answer_the_application_with_both_opinions(client):
    demande = _waiting()
    client.force_login(_president(demande.commission.departement))
    response = client.get(reverse("decisions:decider", args=[demande.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [value for value, _label in response.context["form"].fields["kind"].choices] == [
        DecisionKind.AUTORISATION,
        DecisionKind.REFUS,
    ]
    assert "Autorisation d’engagement dans le parcours" in html
    assert "Avis de la commission" in html
    assert demande.avis_association_motifs in html
    assert 'name="start"' in html
    assert 'value="Préfète"' in html  # the signatory's title, from the user's


def test_authorising_creates_the_pathway_and_its_letters_and_lands_on_the_dossier(
    client, django_capture_on_commit_callbacks
):
    demande = _waiting()
    client.force_login(_president(demande.commission.departement))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decisions:decider", args=[demande.pk]),
            {
                "kind": DecisionKind.AUTORISATION,
                "decided_on": today().isoformat(),
                "start": today().isoformat(),
                "motifs": "",
                "signataire_title": "Pour la préfète et par délégation, le sous-préfet",
                "confirmed": "1",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk])
    decision = Decision.objects.get(demande=demande)
    demande.refresh_from_db()
    assert demande.state == DemandeState.ACCEPTEE
    assert demande.parcours.state == ParcoursState.EN_COURS
    assert set(Courrier.objects.filter(decision=decision).values_list("kind", flat=True)) == {
        CourrierKind.NOTIFICATION,
        CourrierKind.INFORMATION_ETRANGERS,
        CourrierKind.ATTESTATION_AFIS,
    }
    assert ProductionCourriers.objects.get(decision=decision).state == ProductionState.TERMINEE
    assert [m.to for m in mail.outbox] == [[demande.referent.email]]


def test_a_refusal_without_reasons_is_refused_with_what_to_do(client):
    demande = _waiting()
    client.force_login(_president(demande.commission.departement))
    response = client.post(
        reverse("decisions:decider", args=[demande.pk]),
        {
            "kind": DecisionKind.REFUS,
            "decided_on": today().isoformat(),
            "motifs": " ",
            "signataire_title": "Préfète",
            "confirmed": "1",
        },
    )
    assert response.status_code == 200
    assert "Une décision défavorable doit être motivée." in response.content.decode()
    assert not Decision.objects.exists()


def test_a_renewal_at_the_24_month_cap_is_announced_and_refused_by_the_workflow(client):
    parcours = ParcoursFactory(started_on=today() - datetime.timedelta(days=700), periodes=4)
    demande = _waiting(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours)
    client.force_login(_president(demande.commission.departement))
    html = client.get(reverse("decisions:decider", args=[demande.pk])).content.decode()
    assert "Durée maximale atteinte" in html
    assert "Le parcours a atteint la durée maximale de 24 mois : il ne peut plus être renouvelé." in html
    response = client.post(
        reverse("decisions:decider", args=[demande.pk]),
        {
            "kind": DecisionKind.RENOUVELLEMENT,
            "decided_on": today().isoformat(),
            "signataire_title": "Préfète",
            "confirmed": "1",
        },
    )
    assert response.status_code == 200
    assert "il ne peut plus être renouvelé" in response.context["form"].non_field_errors()[0]
    assert not Decision.objects.exists()
    assert parcours.periodes.count() == 4


def test_a_renewal_below_the_cap_shows_the_months_left(client):
    parcours = ParcoursFactory(started_on=today() - datetime.timedelta(days=500), periodes=3)
    demande = _waiting(kind=DemandeKind.RENOUVELLEMENT, parcours=parcours)
    client.force_login(_president(demande.commission.departement))
    html = client.get(reverse("decisions:decider", args=[demande.pk])).content.decode()
    assert "Durée déjà autorisée : 18 mois sur 24 au plus." in html
    assert "Un renouvellement peut encore accorder 6 mois" in html
    assert 'name="start"' not in html


@pytest.mark.parametrize(
    "who",
    ["secretariat", "president_elsewhere", "caseworker", "etrangers"],
)
def test_only_the_president_of_the_departement_reaches_the_decision(client, who):
    demande = _waiting()
    departement = demande.commission.departement
    user = {
        "secretariat": lambda: _staff(departement, Role.SECRETARIAT),
        "president_elsewhere": lambda: _president(DepartementFactory()),
        "caseworker": lambda: demande.referent,
        "etrangers": lambda: _staff(departement, Role.ETRANGERS, OrganisationKind.SERVICE_ETRANGERS),
    }[who]()
    client.force_login(user)
    url = reverse("decisions:decider", args=[demande.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": DecisionKind.AUTORISATION}).status_code == 404
    assert not Decision.objects.exists()


def test_a_dossier_already_decided_sends_back_to_the_dossier(client):
    decision = _decided(DecisionKind.REFUS)
    client.force_login(_president(decision.demande.commission.departement))
    response = client.get(reverse("decisions:decider", args=[decision.demande_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("parcours:dossier", args=[decision.demande_id])


# --- downloads -----------------------------------------------------------------------------------


def _letter(decision, kind):
    return Courrier.objects.get(decision=decision, kind=kind)


def test_the_secretariat_downloads_every_letter_as_a_pdf_named_by_reference(client):
    decision = _decided()
    client.force_login(_staff(decision.demande.commission.departement, Role.SECRETARIAT))
    for courrier in Courrier.objects.filter(decision=decision):
        response = client.get(reverse("decisions:courrier", args=[courrier.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert decision.demande.beneficiaire.reference in response["Content-Disposition"]
        assert decision.demande.beneficiaire.last_name not in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert pypdf.PdfReader(io.BytesIO(response.content)).pages


def test_the_accompanying_association_downloads_the_notification_only(client):
    decision = _decided()
    client.force_login(decision.demande.referent)
    assert (
        client.get(reverse("decisions:courrier", args=[_letter(decision, "notification").pk])).status_code
        == 200
    )
    for kind in (CourrierKind.INFORMATION_ETRANGERS, CourrierKind.ATTESTATION_AFIS):
        assert client.get(reverse("decisions:courrier", args=[_letter(decision, kind).pk])).status_code == 404


def test_the_foreigners_service_downloads_the_information_letter_only(client):
    decision = _decided()
    client.force_login(
        _staff(decision.demande.commission.departement, Role.ETRANGERS, OrganisationKind.SERVICE_ETRANGERS)
    )
    url = reverse("decisions:courrier", args=[_letter(decision, CourrierKind.INFORMATION_ETRANGERS).pk])
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("decisions:courrier", args=[_letter(decision, "notification").pk])).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["other_association", "secretariat_elsewhere", "member"])
def test_anyone_else_gets_a_404(client, who):
    decision = _decided()
    departement = decision.demande.commission.departement
    user = {
        "other_association": lambda: UserFactory(
            organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT]
        ),
        "secretariat_elsewhere": lambda: _staff(DepartementFactory(), Role.SECRETARIAT),
        "member": lambda: _staff(departement, Role.MEMBRE, OrganisationKind.SERVICE_ETAT),
    }[who]()
    client.force_login(user)
    assert (
        client.get(reverse("decisions:courrier", args=[_letter(decision, "notification").pk])).status_code
        == 404
    )


def test_a_letter_whose_content_no_longer_matches_its_checksum_is_not_served(client):
    decision = _decided(DecisionKind.REFUS)
    courrier = _letter(decision, "notification")
    Courrier.objects.filter(pk=courrier.pk).update(sha256="0" * 64)
    client.force_login(_staff(decision.demande.commission.departement, Role.SECRETARIAT))
    assert client.get(reverse("decisions:courrier", args=[courrier.pk])).status_code == 404


# --- the decision panel of the dossier page ------------------------------------------------------


def _panel(demande, user):
    request = RequestFactory().get(reverse("parcours:dossier", args=[demande.pk]))
    request.user = user
    return render_to_string("parcours/includes/decision_panel.html", {"demande": demande}, request=request)


def test_the_panel_shows_the_decision_its_letters_the_afis_and_the_permit_to_the_secretariat():
    decision = _decided()
    titre = titres.current(decision.demande.parcours)
    titres.issue(
        titre, number="APS-2026-7", issued_on=today(), valid_until=decision.demande.parcours.current_term_end
    )
    html = _panel(decision.demande, _staff(decision.demande.commission.departement, Role.SECRETARIAT))
    assert "Décision du préfet" in html
    assert "Autorisation d’engagement dans le parcours" in html
    assert "Claire Martin, Préfète" in html
    assert html.count(reverse("decisions:courrier", args=[_letter(decision, "notification").pk])) == 1
    assert "Information du service des étrangers" in html
    assert _letter(decision, "notification").sha256 in html
    assert "343,20\xa0€ par mois" in html
    assert "APS-2026-7" in html
    assert "6 mois sur 24 au plus" in html


def test_the_association_sees_the_permits_state_but_not_its_number_nor_internal_letters():
    decision = _decided()
    titre = titres.current(decision.demande.parcours)
    titres.issue(
        titre, number="APS-2026-8", issued_on=today(), valid_until=decision.demande.parcours.current_term_end
    )
    html = _panel(decision.demande, decision.demande.referent)
    assert "Délivré" in html
    assert "APS-2026-8" not in html
    assert "valable jusqu’au" not in html
    assert "Notification de la décision à la personne" in html
    assert "Information du service des étrangers" not in html
    assert "Attestation pour le versement de l’AFIS" not in html


def test_the_president_is_offered_to_decide_from_the_dossier():
    demande = _waiting()
    html = _panel(demande, _president(demande.commission.departement))
    assert reverse("decisions:decider", args=[demande.pk]) in html
    assert "Prendre la décision" not in _panel(
        demande, _staff(demande.commission.departement, Role.SECRETARIAT)
    )


def test_nothing_shows_on_a_draft():
    demande = DemandeFactory()
    assert "Décision du préfet" not in _panel(demande, demande.referent)


def test_the_panel_reads_a_constant_number_of_queries(django_assert_max_num_queries):
    decision = _decided()
    user = _staff(decision.demande.commission.departement, Role.SECRETARIAT)
    user.roles()
    with django_assert_max_num_queries(6):
        _panel(decision.demande, user)


# --- a session's letters -------------------------------------------------------------------------


def _session_with_decisions(count=2, *, departement=None):
    departement = departement or DepartementFactory()
    seance = SeanceFactory(commission=DemandeFactory(departement=departement).commission)
    decisions = []
    for _ in range(count):
        demande = _waiting(departement=departement)
        PointOrdreDuJourFactory(seance=seance, demande=demande, state=PointState.CLOS)
        decisions.append(
            workflow.decide(
                demande,
                kind=DecisionKind.REFUS,
                signataire=_president(departement),
                signataire_title="Préfète",
                decided_on=today(),
                motifs="Motif.",
            )
        )
    waiting = _waiting(departement=departement)
    PointOrdreDuJourFactory(seance=seance, demande=waiting, state=PointState.CLOS)
    return seance, decisions


def test_the_secretariat_produces_all_the_letters_of_a_session_at_once(
    client, django_capture_on_commit_callbacks
):
    seance, decisions = _session_with_decisions(3)
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    url = reverse("commission:seance_courriers", args=[seance.pk])
    page = client.get(url)
    assert page.context["progress"].total == 3
    assert page.context["progress"].done == 0
    assert page.context["awaiting_decision"] == 1
    assert "Produire tous les courriers de la séance" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    # One letters job per decision (the other callbacks e-mail the notifications the letters give).
    assert sum("enqueue" in callback.__qualname__ for callback in callbacks) == 3
    assert response["Location"] == url
    fragment = client.get(
        reverse("commission:seance_courriers_progression", args=[seance.pk]), HTTP_HX_REQUEST="true"
    )
    html = fragment.content.decode()
    assert fragment.context["progress"].done == 3
    assert "3 / 3" in html
    assert "hx-trigger" not in html  # nothing running: the page stops polling
    assert "Production terminée : 3 sur 3 décisions ont leurs courriers." in html
    assert Courrier.objects.filter(decision__in=decisions).count() == 3


def test_while_jobs_are_awaited_the_fragment_polls_every_two_seconds(client):
    seance, decisions = _session_with_decisions(2)
    ProductionCourriers.objects.update_or_create(
        decision=decisions[0], defaults={"state": ProductionState.EN_COURS, "attempts": 1}
    )
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    html = client.get(reverse("commission:seance_courriers_progression", args=[seance.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert reverse("commission:seance_courriers_progression", args=[seance.pk]) in html


def test_a_failed_job_is_shown_with_a_button_that_launches_it_again(
    client, django_capture_on_commit_callbacks
):
    seance, decisions = _session_with_decisions(1)
    ProductionCourriers.objects.update_or_create(
        decision=decisions[0], defaults={"state": ProductionState.ECHEC, "attempts": 4, "error": "OSError"}
    )
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    page_url = reverse("commission:seance_courriers", args=[seance.pk])
    html = client.get(page_url).content.decode()
    assert "1 production a échoué" in html
    relaunch = reverse("decisions:relancer", args=[decisions[0].pk])
    assert f'action="{relaunch}"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(relaunch, {"next": page_url})
    assert response["Location"] == page_url
    assert ProductionCourriers.objects.get(decision=decisions[0]).state == ProductionState.TERMINEE


def test_the_relaunch_does_not_redirect_outside_the_site(client):
    seance, decisions = _session_with_decisions(1)
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    response = client.post(
        reverse("decisions:relancer", args=[decisions[0].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"].startswith(reverse("parcours:dossier", args=[decisions[0].demande_id]))


@pytest.mark.parametrize("role", [Role.PRESIDENT, Role.MEMBRE])
def test_only_the_secretariat_produces_a_sessions_letters(client, role):
    seance, decisions = _session_with_decisions(1)
    client.force_login(_staff(seance.commission.departement, role))
    assert client.get(reverse("commission:seance_courriers", args=[seance.pk])).status_code == 404
    assert client.post(reverse("commission:seance_courriers", args=[seance.pk])).status_code == 404
    assert client.post(reverse("decisions:relancer", args=[decisions[0].pk])).status_code == 404


def test_the_secretariat_of_another_departement_gets_a_404(client):
    seance, _decisions = _session_with_decisions(1)
    client.force_login(_staff(DepartementFactory(), Role.SECRETARIAT))
    assert client.get(reverse("commission:seance_courriers", args=[seance.pk])).status_code == 404


@pytest.mark.parametrize("count", [2, 12])
def test_the_progress_reads_a_constant_number_of_queries(client, django_assert_max_num_queries, count):
    seance, _decisions = _session_with_decisions(count)
    client.force_login(_staff(seance.commission.departement, Role.SECRETARIAT))
    # the session, its decisions with their jobs, the letters counted, the opinions awaiting a decision,
    # and the request's own (session, user, organisation, roles, savepoints)
    with django_assert_max_num_queries(13):
        client.get(reverse("commission:seance_courriers_progression", args=[seance.pk]))


def test_a_secretariat_role_given_in_the_foreigners_service_opens_only_the_information_letter(client):
    decision = _decided()
    departement = decision.demande.commission.departement
    user = _staff(departement, Role.ETRANGERS, OrganisationKind.SERVICE_ETRANGERS)
    user.groups.add(*UserFactory(roles=[Role.SECRETARIAT, Role.PRESIDENT]).groups.all())
    client.force_login(user)
    assert (
        client.get(reverse("decisions:courrier", args=[_letter(decision, "notification").pk])).status_code
        == 404
    )
    assert client.get(reverse("decisions:decider", args=[decision.demande_id])).status_code == 404
    url = reverse("decisions:courrier", args=[_letter(decision, CourrierKind.INFORMATION_ETRANGERS).pk])
    assert client.get(url).status_code == 200
