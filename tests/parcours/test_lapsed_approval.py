"""An association whose approval lapsed (CASF R121-12-1: three years, renewable): its caseworkers keep
seeing their persons and drafts; every page says the approval ended on that date and that filing is
closed until it is renewed; filing is refused with that message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaires import access as beneficiaires_access
from parcours import access as parcours_access
from parcours.enums import DemandeState
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from tests.factories import AgrementFactory, DemandeFactory

pytestmark = pytest.mark.django_db

ENDED = timezone.localdate() - datetime.timedelta(days=10)
MESSAGE = "a pris fin le " + ENDED.strftime("%d/%m/%Y")


def _lapse(association):
    association.agrements.update(start=ENDED - datetime.timedelta(days=3 * 365), end=ENDED)


@pytest.fixture
def draft():
    """A complete draft of a person the association accompanies, before its approval lapsed."""
    demande = DemandeFactory(complete=True, state=DemandeState.BROUILLON)
    _lapse(demande.association)
    return demande


def test_lapsed_approval_keeps_the_persons_and_drafts_in_sight(draft):
    user = draft.referent

    assert draft.beneficiaire in beneficiaires_access.visible_to(user)
    assert draft in parcours_access.demandes_visible_to(user)


def test_lapsed_approval_pages_of_the_caseworker_still_open_and_say_when_it_ended(client, draft):
    client.force_login(draft.referent)

    for url in (
        reverse("home"),
        reverse("beneficiaires:list"),
        reverse("beneficiaires:detail", args=[draft.beneficiaire.pk]),
        reverse("parcours:dossiers"),
        reverse("parcours:dossier", args=[draft.pk]),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "L’agrément de votre association pour le département" in html, url
        assert "le dépôt de dossiers est fermé jusqu’à son renouvellement" in html, url
    listed = client.get(reverse("beneficiaires:list"), {"referent": "tous"}).content.decode()
    assert draft.beneficiaire.reference in listed
    assert draft.beneficiaire.reference in client.get(reverse("parcours:dossiers")).content.decode()


def test_lapsed_approval_filing_is_refused_with_the_date_it_ended(draft):
    with pytest.raises(WorkflowError, match=MESSAGE):
        workflow.submit(draft, user=draft.referent)

    draft.refresh_from_db()
    assert draft.state == DemandeState.BROUILLON


def test_lapsed_approval_filing_on_screen_is_refused_with_the_message(client, draft):
    client.force_login(draft.referent)

    response = client.post(
        reverse("parcours:dossier_submit", args=[draft.pk]), {"confirmed": "1"}, follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert MESSAGE in html
    draft.refresh_from_db()
    assert draft.state == DemandeState.BROUILLON


def test_lapsed_approval_once_renewed_filing_opens_and_the_notice_goes(client, draft):
    AgrementFactory(association=draft.association, departement=draft.commission.departement)
    client.force_login(draft.referent)

    assert "a pris fin le" not in client.get(reverse("home")).content.decode()
    workflow.submit(draft, user=draft.referent)
    draft.refresh_from_db()
    assert draft.state == DemandeState.DEPOSEE


def test_lapsed_approval_notice_is_not_shown_to_a_valid_association(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.referent)

    assert "a pris fin le" not in client.get(reverse("home")).content.decode()
