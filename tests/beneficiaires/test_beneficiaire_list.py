"""The list of the persons an association accompanies: scope, search, filters, pagination, queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("beneficiaires:list")


def caseworker_of(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT])


def person(association, **kwargs):
    return BeneficiaireFactory(departement=association.departement, accompagnement=association, **kwargs)


def listed(response):
    return list(response.context["page"].object_list)


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    user = caseworker_of(association)
    client.force_login(user)
    return user


def test_caseworker_sees_only_the_persons_of_own_association(client, association, caseworker):
    mine = person(association)
    neighbour = AssociationFactory(departement=association.departement)
    person(neighbour)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [mine]
    assert "Nouvelle personne" in response.content.decode()


def test_person_who_left_for_another_association_is_no_longer_listed(client, association, caseworker):
    gone = person(association)
    current = gone.accompagnements.get()
    current.end = timezone.localdate()
    current.end_reason = "choix"
    current.save()
    assert listed(client.get(URL)) == []


def test_secretariat_lists_persons_with_a_submitted_dossier_but_cannot_create(client):
    departement = DepartementFactory()
    submitted = DemandeFactory(
        departement=departement, complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now()
    )
    DemandeFactory(departement=departement)  # a draft: the association's alone
    DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())  # elsewhere
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)
    response = client.get(URL)
    assert listed(response) == [submitted.beneficiaire]
    assert "Nouvelle personne" not in response.content.decode()


def test_member_of_the_commission_sees_nobody(client, association):
    person(association)
    client.force_login(UserFactory(roles=[Role.MEMBRE]))
    response = client.get(URL)
    assert listed(response) == []
    assert "Aucune personne n’est encore enregistrée." in response.content.decode()


@pytest.mark.parametrize("typed", ["ADAÉZE", "adaeze", "Adaezé okafor", "OKÂFOR"])
def test_search_by_name_ignores_accents_and_case(client, association, caseworker, typed):
    wanted = person(association, last_name="Okafor", first_names="Adaèze")
    person(association, last_name="Martin", first_names="Claire")
    assert listed(client.get(URL, {"q": typed})) == [wanted]


def test_search_by_reference_or_part_of_it(client, association, caseworker):
    wanted, other = person(association), person(association)
    assert listed(client.get(URL, {"q": wanted.reference})) == [wanted]
    assert listed(client.get(URL, {"q": wanted.reference.lower()})) == [wanted]
    assert other not in listed(client.get(URL, {"q": wanted.reference[-4:]}))


def test_search_without_match_says_so_and_offers_to_clear(client, association, caseworker):
    person(association, last_name="Okafor")
    html = client.get(URL, {"q": "Introuvable"}).content.decode()
    assert "Aucune personne ne correspond à votre recherche." in html
    assert "Effacer la recherche et les filtres" in html
    assert 'value="Introuvable"' in html


def test_filter_by_state_of_the_latest_dossier(client, association, caseworker):
    complement = DemandeFactory(
        departement=association.departement,
        association=association,
        complete=True,
        state=DemandeState.COMPLEMENT_DEMANDE,
        submitted_at=timezone.now(),
    )
    DemandeFactory(departement=association.departement, association=association)  # a draft
    person(association)  # no dossier yet
    response = client.get(URL, {"etat": DemandeState.COMPLEMENT_DEMANDE})
    assert listed(response) == [complement.beneficiaire]


def test_filter_by_term_ending_soon(client, association, caseworker):
    today = timezone.localdate()
    soon = ParcoursFactory(beneficiaire=person(association))
    soon.current_term_end = today + datetime.timedelta(days=20)
    soon.save()
    later = ParcoursFactory(beneficiaire=person(association))
    later.current_term_end = today + datetime.timedelta(days=80)
    later.save()
    assert listed(client.get(URL, {"echeance": 30})) == [soon.beneficiaire]
    assert set(listed(client.get(URL, {"echeance": 90}))) == {soon.beneficiaire, later.beneficiaire}


def test_filter_by_caseworker(client, association, caseworker):
    mine = person(association, accompagnement__referent=caseworker)
    colleague = caseworker_of(association)
    theirs = person(association, accompagnement__referent=colleague)
    assert listed(client.get(URL, {"referent": caseworker.pk})) == [mine]
    assert listed(client.get(URL, {"referent": colleague.pk})) == [theirs]


def test_caseworker_of_another_association_is_not_a_valid_filter(client, association, caseworker):
    mine = person(association)
    stranger = caseworker_of(AssociationFactory(departement=association.departement))
    response = client.get(URL, {"referent": stranger.pk, "q": mine.last_name})
    html = response.content.decode()
    assert "Choisissez un·e référent·e de la liste." in html
    assert stranger.last_name not in html
    assert listed(response) == [mine]  # the invalid filter is ignored, the search still applies


def test_unknown_state_is_answered_in_french_not_with_an_error(client, association, caseworker):
    person(association)
    response = client.get(URL, {"etat": "<script>"})
    assert response.status_code == 200
    assert "Choisissez un état de la liste." in response.content.decode()


def test_name_with_html_is_shown_escaped(client, association, caseworker):
    person(association, last_name="<script>alert(1)</script>")
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;" in html


def test_twenty_persons_a_page_and_page_links_keep_the_search(client, association, caseworker):
    for _ in range(45):
        person(association, last_name="Okafor")
    response = client.get(URL, {"q": "okafor", "page": 2})
    page = response.context["page"]
    assert (page.number, page.paginator.num_pages, len(page.object_list)) == (2, 3, 20)
    html = response.content.decode()
    assert 'aria-current="page"' in html
    assert 'href="?q=okafor&amp;page=3"' in html
    assert 'href="?q=okafor&amp;page=1"' in html


@pytest.mark.parametrize("page, expected", [("999", 3), ("abc", 1), ("-1", 3), ("", 1)])
def test_page_out_of_range_or_not_a_number_shows_a_page_not_an_error(
    client, association, caseworker, page, expected
):
    for _ in range(41):
        person(association)
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == expected


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow_with_rows(
    client, association, caseworker, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        demande = DemandeFactory(
            beneficiaire=person(association, last_name="Okafor", accompagnement__referent=caseworker),
            association=association,
            complete=True,
            state=DemandeState.DEPOSEE,
            submitted_at=timezone.now(),
        )
        parcours = ParcoursFactory(beneficiaire=demande.beneficiaire)
        parcours.current_term_end = timezone.localdate() + datetime.timedelta(days=60)
        parcours.save()
    filters = {"q": "okafor", "etat": DemandeState.DEPOSEE, "echeance": 90, "referent": caseworker.pk}
    for query in ({}, filters):
        # Session, user, organisation, roles, count, caseworkers, rows, then one query per column
        # prefetched (caseworker, dossier, pathway), the session saved, and savepoints; + 1 the
        # association's approvals (the notice of a lapsed one), + 1 the header's unread notifications.
        with django_assert_max_num_queries(19):
            response = client.get(URL, query)
        assert len(listed(response)) == min(rows, 20)
