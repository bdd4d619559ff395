"""Every POST needs the CSRF token: no view is exempt, and a POST without the token is refused."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from tests.factories import DemandeFactory, OrganisationFactory, UserFactory


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, pattern.callback


def test_no_view_of_the_application_is_csrf_exempt():
    exempt = sorted(
        str(name)
        for name, view in _callbacks(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
    )
    assert exempt == []


@pytest.mark.django_db
def test_a_post_without_the_token_is_refused_and_changes_nothing():
    demande = DemandeFactory(complete=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(demande.referent)
    response = client.post(reverse("parcours:dossier_submit", args=[demande.pk]))
    assert response.status_code == 403
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON


@pytest.mark.django_db
def test_a_replayed_admissibility_post_changes_nothing_more(client):
    from django.utils import timezone

    demande = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    secretariat = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SECRETARIAT, departement=demande.commission.departement
        ),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)
    url = reverse("parcours:instruction", args=[demande.pk])
    data = {"action": "recevable", "message": "", "confirm": "on"}
    client.post(url, data)
    replay = client.post(url, data, follow=True)
    demande.refresh_from_db()
    assert demande.state == DemandeState.RECEVABLE
    assert demande.evenements.filter(transition="mark_admissible").count() == 1
    # The replay is answered with the workflow's French refusal, and the page keeps working.
    assert replay.status_code == 200
    assert "Impossible depuis l’état « Recevable »" in replay.content.decode()
