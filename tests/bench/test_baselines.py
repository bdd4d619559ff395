"""The benchmark's baselines (bench/urls.py) show the same page of rows as the dossier list,
so that `make bench` compares like with like."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import CourrierKind, DemandeState, DocumentKind, MessageSide, ProductionState
from parcours.models import Demande, Message, Periode, ProductionCourriers, TitreSejourEvenement
from tests.factories import (
    BeneficiaireFactory,
    CourrierFactory,
    DecisionFactory,
    DemandeFactory,
    DepartementFactory,
    DocumentFactory,
    DroitAfisFactory,
    OrganisationFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


@pytest.fixture
def secretariat_client(client):
    departement = DepartementFactory()
    now = timezone.now()
    for number in range(25):
        state = DemandeState.RECEVABLE if number % 3 else DemandeState.DEPOSEE
        demande = DemandeFactory(
            departement=departement,
            beneficiaire=BeneficiaireFactory(
                departement=departement, last_name="Martin" if number % 4 else "Okafor"
            ),
            complete=True,
            state=state,
            submitted_at=now,
        )
        # Changes in an order unlike the creations', as a list's page follows the last change.
        Demande.objects.filter(pk=demande.pk).update(
            last_change_at=now - datetime.timedelta(hours=(number * 7) % 25)
        )
    DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=now)  # another département
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)
    return client


@pytest.mark.parametrize("query", [{}, {"page": 2}, {"etat": DemandeState.RECEVABLE}, {"q": "Okafor"}])
def test_the_bare_view_lists_the_dossier_list_s_page_of_rows(secretariat_client, query):
    ours = [d.pk for d in secretariat_client.get(reverse("parcours:dossiers"), query).context["page"]]
    bare = [row["pk"] for row in secretariat_client.get(reverse("bench_bare_list"), query).context["rows"]]
    assert ours
    assert bare == ours


def test_the_admin_changelist_lists_the_dossier_list_s_first_page(secretariat_client):
    ours = [d.pk for d in secretariat_client.get(reverse("parcours:dossiers")).context["page"]]
    commission = Demande.objects.get(pk=ours[0]).commission
    with override_settings(ROOT_URLCONF="bench.urls"):
        admin = UserFactory(is_staff=True, is_superuser=True)
        secretariat_client.force_login(admin)
        url = reverse("bench_admin:parcours_demande_changelist")
        response = secretariat_client.get(url, {"commission__id__exact": commission.pk})
    assert [d.pk for d in response.context["cl"].result_list] == ours


def test_the_bare_dossier_view_shows_every_row_the_dossier_page_shows(client):
    departement = DepartementFactory()
    parcours = ParcoursFactory(departement=departement)
    demande = DemandeFactory(
        departement=departement,
        beneficiaire=parcours.beneficiaire,
        parcours=parcours,
        complete=True,
        state=DemandeState.ACCEPTEE,
        submitted_at=timezone.now() - datetime.timedelta(days=40),
    )
    decision = DecisionFactory(demande=demande, motifs="Motif singulier de la décision.")
    periode = Periode.objects.get(parcours=parcours, number=1)
    Periode.objects.filter(pk=periode.pk).update(decision=decision)
    DroitAfisFactory(periode=periode)
    ProductionCourriers.objects.create(decision=decision, state=ProductionState.TERMINEE)
    letters = [
        CourrierFactory(decision=decision, kind=kind)
        for kind in (CourrierKind.NOTIFICATION, CourrierKind.INFORMATION_ETRANGERS)
    ]
    current = DocumentFactory(demande=demande, original_name="identite-recente.pdf")
    DocumentFactory(demande=demande, original_name="identite-ancienne.pdf", replaced_by=current)
    DocumentFactory(demande=demande, kind=DocumentKind.ENGAGEMENT, original_name="engagement-signe.pdf")
    for side, body in (
        (MessageSide.ASSOCIATION, "Première question."),
        (MessageSide.SECRETARIAT, "Réponse."),
    ):
        Message.objects.create(demande=demande, author=demande.referent, side=side, body=body)
    titre = TitreSejourFactory(parcours=parcours, delivre=True, number="APS-COURANT")
    for number in ("APS-ANCIEN", "APS-COURANT"):
        TitreSejourEvenement.objects.create(
            titre=titre, transition="issue", to_state=titre.state, number=number, issued_on=titre.issued_on
        )
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)

    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    bare = client.get(reverse("bench_bare_detail", args=[demande.pk])).content.decode()

    shown = [
        demande.beneficiaire.reference,
        demande.association.name,
        demande.formation,
        decision.motifs,
        decision.signataire.last_name,
        "identite-recente.pdf",
        "identite-ancienne.pdf",
        "engagement-signe.pdf",
        "Première question.",
        "Réponse.",
        "APS-COURANT",
        "APS-ANCIEN",
        *(letter.sha256 for letter in letters),
        *(objectif.objectives for objectif in demande.objectifs.all()),
    ]
    assert [text for text in shown if text not in page] == []
    assert [text for text in shown if text not in bare] == []


@pytest.mark.parametrize("view", ["bench_bare_detail", "bench_bare_row"])
def test_the_bare_dossier_views_keep_to_the_user_s_departement(secretariat_client, view):
    own = secretariat_client.get(reverse("bench_bare_list")).context["rows"][0]
    other = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    response = secretariat_client.get(reverse(view, args=[own["pk"]]))
    assert response.status_code == 200
    assert own["beneficiaire__reference"] in response.content.decode()
    assert secretariat_client.get(reverse(view, args=[other.pk])).status_code == 404
