"""The home page: what each role has to do today, behind login, in a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from tests.factories import (
    PASSWORD,
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_by_email_whatever_its_case_reaches_the_home_page(client):
    user = UserFactory(email="agent.secretariat@example.org", roles=[Role.SECRETARIAT])
    response = client.post(
        reverse("login"), {"username": "Agent.Secretariat@Example.org", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == user
    assert "À faire aujourd’hui" in response.content.decode()


def test_wrong_password_is_answered_in_french_and_keeps_the_email(client):
    UserFactory(email="agent@example.org")
    response = client.post(reverse("login"), {"username": "agent@example.org", "password": "pas-le-bon"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in html
    assert 'value="agent@example.org"' in html


def test_login_page_has_skip_links_header_and_french_language(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="fr"' in html
    assert 'href="#contenu"' in html
    assert 'class="fr-header"' in html
    assert "<h1>Connexion</h1>" in html


def test_user_without_role_is_told_to_ask_the_secretariat(client):
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert "Aucun rôle ne vous est attribué" in html


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def test_secretariat_sees_submitted_dossiers_to_check_oldest_first(client):
    departement = DepartementFactory()
    older = DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=9),
    )
    newer = DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    DemandeFactory(departement=departement)  # a draft: not the secretariat's
    client.force_login(_secretariat(departement))
    response = client.get(reverse("home"))
    section = next(s for s in response.context["sections"] if s.key == "a_instruire")
    assert section.rows == [older, newer]
    assert "déposée il y a 1\xa0semaine" in response.content.decode()


def test_caseworker_sees_drafts_and_complements_of_own_association_only(client):
    departement = DepartementFactory()
    association = AssociationFactory(departement=departement)
    mine = DemandeFactory(departement=departement, association=association)
    complement = DemandeFactory(
        departement=departement,
        association=association,
        complete=True,
        state=DemandeState.COMPLEMENT_DEMANDE,
        submitted_at=timezone.now(),
    )
    DemandeFactory(departement=departement)  # another association's draft
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    sections = {s.key: s for s in client.get(reverse("home")).context["sections"]}
    assert sections["brouillons"].rows == [mine]
    assert sections["complements"].rows == [complement]


def test_president_sees_opinions_awaiting_decision(client):
    departement = DepartementFactory()
    waiting = DemandeFactory(departement=departement, avis_rendu=True)
    president = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.PRESIDENT],
    )
    client.force_login(president)
    sections = {s.key: s for s in client.get(reverse("home")).context["sections"]}
    assert sections["a_decider"].rows == [waiting]


@pytest.mark.parametrize("rows", [5, 50])
def test_home_page_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    departement = DepartementFactory()
    association = AssociationFactory(departement=departement)
    for _ in range(rows):
        DemandeFactory(
            departement=departement,
            association=association,
            complete=True,
            state=DemandeState.DEPOSEE,
            submitted_at=timezone.now(),
        )
    user = _secretariat(departement)
    user.groups.add(*UserFactory(roles=[Role.PRESIDENT, Role.MEMBRE]).groups.all())
    client.force_login(user)
    # 2 of them log the persons shown: the access log's chain head (its lock and last hash), one INSERT;
    # 3 for "mes dossiers" and "non attribués": their rows, and the count beyond ten; + 1 the header's
    # unread notifications.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    section = next(s for s in response.context["sections"] if s.key == "a_instruire")
    assert section.total == rows
    assert len(section.rows) == min(rows, 10)
