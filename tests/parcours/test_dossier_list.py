"""The list of dossiers: a caseworker's association's, the secretariat's submitted ones; search,
filters, pagination and a number of queries that does not grow with rows."""

import datetime
import time
from html.parser import HTMLParser
from unittest import mock

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeKind, DemandeState
from parcours.filters import REFERENT_CHOICES_SECONDS, SelectWidget
from parcours.models import Demande
from parcours.workflow import demandes as workflow
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeEvenementFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("parcours:dossiers")


def listed(response):
    return list(response.context["page"].object_list)


def submitted(**kwargs):
    return DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now(), **kwargs)


def secretariat_of(departement, role=Role.SECRETARIAT):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[role],
    )


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    user = UserFactory(organisation=association, roles=[Role.REFERENT])
    client.force_login(user)
    return user


def test_caseworker_sees_own_associations_dossiers_drafts_included(client, association, caseworker):
    draft = DemandeFactory(departement=association.departement, association=association)
    filed = submitted(departement=association.departement, association=association)
    submitted(departement=association.departement)  # another association's
    response = client.get(URL)
    assert set(listed(response)) == {draft, filed}
    html = response.content.decode()
    assert reverse("parcours:dossier", args=[filed.pk]) in html
    assert '<th scope="col">Association</th>' not in html


def test_secretariat_sees_submitted_dossiers_of_its_commission_not_drafts(client):
    departement = DepartementFactory()
    filed = submitted(departement=departement)
    DemandeFactory(departement=departement)  # a draft
    submitted()  # another département
    client.force_login(secretariat_of(departement))
    response = client.get(URL)
    assert listed(response) == [filed]
    html = response.content.decode()
    assert '<th scope="col">Association</th>' in html
    assert filed.association.name in html
    assert '<option value="brouillon"' not in html  # no filter on what it cannot see


def test_president_sees_as_the_secretariat(client):
    filed = submitted()
    client.force_login(secretariat_of(filed.commission.departement, Role.PRESIDENT))
    assert listed(client.get(URL)) == [filed]


@pytest.mark.parametrize("role", [Role.MEMBRE, Role.ETRANGERS])
def test_members_and_foreigners_service_see_no_dossier(client, role):
    filed = submitted()
    kind = OrganisationKind.SERVICE_ETRANGERS if role == Role.ETRANGERS else OrganisationKind.SERVICE_ETAT
    client.force_login(
        UserFactory(
            organisation=OrganisationFactory(kind=kind, departement=filed.commission.departement),
            roles=[role],
        )
    )
    response = client.get(URL)
    assert listed(response) == []
    assert "Aucun dossier pour le moment." in response.content.decode()


@pytest.mark.parametrize("typed", ["nwachukwu", "NWÂCHUKWU", "chïoma"])
def test_search_by_name_ignores_accents_and_case(client, association, caseworker, typed):
    wanted = DemandeFactory(
        beneficiaire=BeneficiaireFactory(
            departement=association.departement, last_name="Nwachukwu", first_names="Chioma"
        ),
        association=association,
    )
    DemandeFactory(departement=association.departement, association=association)
    assert listed(client.get(URL, {"q": typed})) == [wanted]


def test_search_by_reference(client, association, caseworker):
    wanted = DemandeFactory(departement=association.departement, association=association)
    DemandeFactory(departement=association.departement, association=association)
    assert listed(client.get(URL, {"q": wanted.beneficiaire.reference})) == [wanted]


def test_filter_by_state(client, association, caseworker):
    DemandeFactory(departement=association.departement, association=association)
    filed = submitted(departement=association.departement, association=association)
    assert listed(client.get(URL, {"etat": DemandeState.DEPOSEE})) == [filed]


def test_filter_by_term_ending_soon(client, association, caseworker):
    today = timezone.localdate()
    renewal = DemandeFactory(
        departement=association.departement, association=association, kind=DemandeKind.RENOUVELLEMENT
    )
    renewal.parcours.current_term_end = today + datetime.timedelta(days=25)
    renewal.parcours.save()
    DemandeFactory(departement=association.departement, association=association)
    response = client.get(URL, {"echeance": 30})
    assert listed(response) == [renewal]
    assert (today + datetime.timedelta(days=25)).strftime("%Y") in response.content.decode()


def test_filter_by_caseworker(client, association, caseworker):
    mine = DemandeFactory(departement=association.departement, association=association, referent=caseworker)
    DemandeFactory(departement=association.departement, association=association)
    assert listed(client.get(URL, {"referent": caseworker.pk})) == [mine]


def test_a_caseworker_new_on_a_dossier_joins_the_secretariat_s_menu_within_minutes(client):
    departement = DepartementFactory()
    former = UserFactory(roles=[Role.REFERENT])
    filed = submitted(departement=departement, referent=former)
    client.force_login(secretariat_of(departement))

    def menu():
        return [value for value, _label in client.get(URL).context["form"].fields["referent"].choices]

    assert menu() == ["", former.pk]
    newcomer = UserFactory(roles=[Role.REFERENT])
    Demande.objects.filter(pk=filed.pk).update(referent=newcomer)
    assert menu() == ["", former.pk]  # kept for a few minutes…
    later = time.time() + REFERENT_CHOICES_SECONDS + 1
    with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later):
        assert menu() == ["", newcomer.pk]  # … then read again


def test_last_change_is_the_latest_transition(client, association, caseworker):
    filed = submitted(departement=association.departement, association=association)
    when = timezone.now() - datetime.timedelta(days=3)
    DemandeEvenementFactory(demande=filed, at=when)
    assert listed(client.get(URL))[0].last_change_at == when


