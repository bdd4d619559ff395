"""A checklist means complete: the required documents of an initial application (identity document,
signed commitment) must be attached before the dossier is filed, and the dossier page never says
« complet » while one is missing."""

import pytest
from django.urls import reverse

from commission.enums import Role
from commission.transitions import WorkflowError
from parcours import instruction
from parcours.enums import DemandeKind, DemandeState, DocumentKind
from parcours.workflow import demandes as workflow
from tests.factories import AssociationFactory, DemandeFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    return client


def _draft(association, **kwargs):
    """An initial application whose every part is filled; documents only as given."""
    return DemandeFactory(
        association=association, departement=association.departement, complete=True, **kwargs
    )


def _text(response):
    return " ".join(response.content.decode().split())


def test_filing_is_refused_while_a_required_document_is_missing_and_the_message_names_it(association):
    demande = _draft(association, pieces=False)
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)

    with pytest.raises(WorkflowError) as refused:
        workflow.submit(demande, user=demande.referent)

    assert "Engagement signé de la personne" in refused.value.message
    assert "Pièce d’identité" not in refused.value.message
    assert "document_engagement" in refused.value.details
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON


def test_filing_without_any_document_lists_both_required_documents(association):
    demande = _draft(association, pieces=False)

    with pytest.raises(WorkflowError) as refused:
        workflow.submit(demande, user=demande.referent)

    assert "Pièce d’identité, Engagement signé de la personne" in refused.value.message


def test_a_document_of_another_kind_does_not_stand_for_a_required_one(association):
    demande = _draft(association, pieces=False)
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)
    DocumentFactory(demande=demande, kind=DocumentKind.AUTRE)

    with pytest.raises(WorkflowError):
        workflow.submit(demande, user=demande.referent)


def test_filing_goes_through_once_every_required_document_is_attached(association):
    demande = _draft(association, pieces=False)
    for kind in (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT):
        DocumentFactory(demande=demande, kind=kind)

    workflow.submit(demande, user=demande.referent)

    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE


def test_refiling_after_a_complement_also_needs_the_required_documents(association):
    demande = _draft(association, pieces=False, state=DemandeState.COMPLEMENT_DEMANDE)
    DocumentFactory(demande=demande, kind=DocumentKind.ENGAGEMENT)

    with pytest.raises(WorkflowError) as refused:
        workflow.resubmit(demande, user=demande.referent)

    assert "Pièce d’identité" in refused.value.message


def test_a_renewal_requires_no_document(association):
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        kind=DemandeKind.RENOUVELLEMENT,
        pieces=False,
    )
    assert "document_identite" not in demande.missing_parts()
    assert not demande.missing_documents()


def test_the_secretariat_checklist_and_the_filing_rule_agree(association):
    demande = _draft(association, pieces=False)
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)

    groups = instruction.checklist(demande)
    items = {item.key: item for group in groups for item in group.items}

    assert not instruction.is_checklist_complete(groups)
    assert items["document_identite"].done
    assert not items["document_engagement"].done
    # Listed once, in the documents' group, not again among the dossier's parts.
    assert sum(1 for group in groups for item in group.items if item.key == "document_engagement") == 1


# --- through the screen --------------------------------------------------------------------------------


def test_the_dossier_page_does_not_say_complete_while_a_document_is_missing(caseworker, association):
    demande = _draft(association, pieces=False)
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)

    page = _text(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))

    assert "Le dossier est complet" not in page
    assert "Éléments à compléter avant le dépôt" in page
    assert "Joignez la pièce « Engagement signé de la personne »." in page
    assert reverse("parcours:document_upload", args=[demande.pk]) in page


def test_the_dossier_page_says_complete_once_the_documents_are_attached(caseworker, association):
    demande = _draft(association, pieces=False)
    for kind in (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT):
        DocumentFactory(demande=demande, kind=kind)

    page = _text(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))

    assert "Le dossier est complet : vous pouvez le déposer" in page


def test_filing_on_screen_is_refused_with_the_missing_documents_named(caseworker, association):
    demande = _draft(association, pieces=False)

    response = caseworker.post(reverse("parcours:dossier_submit", args=[demande.pk]))

    assert response.status_code == 200
    page = _text(response)
    assert "Le dossier n’est pas déposé" in page
    assert (
        "il manque les pièces obligatoires suivantes : Pièce d’identité, Engagement signé de la personne"
        in page
    )
    assert "Le dossier est complet" not in page
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON
