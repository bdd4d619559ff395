"""The secretariat's inbox: the submitted dossiers to check, oldest first, with how long each has waited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from parcours.instruction import LONG_WAIT_DAYS
from parcours.workflow import demandes as workflow
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("parcours:inbox")


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def _days_ago(days):
    """Noon, `days` days ago: the count of days waited does not depend on the hour the test runs."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _submitted(departement, days_ago=1, **kwargs):
    return DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=_days_ago(days_ago),
        **kwargs,
    )


def test_secretariat_sees_submitted_dossiers_oldest_first_with_days_waited(client):
    departement = DepartementFactory()
    newer = _submitted(departement, days_ago=2)
    older = _submitted(departement, days_ago=9)
    client.force_login(_secretariat(departement))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert [row.demande for row in response.context["rows"]] == [older, newer]
    assert html.index(older.beneficiaire.reference) < html.index(newer.beneficiaire.reference)
    assert "9 jours" in html
    assert "2 jours" in html
    assert older.association.name in html
    assert reverse("parcours:instruction", args=[older.pk]) in html


def test_inbox_holds_only_the_submitted_dossiers_of_the_secretariats_departement(client):
    departement = DepartementFactory()
    waiting = _submitted(departement)
    DemandeFactory(departement=departement)  # a draft stays the association's
    DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.COMPLEMENT_DEMANDE,
        submitted_at=_days_ago(3),
    )
    DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.RECEVABLE,
        submitted_at=_days_ago(5),
        admissible_at=_days_ago(1),
    )
    elsewhere = _submitted(DepartementFactory())
    client.force_login(_secretariat(departement))
    response = client.get(URL)
    assert [row.demande for row in response.context["rows"]] == [waiting]
    assert elsewhere.beneficiaire.reference not in response.content.decode()


def test_a_long_wait_is_highlighted_and_a_short_one_is_not(client):
    departement = DepartementFactory()
    long_wait = _submitted(departement, days_ago=LONG_WAIT_DAYS + 1)
    short_wait = _submitted(departement, days_ago=LONG_WAIT_DAYS)
    client.force_login(_secretariat(departement))
    response = client.get(URL)
    rows = {row.demande: row for row in response.context["rows"]}
    assert rows[long_wait].long_wait is True
    assert rows[short_wait].long_wait is False
    html = response.content.decode()
    assert html.count("(attente longue)") == 1
    assert f'<span class="fr-badge fr-badge--warning">{LONG_WAIT_DAYS + 1} jours</span>' in html


def test_a_dossier_whose_person_probably_already_has_one_through_another_association_is_flagged(client):
    departement = DepartementFactory()
    birth = datetime.date(1995, 3, 14)
    earlier = _submitted(
        departement,
        days_ago=200,
        beneficiaire=BeneficiaireFactory(
            departement=departement, last_name="Okonkwo", first_names="Blessing", birth_date=birth
        ),
    )
    workflow.mark_admissible(earlier, user=UserFactory())
    duplicate = _submitted(
        departement,
        association=AssociationFactory(departement=departement),
        beneficiaire=BeneficiaireFactory(
            departement=departement, last_name="OKONKWO", first_names="Blèssing", birth_date=birth
        ),
    )
    alone = _submitted(departement)
    client.force_login(_secretariat(departement))
    response = client.get(URL)
    flags = {row.demande: row.demande.has_probable_duplicate for row in response.context["rows"]}
    assert flags == {duplicate: True, alone: False}
    assert response.content.decode().count("Doublon probable") == 1


def test_a_resubmitted_dossier_shows_when_it_was_completed(client):
    departement = DepartementFactory()
    demande = _submitted(departement, days_ago=10)
    secretariat = _secretariat(departement)
    workflow.request_complement(demande, user=secretariat, message="Joignez l’engagement signé.")
    workflow.resubmit(demande, user=demande.referent)
    client.force_login(secretariat)
    html = client.get(URL).content.decode()
    today = timezone.localdate()
    assert "10 jours" in html  # the wait counts from the first filing
    assert f"complétée le {today.day}" in html


def test_an_empty_inbox_says_no_dossier_is_waiting(client):
    client.force_login(_secretariat(DepartementFactory()))
    assert "Aucun dossier n’attend d’instruction." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("organisation_kind", "roles"),
    [
        (OrganisationKind.ASSOCIATION, [Role.REFERENT]),
        (OrganisationKind.SECRETARIAT, [Role.PRESIDENT]),
        (OrganisationKind.SERVICE_ETAT, [Role.MEMBRE]),
        (OrganisationKind.SERVICE_ETRANGERS, [Role.ETRANGERS]),
        (OrganisationKind.SERVICE_ETRANGERS, [Role.SECRETARIAT]),
        (OrganisationKind.SECRETARIAT, []),
    ],
)
def test_only_the_secretariat_reaches_the_inbox(client, organisation_kind, roles):
    departement = DepartementFactory()
    _submitted(departement)
    organisation = OrganisationFactory(kind=organisation_kind, departement=departement)
    client.force_login(UserFactory(organisation=organisation, roles=roles))
    assert client.get(URL).status_code == 404


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [5, 50])
def test_inbox_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    departement = DepartementFactory()
    association = AssociationFactory(departement=departement)
    for days in range(rows):
        _submitted(departement, days_ago=days, association=association)
    client.force_login(_secretariat(departement))
    # Session, user, savepoints, the user's groups and organisation, then one query for all the rows;
    # the access log's chain head (its lock and last hash) before its one INSERT.
    # + 1: the header's count of unread notifications
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert len(response.context["rows"]) == rows
