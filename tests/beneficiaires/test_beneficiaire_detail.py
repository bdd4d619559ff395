"""A person's page: identity, situation, accompaniment, applications, pathway, permit, documents and
deadlines, for the association that accompanies the person and the prefecture once a dossier is filed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState, DocumentKind, ParcoursEndReason
from tests.factories import (
    AccompagnementFactory,
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DocumentFactory,
    OrganisationFactory,
    ParcoursFactory,
    PeriodeFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(person):
    return reverse("beneficiaires:detail", args=[person.pk])


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    user = UserFactory(organisation=association, roles=[Role.REFERENT])
    client.force_login(user)
    return user


def secretariat_of(departement, role=Role.SECRETARIAT):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[role],
    )


def test_caseworker_sees_identity_situation_and_accompaniment(client, association, caseworker):
    person = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        accompagnement__referent=caseworker,
        last_name="Okafor",
        first_names="Adaeze",
        birth_date=datetime.date(1996, 4, 12),
        dependent_children=2,
    )
    html = client.get(url(person)).content.decode()
    assert '<h1 class="fr-mb-1w">OKAFOR Adaeze</h1>' in html
    assert person.reference in html
    assert "12 avril 1996" in html
    assert "Nigeria" in html
    assert association.name in html
    assert str(caseworker) in html
    assert "Modifier la fiche" in html
    assert reverse("parcours:demande_create", args=[person.pk]) in html


def test_applications_pathway_permit_documents_and_deadlines_are_shown(client, association, caseworker):
    demande = DemandeFactory(
        departement=association.departement,
        association=association,
        complete=True,
        state=DemandeState.ACCEPTEE,
        submitted_at=timezone.now(),
    )
    person = demande.beneficiaire
    parcours = ParcoursFactory(beneficiaire=person, periodes=2)
    TitreSejourFactory(parcours=parcours, delivre=True)
    document = DocumentFactory(demande=demande, kind=DocumentKind.ENGAGEMENT, original_name="engagement.pdf")
    replaced = DocumentFactory(demande=demande, original_name="ancienne-version.pdf")
    replaced.replaced_by = DocumentFactory(demande=demande, original_name="nouvelle-version.pdf")
    replaced.save()
    html = client.get(url(person)).content.decode()
    assert reverse("parcours:dossier", args=[demande.pk]) in html
    assert "Décision favorable" in html
    assert "Parcours commencé le" in html
    assert html.count('<th scope="row">2</th>') == 1  # the second term
    assert "Délivré" in html
    assert reverse("parcours:document_download", args=[document.pk]) in html
    assert "engagement.pdf" in html
    assert "nouvelle-version.pdf" in html
    assert "ancienne-version.pdf" not in html
    parcours.refresh_from_db()
    deadlines = client.get(url(person)).context["deadlines"]
    assert [d["on"] for d in deadlines] == [parcours.current_term_end, parcours.current_term_end]
    assert "Fin de validité de l’autorisation provisoire de séjour" in html


def test_ended_pathway_shows_its_reason_and_no_deadline(client, association, caseworker):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    ParcoursFactory(beneficiaire=person, termine=True, end_reason=ParcoursEndReason.PLAFOND)
    response = client.get(url(person))
    html = response.content.decode()
    assert "Durée maximale du parcours atteinte" in html
    assert response.context["deadlines"] == []
    assert "Aucune échéance en cours." in html
    assert "Terminé le" in html


def test_accompaniment_history_lists_the_former_association(client, association, caseworker):
    person = BeneficiaireFactory(departement=association.departement)
    former = AssociationFactory(departement=association.departement)
    AccompagnementFactory(
        beneficiaire=person,
        association=former,
        chosen_on=datetime.date(2025, 1, 6),
        start=datetime.date(2025, 1, 6),
        end=datetime.date(2025, 9, 30),
        end_reason="choix",
    )
    AccompagnementFactory(beneficiaire=person, association=association)
    html = client.get(url(person)).content.decode()
    assert former.name in html
    assert "30 septembre 2025" in html
    assert "Choix de la personne de changer d’association" in html


def test_another_associations_person_is_not_found(client, association, caseworker):
    stranger = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=AssociationFactory(departement=association.departement),
    )
    assert client.get(url(stranger)).status_code == 404
    assert client.get(reverse("beneficiaires:detail", args=[987654])).status_code == 404


def test_secretariat_sees_a_person_with_a_submitted_dossier_but_not_the_drafts(client):
    submitted = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    person = submitted.beneficiaire
    client.force_login(secretariat_of(person.departement))
    response = client.get(url(person))
    assert response.status_code == 200
    assert response.context["demandes"] == [submitted]
    assert "Modifier la fiche" not in response.content.decode()
    draft_only = DemandeFactory(departement=person.departement)
    assert client.get(url(draft_only.beneficiaire)).status_code == 404


def test_secretariat_of_another_departement_and_members_see_nothing(client):
    submitted = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    client.force_login(secretariat_of(OrganisationFactory().departement))
    assert client.get(url(submitted.beneficiaire)).status_code == 404
    client.force_login(UserFactory(roles=[Role.MEMBRE]))
    assert client.get(url(submitted.beneficiaire)).status_code == 404


def test_name_with_html_is_shown_escaped(client, association, caseworker):
    person = BeneficiaireFactory(
        departement=association.departement,
        accompagnement=association,
        first_names='<img src=x onerror="alert(1)">',
        address="<b>rue</b>",
    )
    html = client.get(url(person)).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;rue&lt;/b&gt;" in html


@pytest.mark.parametrize("terms", [1, 4])
def test_page_query_count_does_not_grow_with_history(
    client, association, caseworker, django_assert_max_num_queries, terms
):
    demande = DemandeFactory(
        departement=association.departement,
        association=association,
        complete=True,
        state=DemandeState.ACCEPTEE,
    )
    parcours = ParcoursFactory(beneficiaire=demande.beneficiaire, periodes=1)
    for _ in range(terms - 1):
        PeriodeFactory(parcours=parcours)
        TitreSejourFactory(parcours=parcours)
        DocumentFactory(demande=demande)
    # 2 of them log the read: the access log's chain head (its lock and last hash) and the INSERT.
    # One more reads the association's approvals, for the notice every page gives when one lapsed.
    # + 1: the header's count of unread notifications
    with django_assert_max_num_queries(20):
        response = client.get(url(demande.beneficiaire))
    assert response.status_code == 200
