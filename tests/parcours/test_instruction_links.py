"""The secretariat's completeness check links to the dossier's page and to each document it ticks, and
each link opens for the secretariat."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState, DocumentKind
from tests.factories import DemandeFactory, DocumentFactory, OrganisationFactory, UserFactory
from tests.matrix_world import PDF, _private

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def _document(demande, kind):
    return DocumentFactory(
        demande=demande, kind=kind, content_type="application/pdf", size=len(PDF), **_private("demandes")
    )


def test_the_completeness_check_links_to_the_dossier_and_to_every_document(client):
    demande = DemandeFactory(
        complete=True,
        pieces=False,  # the documents are attached below
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    identite = _document(demande, DocumentKind.IDENTITE)
    old = _document(demande, DocumentKind.ENGAGEMENT)
    engagement = _document(demande, DocumentKind.ENGAGEMENT)
    old.replaced_by = engagement
    old.save(update_fields=["replaced_by"])
    secretariat = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SECRETARIAT, departement=demande.commission.departement
        ),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)

    page = client.get(reverse("parcours:instruction", args=[demande.pk])).content.decode()

    dossier_url = reverse("parcours:dossier", args=[demande.pk])
    assert f'href="{dossier_url}"' in page
    checklist = page[page.index('id="controle-titre"') : page.index('id="pieces-jointes"')]
    for document in (identite, engagement):
        url = reverse("parcours:document_download", args=[document.pk])
        assert f'href="{url}"' in checklist, document.kind
        assert client.get(url).status_code == 200
    # The replaced version is history: the check reads the current one.
    assert reverse("parcours:document_download", args=[old.pk]) not in page
    listed = re.findall(r'href="(/documents/\d+/)"', page[page.index('id="pieces-jointes"') :])
    assert sorted(set(listed)) == sorted(
        reverse("parcours:document_download", args=[d.pk]) for d in (identite, engagement)
    )
    assert client.get(dossier_url).status_code == 200