def test_a_transition_brings_the_dossier_to_the_top(client, association, caseworker):
    """The workflow's event sets Demande.last_change_at, which the list sorts on."""
    older = submitted(departement=association.departement, association=association)
    newer = submitted(departement=association.departement, association=association)
    Demande.objects.filter(pk=older.pk).update(last_change_at=timezone.now() - datetime.timedelta(days=9))
    Demande.objects.filter(pk=newer.pk).update(last_change_at=timezone.now() - datetime.timedelta(days=2))
    assert listed(client.get(URL)) == [newer, older]
    workflow.withdraw(older, user=caseworker, on=timezone.localdate(), reason="Fin de l’accompagnement.")
    older.refresh_from_db()
    assert timezone.now() - older.last_change_at < datetime.timedelta(minutes=1)
    assert listed(client.get(URL)) == [older, newer]


def _parsed(html):
    """Tags with their attributes (in any order) and texts: what a browser makes of the HTML."""
    parts = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            parts.append((tag, sorted(attrs)))

        def handle_endtag(self, tag):
            parts.append(("/" + tag,))

        def handle_data(self, data):
            if data.strip():
                parts.append(data.strip())

    Parser().feed(html)
    return parts


def test_the_filter_selects_render_as_django_s_own_select():
    """SelectWidget writes in Python what Django's template renders: same options, same selection."""
    choices = [("", "Tous"), ("a", "Ajournée <b>"), ("b", "B")]
    attrs = {"id": "id_etat", "class": "fr-select"}
    ours = SelectWidget(choices=choices).render("etat", "a", attrs=attrs)
    assert _parsed(ours) == _parsed(forms.Select(choices=choices).render("etat", "a", attrs=attrs))
    assert '<option value="a" selected>Ajournée &lt;b&gt;</option>' in ours
    grouped = [("Groupe <i>", [("a", "A")]), ("b", "B")]
    ours = SelectWidget(choices=grouped).render("g", "b")
    assert _parsed(ours) == _parsed(forms.Select(choices=grouped).render("g", "b"))
    assert '<optgroup label="Groupe &lt;i&gt;">' in ours


def test_the_filters_show_what_was_chosen_labelled_and_escaped(client, association, caseworker):
    html = client.get(URL, {"etat": DemandeState.RECEVABLE, "q": "O'Brien <b>"}).content.decode()
    assert (
        f'<option value="{DemandeState.RECEVABLE}" selected>{DemandeState.RECEVABLE.label}</option>' in html
    )
    assert html.count(" selected>") == 4  # the state chosen, and "all" in the three menus left alone
    assert 'value="O&#x27;Brien &lt;b&gt;"' in html
    for name in ("q", "etat", "echeance", "referent", "attribution"):
        assert f'<label class="fr-label" for="id_{name}">' in html
        assert f'id="id_{name}"' in html


def test_invalid_filters_are_answered_in_french_and_the_list_still_shows(client, association, caseworker):
    filed = DemandeFactory(departement=association.departement, association=association)
    response = client.get(URL, {"etat": "inconnu", "echeance": "7", "referent": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez un état de la liste." in html
    assert "Choisissez une échéance de la liste." in html
    assert "Choisissez un·e référent·e de la liste." in html
    assert listed(response) == [filed]


def test_person_name_with_html_is_shown_escaped(client, association, caseworker):
    DemandeFactory(
        beneficiaire=BeneficiaireFactory(departement=association.departement, first_names="<b>Gras</b>"),
        association=association,
    )
    html = client.get(URL).content.decode()
    assert "<b>Gras</b>" not in html
    assert "&lt;b&gt;Gras&lt;/b&gt;" in html


def test_pages_of_twenty_keep_the_filters_and_mark_the_current_page(client, association, caseworker):
    for _ in range(21):
        DemandeFactory(departement=association.departement, association=association)
    response = client.get(URL, {"etat": DemandeState.BROUILLON, "page": "2"})
    assert len(listed(response)) == 1
    html = response.content.decode()
    assert 'aria-current="page"' in html
    assert 'href="?etat=brouillon&amp;page=1"' in html
    assert 'aria-label="Pagination"' in html
    assert client.get(URL, {"page": "99"}).context["page"].number == 2
    assert client.get(URL, {"page": "deux"}).context["page"].number == 1


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("who", ["caseworker", "secretariat"])
def test_query_count_does_not_grow_with_rows(client, association, django_assert_max_num_queries, rows, who):
    caseworker = UserFactory(organisation=association, roles=[Role.REFERENT])
    for _ in range(rows):
        demande = submitted(
            beneficiaire=BeneficiaireFactory(departement=association.departement, last_name="Okafor"),
            association=association,
            referent=caseworker,
        )
        DemandeEvenementFactory(demande=demande)
        parcours = ParcoursFactory(beneficiaire=demande.beneficiaire)
        parcours.current_term_end = timezone.localdate() + datetime.timedelta(days=60)
        parcours.save()
    client.force_login(caseworker if who == "caseworker" else secretariat_of(association.departement))
    filters = {"q": "okafor", "etat": DemandeState.DEPOSEE, "echeance": 90, "referent": caseworker.pk}
    for query in ({}, filters):
        # Session, user, organisation, roles, the caseworker filtered on, count, rows with their columns,
        # the caseworkers offered, the session saved, savepoints: the same at 5 and 50 rows; + 1 the
        # header's unread notifications, + 1 for a caseworker the association's approvals (the notice
        # of a lapsed one).
        with django_assert_max_num_queries(16 if who == "caseworker" else 15):
            response = client.get(URL, query)
        assert response.context["page"].paginator.count == rows
        assert len(listed(response)) == min(rows, 20)
