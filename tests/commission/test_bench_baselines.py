"""The benchmark's baselines (commission/bench/urls.py) show the same page of rows as the dossier list,
so that `make bench` compares like with like."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from parcours.models import Demande
from tests.factories import (
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("commission.bench.urls")]


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
    with override_settings(ROOT_URLCONF="commission.bench.urls"):
        admin = UserFactory(is_staff=True, is_superuser=True)
        secretariat_client.force_login(admin)
        url = reverse("bench_admin:parcours_demande_changelist")
        response = secretariat_client.get(url, {"commission__id__exact": commission.pk})
    assert [d.pk for d in response.context["cl"].result_list] == ours
